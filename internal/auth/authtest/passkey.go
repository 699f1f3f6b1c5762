package authtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator is a passkey in software, for tests that talk WebAuthn to the server without a
// browser: it answers the options the server sends as a browser and a platform authenticator
// would (attestation "none", an ES256 key, user present and verified), and lets a test change
// what a real one would not (the origin, the signature counter).
type Authenticator struct {
	key    *ecdsa.PrivateKey
	ID     []byte // the credential's id
	Count  uint32 // the signature counter, moved on before each signature
	Origin string // the page's origin the browser reports
}

// NewAuthenticator makes a passkey for the site at origin ("http://localhost:8080").
func NewAuthenticator(origin string) *Authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &Authenticator{key: key, ID: id, Origin: origin}
}

var b64 = base64.RawURLEncoding

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *Authenticator) clientData(kind, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data: the RP id's hash, the flags (user present and verified,
// and attested credential data when attested), and the counter.
func (a *Authenticator) authData(rpID string, attested bool) []byte {
	h := sha256.Sum256([]byte(rpID))
	d := append([]byte{}, h[:]...)
	flags := byte(0x01 | 0x04)
	if attested {
		flags |= 0x40
	}
	d = append(d, flags)
	d = binary.BigEndian.AppendUint32(d, a.Count)
	if attested {
		d = append(d, make([]byte, 16)...) // AAGUID: none, as with attestation "none"
		d = binary.BigEndian.AppendUint16(d, uint16(len(a.ID)))
		d = append(d, a.ID...)
		x, y := a.key.X.FillBytes(make([]byte, 32)), a.key.Y.FillBytes(make([]byte, 32))
		cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
		if err != nil {
			panic(err)
		}
		d = append(d, cose...)
	}
	return d
}

// Create answers navigator.credentials.create's options (the JSON the server sent) with the
// JSON the page's script posts.
func (a *Authenticator) Create(optionsJSON []byte) (string, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return "", fmt.Errorf("creation options: %w", err)
	}
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(o.PublicKey.RP.ID, true)})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{"id": b64.EncodeToString(a.ID), "rawId": b64.EncodeToString(a.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}}})
	return string(b), err
}

// Get answers navigator.credentials.get's options with a signature, the counter moved on first.
func (a *Authenticator) Get(optionsJSON []byte) (string, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return "", fmt.Errorf("request options: %w", err)
	}
	a.Count++
	return a.Sign(o.PublicKey.RPID, o.PublicKey.Challenge)
}

// Sign signs challenge for rpID with the counter as it is.
func (a *Authenticator) Sign(rpID, challenge string) (string, error) {
	data := a.authData(rpID, false)
	cd := a.clientData("webauthn.get", challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, data...), h[:]...))
	r, s, err := ecdsa.Sign(rand.Reader, a.key, digest[:])
	if err != nil {
		return "", err
	}
	sig, err := asn1Signature(r, s)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{"id": b64.EncodeToString(a.ID), "rawId": b64.EncodeToString(a.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(data),
			"signature": b64.EncodeToString(sig)}})
	return string(b), err
}

// asn1Signature is an ECDSA signature as WebAuthn carries it: a DER SEQUENCE of two INTEGERs.
func asn1Signature(r, s *big.Int) ([]byte, error) {
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}
