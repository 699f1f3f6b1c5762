// Package checkpoint owns the register's signed checkpoints of its audit chain: the length and
// head hash of the chain at a moment, signed with an Ed25519 key the database never holds.
//
// The audit chain alone cannot stop whoever controls the database: they can rewrite an entry
// and recompute every hash after it. A checkpoint signed outside the database and mirrored by
// others fixes the chain's past: any later chain must still have that hash at that length.
package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"
)

// Format tags the signed message, so a signature over one cannot be replayed as another.
const Format = "decision-register/checkpoint/v1"

// Checkpoint is one signed checkpoint, as stored and as published.
type Checkpoint struct {
	ID        int64     `json:"id,omitempty"`
	Entries   int64     `json:"entries"` // the chain's length
	Head      string    `json:"head"`    // the hash of its last entry (all zeros for none)
	At        time.Time `json:"at"`      // when it was signed, UTC to the microsecond
	Reason    string    `json:"reason"`  // daily, signature or manual
	KeyID     string    `json:"key_id"`  // KeyID of the public key that verifies it
	Signature []byte    `json:"signature"`
	// Message is the exact text signed, published so others can check a checkpoint with any
	// Ed25519 tool; Verify rebuilds it from the fields and never reads it.
	Message string `json:"message,omitempty"`
}

// Reasons a checkpoint is signed.
const (
	ReasonDaily     = "daily"
	ReasonSignature = "signature"
	ReasonManual    = "manual"
)

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Message is the exact bytes signed: a JSON array of the format tag, the length, the head hash
// and the time (UTC, microseconds), as the audit chain's own hashes are built.
func Message(entries int64, head string, at time.Time) []byte {
	b, _ := json.Marshal([]any{Format, entries, head, at.UTC().Format("2006-01-02T15:04:05.000000Z")})
	return b
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Signer signs checkpoints with a private key read from a file.
type Signer struct {
	key ed25519.PrivateKey
}

// Public is the key that verifies the signer's checkpoints.
func (s *Signer) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Sign makes a checkpoint of a chain of entries ending in head, at a time.
func (s *Signer) Sign(entries int64, head string, at time.Time, reason string) Checkpoint {
	at = at.UTC().Truncate(time.Microsecond)
	msg := Message(entries, head, at)
	return Checkpoint{Entries: entries, Head: head, At: at, Reason: reason, KeyID: KeyID(s.Public()),
		Signature: ed25519.Sign(s.key, msg), Message: string(msg)}
}

// Verify checks a checkpoint's signature with a public key.
func Verify(pub ed25519.PublicKey, c Checkpoint) error {
	if c.KeyID != KeyID(pub) {
		return fmt.Errorf("checkpoint of %d entries signed at %s names key %s, but the key given is %s",
			c.Entries, c.At.UTC().Format(time.RFC3339), c.KeyID, KeyID(pub))
	}
	if !hashPattern.MatchString(c.Head) || c.Entries < 0 {
		return fmt.Errorf("checkpoint of %d entries: %q is not a head hash", c.Entries, c.Head)
	}
	if !ed25519.Verify(pub, Message(c.Entries, c.Head, c.At), c.Signature) {
		return fmt.Errorf("checkpoint of %d entries signed at %s: the signature does not verify with key %s (the checkpoint was changed or not signed by this key)",
			c.Entries, c.At.UTC().Format(time.RFC3339), c.KeyID)
	}
	return nil
}

// GenerateKey writes a new private key to path as PKCS #8 PEM (what `openssl genpkey
// -algorithm ed25519` writes), readable by its owner only. It refuses to overwrite a file: a
// lost key cannot sign again, and a replaced one orphans every mirror's copy of the old.
func GenerateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	return pub, nil
}

// LoadSigner reads a private key written by GenerateKey or by openssl.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("checkpoint key %s: not a PEM \"PRIVATE KEY\" file", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("checkpoint key %s: not an Ed25519 key", path)
	}
	return &Signer{key: priv}, nil
}

// MarshalPublicKey is a public key as PKIX PEM, which openssl reads.
func MarshalPublicKey(pub ed25519.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKey reads a public key written by MarshalPublicKey.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM \"PUBLIC KEY\"")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an Ed25519 public key")
	}
	return pub, nil
}

// List is the published list of checkpoints (/checkpoints.json).
type List struct {
	PublicKey   string       `json:"public_key_url,omitempty"`
	Checkpoints []Checkpoint `json:"checkpoints"`
}

// ParseList reads checkpoints as published: a List, an array of checkpoints, or one checkpoint.
func ParseList(b []byte) ([]Checkpoint, error) {
	var l List
	if err := json.Unmarshal(b, &l); err == nil && l.Checkpoints != nil {
		return l.Checkpoints, nil
	}
	var cs []Checkpoint
	if err := json.Unmarshal(b, &cs); err == nil {
		return cs, nil
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil || c.Head == "" {
		return nil, errors.New("not checkpoints: want the JSON of /checkpoints.json, an array of checkpoints or one checkpoint")
	}
	return []Checkpoint{c}, nil
}
