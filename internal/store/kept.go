package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

const recordSessionOwnerSQL = `
WITH gone AS (DELETE FROM session_owners WHERE expires_at < $4)
INSERT INTO session_owners (token_sha256, user_id, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (token_sha256) DO UPDATE SET user_id = EXCLUDED.user_id, expires_at = EXCLUDED.expires_at`

// RecordSessionOwner records whose a session is (by the SHA-256 of its token) until it could
// last no longer, so a form posted on it after it expired is kept for that person alone.
// Owners past their time are forgotten on the way.
func (s *Store) RecordSessionOwner(ctx context.Context, tokenSHA256 string, userID int64, until, now time.Time) error {
	if _, err := s.db.Exec(ctx, recordSessionOwnerSQL, tokenSHA256, userID, until, now); err != nil {
		return fmt.Errorf("record session owner: %w", mapError(err))
	}
	return nil
}

// ForgetSessionOwner forgets whose a session was, when its owner signs out.
func (s *Store) ForgetSessionOwner(ctx context.Context, tokenSHA256 string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM session_owners WHERE token_sha256 = $1`, tokenSHA256); err != nil {
		return fmt.Errorf("forget session owner: %w", err)
	}
	return nil
}

// SessionOwner is the person whose session (expired or not) had the token with this SHA-256,
// or ErrNotFound when none did or its time is past.
func (s *Store) SessionOwner(ctx context.Context, tokenSHA256 string, now time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT user_id FROM session_owners WHERE token_sha256 = $1 AND expires_at > $2`,
		tokenSHA256, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("session owner: %w", mapError(err))
	}
	return id, nil
}

const keepFormSQL = `
INSERT INTO kept_forms (user_id, path, form, kept_at, expires_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (user_id, path) DO UPDATE SET form = EXCLUDED.form, kept_at = EXCLUDED.kept_at, expires_at = EXCLUDED.expires_at`

// KeepForm keeps a form a person posted to path after their session expired, until they come
// back to it (TakeKeptForm) or until expires. A later one for the same path replaces it.
func (s *Store) KeepForm(ctx context.Context, userID int64, path string, form url.Values, at, expires time.Time) error {
	b, err := json.Marshal(form)
	if err != nil {
		return fmt.Errorf("keep form: %w", err)
	}
	if _, err := s.db.Exec(ctx, keepFormSQL, userID, path, b, at, expires); err != nil {
		return fmt.Errorf("keep form for %s: %w", path, mapError(err))
	}
	return nil
}

// KeptForm is a form kept after its sender was signed out.
type KeptForm struct {
	Path   string
	Form   url.Values
	KeptAt time.Time
}

// TakeKeptForm returns the form a person posted to path after their session expired, and
// forgets it: it is given back once. ErrNotFound when there is none (or its time is past).
func (s *Store) TakeKeptForm(ctx context.Context, userID int64, path string, now time.Time) (KeptForm, error) {
	k := KeptForm{Path: path}
	var b []byte
	var fresh bool
	err := s.db.QueryRow(ctx, `DELETE FROM kept_forms WHERE user_id = $1 AND path = $2 RETURNING form, kept_at, expires_at > $3`,
		userID, path, now).Scan(&b, &k.KeptAt, &fresh)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !fresh) {
		return k, fmt.Errorf("kept form for %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return k, fmt.Errorf("kept form for %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &k.Form); err != nil {
		return k, fmt.Errorf("kept form for %s: %w", path, err)
	}
	return k, nil
}

// LiveSessions is the data of every session not expired at now, as the session manager encoded
// it: for counting whom a change of how staff sign in reaches.
func (s *Store) LiveSessions(ctx context.Context, now time.Time) (_ [][]byte, err error) {
	defer wrap(&err, "live sessions")
	rows, err := s.db.Query(ctx, `SELECT data FROM sessions WHERE expiry > $1`, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}
