package authtest_test

import (
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/auth/authtest"
)

// TestCheapTestHashes checks that the tests' cheap hashes are checked at their own cost by the
// same check the server makes with the production parameters: the hash carries its parameters.
func TestCheapTestHashes(t *testing.T) {
	t.Parallel()
	h, err := authtest.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("authtest.HashPassword = %q, want the cheapest parameters", h)
	}
	for name, ps := range map[string]*auth.Passwords{"auth.Production": auth.Production, "authtest.Passwords": authtest.Passwords} {
		if !ps.Check("correct horse battery staple", h) || ps.Check("wrong horse battery staple", h) {
			t.Errorf("%s.Check does not tell the right password from a wrong one with a cheap hash", name)
		}
	}
	if authtest.Passwords.Check("correct horse battery staple", "") {
		t.Error(`authtest.Passwords.Check(_, "") = true, want false`)
	}
}
