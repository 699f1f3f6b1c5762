package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// EventPasskeyRefused is a passkey that did not sign anyone in or confirm anything: an unknown
// credential, a signature or origin that does not check, a ceremony not started in this
// session (or used already), or a signature counter that went back (a cloned authenticator).
const EventPasskeyRefused = "passkey_refused"

// Passkey is one of a person's WebAuthn credentials.
type Passkey struct {
	ID             int64       `db:"id"`
	UserID         int64       `db:"user_id"`
	CredentialID   []byte      `db:"credential_id"`
	PublicKey      []byte      `db:"public_key"`
	Attestation    string      `db:"attestation"`
	SignCount      int64       `db:"sign_count"`
	Transports     []string    `db:"transports"`
	AAGUID         pgtype.UUID `db:"aaguid"` // not valid when the authenticator did not say
	UserVerified   bool        `db:"user_verified"`
	BackupEligible bool        `db:"backup_eligible"`
	BackupState    bool        `db:"backup_state"`
	Name           string      `db:"name"`
	CreatedAt      time.Time   `db:"created_at"`
	LastUsedAt     *time.Time  `db:"last_used_at"`
}

const passkeyColumns = `id, user_id, credential_id, public_key, attestation, sign_count, transports, aaguid,
	user_verified, backup_eligible, backup_state, name, created_at, last_used_at`

// Passkeys lists a user's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, userID int64) (keys []Passkey, err error) {
	defer wrap(&err, "passkeys of user %d", userID)
	rows, err := s.db.Query(ctx, `SELECT `+passkeyColumns+` FROM user_passkeys WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Passkey])
}

// AddPasskey keeps a user's new passkey and audits it (by its name only), returning its id.
// A credential id already kept (for anyone) is ErrConflict.
func (s *Store) AddPasskey(ctx context.Context, act Act, p Passkey) (id int64, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
INSERT INTO user_passkeys (user_id, credential_id, public_key, attestation, sign_count, transports, aaguid,
	user_verified, backup_eligible, backup_state, name, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id, (SELECT email FROM users WHERE id = $1)`,
			p.UserID, p.CredentialID, p.PublicKey, p.Attestation, p.SignCount, p.Transports, p.AAGUID,
			p.UserVerified, p.BackupEligible, p.BackupState, p.Name, act.At).Scan(&id, &email)
		if err != nil {
			return fmt.Errorf("add passkey of user %d: %w", p.UserID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "passkey added", "passkey": p.Name})
	})
	return id, err
}

// RemovePasskey removes one of a user's passkeys and audits it; ErrNotFound when it is not theirs.
func (s *Store) RemovePasskey(ctx context.Context, act Act, userID, id int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		var name, email string
		err := tx.db.QueryRow(ctx, `
DELETE FROM user_passkeys WHERE id = $2 AND user_id = $1
RETURNING name, (SELECT email FROM users WHERE id = $1)`, userID, id).Scan(&name, &email)
		if err != nil {
			return fmt.Errorf("remove passkey %d of user %d: %w", id, userID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "passkey removed", "passkey": name})
	})
}

// UsePasskey records a use of a user's passkey with the authenticator's signature counter, and
// reports false when the counter did not move on from the one kept (a cloned authenticator, or
// the same signature twice), unless the authenticator keeps no counter (both zero). The check is
// in the UPDATE, so two uses at once cannot both pass with one count.
func (s *Store) UsePasskey(ctx context.Context, userID int64, credentialID []byte, count int64, backupState bool, at time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `
UPDATE user_passkeys SET sign_count = $3, backup_state = $4, last_used_at = $5
WHERE user_id = $1 AND credential_id = $2 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))`,
		userID, credentialID, count, backupState, at)
	if err != nil {
		return false, fmt.Errorf("use passkey of user %d: %w", userID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SecondFactors tells which second factors a user has: an authenticator app, and how many passkeys.
func (s *Store) SecondFactors(ctx context.Context, userID int64) (totp bool, passkeys int, err error) {
	err = s.db.QueryRow(ctx, `
SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1), (SELECT count(*) FROM user_passkeys WHERE user_id = $1)`,
		userID).Scan(&totp, &passkeys)
	if err != nil {
		return false, 0, fmt.Errorf("second factors of user %d: %w", userID, err)
	}
	return totp, passkeys, nil
}
