package auth

import (
	"runtime"
	"strings"
	"testing"
)

// TestProductionPasswords is the one test of the production parameters (64 MiB, 3 passes, 2
// lanes): tests' accounts use cheap hashes (authtest), the passwords people set keep these. It
// checks that importing the package costs no argon2 hash (64 MiB and most of a second on every
// CLI command), and that a sign-in for an unknown account makes one, at the production cost, and
// checks against it. It must run before any other test of the package hashes: it is the only one.
func TestProductionPasswords(t *testing.T) {
	const hashMemory = 64 << 20 // the production Memory, 64 Ki KiB
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
	// The dummy is made by Production.Hash, as HashPassword's hashes are.
	const production = "$argon2id$v=19$m=65536,t=3,p=2$"
	if h := Production.dummy(); !strings.HasPrefix(h, production) {
		t.Errorf("Production.Hash = %q, want the production parameters %q", h, production)
	}
}
