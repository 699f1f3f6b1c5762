package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// TOTPSecret is a user's authenticator app secret; ErrNotFound when they have none.
func (s *Store) TOTPSecret(ctx context.Context, userID int64) (secret string, err error) {
	defer wrap(&err, "TOTP of user %d", userID)
	err = s.db.QueryRow(ctx, `SELECT secret FROM user_totp WHERE user_id = $1`, userID).Scan(&secret)
	return secret, mapError(err)
}

// SetTOTP gives a user an authenticator app secret, the step of the code that confirmed it
// (used, so it cannot sign in), and fresh recovery codes (their hashes), replacing any before,
// and audits it (never the secret or the codes).
func (s *Store) SetTOTP(ctx context.Context, act Act, userID int64, secret string, step int64, codeHashes []string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
INSERT INTO user_totp (user_id, secret, last_step, added_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = excluded.last_step, added_at = excluded.added_at
RETURNING (SELECT email FROM users WHERE id = $1)`, userID, secret, step, act.At).Scan(&email)
		if err != nil {
			return fmt.Errorf("set TOTP of user %d: %w", userID, mapError(err))
		}
		if err := tx.setRecoveryCodes(ctx, userID, codeHashes); err != nil {
			return err
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "second factor set up"})
	})
}

func (s *Store) setRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("set recovery codes: %w", err)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO user_recovery_codes (user_id, code_sha256) SELECT $1, unnest($2::text[])`, userID, hashes)
	if err != nil {
		return fmt.Errorf("set recovery codes: %w", mapError(err))
	}
	return nil
}

// UseTOTPStep records that a user signed in with the code of a time step, and reports false
// when that step, or a later one, was used already: each code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	if err != nil {
		return false, fmt.Errorf("use TOTP step: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UseRecoveryCode uses up one of a user's recovery codes (by its hash), and reports false when
// it is not theirs or was used already.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `
UPDATE user_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_sha256 = $2 AND used_at IS NULL`, userID, hash, at)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (n int, err error) {
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// ResetSecondFactors takes away every second factor of a user who lost theirs, an admin's act:
// their authenticator app, its recovery codes and their passkeys, and every session of theirs
// ends. Audited with what was taken away. ErrNotFound for no such user.
func (s *Store) ResetSecondFactors(ctx context.Context, act Act, userID int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		var app bool
		var passkeys int
		// Data-modifying WITH clauses run to completion whether or not the UPDATE reads them.
		err := tx.db.QueryRow(ctx, `
WITH app AS (DELETE FROM user_totp WHERE user_id = $1 RETURNING 1),
	codes AS (DELETE FROM user_recovery_codes WHERE user_id = $1 RETURNING 1),
	keys AS (DELETE FROM user_passkeys WHERE user_id = $1 RETURNING 1)
UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1
RETURNING email, EXISTS (SELECT 1 FROM app), (SELECT count(*) FROM keys)`, userID).Scan(&email, &app, &passkeys)
		if err != nil {
			return fmt.Errorf("reset second factors of user %d: %w", userID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "second factor reset by an admin",
			"authenticator_app": strconv.FormatBool(app), "passkeys": strconv.Itoa(passkeys)})
	})
}
