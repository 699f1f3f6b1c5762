package auth

import (
	"runtime"
	"testing"
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
}
