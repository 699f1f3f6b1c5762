package auth

import (
	"runtime"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/auth/authtest"
)

// TestDummyHashIsMadeOnFirstUse checks that importing the package costs no argon2 hash (64 MiB
// and most of a second on every CLI command), and that a sign-in for an unknown account makes
// one. It must run before any other test of the package hashes: it is the first, and serial.
func TestDummyHashIsMadeOnFirstUse(t *testing.T) {
	const hashMemory = 64 << 20 // params.Memory KiB
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.TotalAlloc >= hashMemory {
		t.Fatalf("%d MiB allocated before any password was checked, want no hash at start-up", m.TotalAlloc>>20)
	}
	before := m.TotalAlloc
	if CheckPassword("correct horse battery staple", "") {
		t.Error(`CheckPassword(_, "") = true, want false`)
	}
	runtime.ReadMemStats(&m)
	if m.TotalAlloc-before < hashMemory {
		t.Errorf("checking a password for no account allocated %d MiB, want an argon2 hash's %d", (m.TotalAlloc-before)>>20, hashMemory>>20)
	}
}

func TestCheckPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword("correct horse battery staple", h) || CheckPassword("wrong horse battery staple", h) {
		t.Error("CheckPassword does not tell the right password from a wrong one")
	}
	// Tests' accounts use cheap hashes (authtest); the passwords people set keep these.
	const production = "$argon2id$v=19$m=65536,t=3,p=2$"
	if !strings.HasPrefix(h, production) {
		t.Errorf("HashPassword = %q, want the production parameters %q", h, production)
	}
}

// TestCheapTestHashes checks that the tests' cheap hashes are checked at their own cost by the
// same CheckPassword the server uses: the hash carries its parameters.
func TestCheapTestHashes(t *testing.T) {
	h, err := authtest.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("authtest.HashPassword = %q, want the cheapest parameters", h)
	}
	if !CheckPassword("correct horse battery staple", h) || CheckPassword("wrong horse battery staple", h) {
		t.Error("CheckPassword does not tell the right password from a wrong one with a cheap hash")
	}
}
