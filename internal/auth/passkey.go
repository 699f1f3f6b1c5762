package auth

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/decision-register/decisions/internal/store"
)

// PasskeyCeremonyFor is how long a person has between asking for a passkey ceremony and
// answering it: long enough to find a security key, short enough that a challenge lying in a
// session is soon worth nothing.
const PasskeyCeremonyFor = 5 * time.Minute

// NewPasskeys is the relying party for passkeys (WebAuthn): its id is the host of the site's
// public address (baseURL), and only pages of that origin may use them. A passkey is bound to
// the host, so changing BASE_URL's host makes every passkey unusable.
func NewPasskeys(baseURL, displayName string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: BASE_URL %q has no host", baseURL)
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: displayName,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		// No attestation: the register trusts any authenticator its person chose, as it trusts
		// any authenticator app, and asks for no device details it would have to keep.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyCeremonyFor},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyCeremonyFor},
		},
	})
}

// PasskeyUser is a person as the WebAuthn library sees them.
type PasskeyUser struct {
	User store.User
	Keys []store.Passkey
}

// WebAuthnID is the person's user handle: their account's id, which says nothing about them.
func (p PasskeyUser) WebAuthnID() []byte { return PasskeyHandle(p.User.ID) }

// PasskeyHandle is the user handle of account id.
func PasskeyHandle(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func (p PasskeyUser) WebAuthnName() string        { return p.User.Email }
func (p PasskeyUser) WebAuthnDisplayName() string { return p.User.Name }

// WebAuthnCredentials are the person's passkeys as the library checks them.
func (p PasskeyUser) WebAuthnCredentials() []webauthn.Credential {
	creds := make([]webauthn.Credential, 0, len(p.Keys))
	for _, k := range p.Keys {
		c := webauthn.Credential{ID: k.CredentialID, PublicKey: k.PublicKey, AttestationType: k.Attestation,
			Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: k.UserVerified, BackupEligible: k.BackupEligible, BackupState: k.BackupState},
			Authenticator: webauthn.Authenticator{SignCount: uint32(k.SignCount)}}
		for _, t := range k.Transports {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
		if k.AAGUID.Valid {
			c.Authenticator.AAGUID = k.AAGUID.Bytes[:]
		}
		creds = append(creds, c)
	}
	return creds
}

// PasskeyFromCredential is a new credential as the store keeps it.
func PasskeyFromCredential(userID int64, name string, c *webauthn.Credential) store.Passkey {
	p := store.Passkey{UserID: userID, Name: name, CredentialID: c.ID, PublicKey: c.PublicKey, Attestation: c.AttestationType,
		SignCount: int64(c.Authenticator.SignCount), Transports: []string{}, UserVerified: c.Flags.UserVerified,
		BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState}
	for _, t := range c.Transport {
		p.Transports = append(p.Transports, string(t))
	}
	if len(c.Authenticator.AAGUID) == 16 {
		var id [16]byte
		copy(id[:], c.Authenticator.AAGUID)
		if id != ([16]byte{}) {
			p.AAGUID = pgtype.UUID{Bytes: id, Valid: true}
		}
	}
	return p
}

// Reasons a passkey is refused, as the audit trail records them.
const (
	PasskeyRefusedCeremony  = "ceremony"  // none under way in this session, used already, or expired
	PasskeyRefusedUnknown   = "unknown"   // a credential that is not one of the person's passkeys
	PasskeyRefusedInvalid   = "invalid"   // a signature, origin, RP id or challenge that does not check
	PasskeyRefusedCounter   = "counter"   // the signature counter went back: a cloned authenticator
	PasskeyRefusedMalformed = "malformed" // not a WebAuthn response at all
)

// PasskeyRefusal says why the library refused an assertion, for the audit trail.
func PasskeyRefusal(err error) string {
	var unknown *protocol.ErrorUnknownCredential
	if errors.As(err, &unknown) {
		return PasskeyRefusedUnknown
	}
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Details == "Unable to find the credential for the returned credential ID" {
		return PasskeyRefusedUnknown
	}
	return PasskeyRefusedInvalid
}
