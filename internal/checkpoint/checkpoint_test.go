package checkpoint

import (
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	pub, err := GenerateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Public().Equal(pub) {
		t.Fatal("the loaded key is not the one generated")
	}
	parsed, err := ParsePublicKey(MarshalPublicKey(pub))
	if err != nil || !parsed.Equal(pub) {
		t.Fatalf("public key round trip = %v", err)
	}
	head := strings.Repeat("ab", 32)
	at := time.Date(2026, 11, 27, 19, 0, 0, 123456789, time.UTC)
	c := s.Sign(42, head, at, ReasonDaily)
	if err := Verify(pub, c); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	changed := []struct {
		name string
		c    Checkpoint
		pub  ed25519.PublicKey
	}{
		{"length", with(c, func(c *Checkpoint) { c.Entries++ }), pub},
		{"head", with(c, func(c *Checkpoint) { c.Head = strings.Repeat("cd", 32) }), pub},
		{"time", with(c, func(c *Checkpoint) { c.At = c.At.Add(time.Microsecond) }), pub},
		{"another key", with(c, func(c *Checkpoint) { c.KeyID = KeyID(other) }), other},
		{"key id", c, other},
		{"not a hash", with(c, func(c *Checkpoint) { c.Head = "<script>" }), pub},
	}
	for _, tt := range changed {
		if err := Verify(tt.pub, tt.c); err == nil {
			t.Errorf("Verify with the %s changed = nil, want an error", tt.name)
		}
	}
	if _, err := GenerateKey(path); err == nil {
		t.Error("GenerateKey overwrote an existing key")
	}
}

func with(c Checkpoint, f func(*Checkpoint)) Checkpoint {
	f(&c)
	return c
}

// TestOpenSSLVerifies checks the published form with a tool that is not ours: the message and
// the PEM public key are enough for openssl to verify a checkpoint.
func TestOpenSSLVerifies(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is not installed: apt-get install openssl")
	}
	dir := t.TempDir()
	pub, err := GenerateKey(filepath.Join(dir, "key"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := LoadSigner(filepath.Join(dir, "key"))
	c := s.Sign(7, strings.Repeat("0", 64), time.Now(), ReasonManual)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The published message, as a mirror has it.
	msg, sig, key := write("msg", []byte(c.Message)), write("sig", c.Signature), write("pub.pem", MarshalPublicKey(pub))
	out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin", "-in", msg, "-sigfile", sig).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Errorf("openssl pkeyutl -verify = %v\n%s", err, out)
	}
}

func TestParseList(t *testing.T) {
	one := `{"id":1,"entries":3,"head":"` + strings.Repeat("a", 64) + `","at":"2026-11-27T19:00:00Z","reason":"daily","key_id":"0123456789abcdef","signature":"AAAA"}`
	for _, in := range []string{`{"checkpoints":[` + one + `]}`, `[` + one + `]`, one} {
		cs, err := ParseList([]byte(in))
		if err != nil || len(cs) != 1 || cs[0].Entries != 3 {
			t.Errorf("ParseList(%.30q) = %v, %v", in, cs, err)
		}
	}
	for _, in := range []string{``, `{}`, `[1]`, `"x"`} {
		if _, err := ParseList([]byte(in)); err == nil {
			t.Errorf("ParseList(%q) = nil error", in)
		}
	}
}
