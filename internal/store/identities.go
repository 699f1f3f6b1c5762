package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Single sign-on's audit events.
const (
	EventSSOLinked           = "sso_linked"
	EventSSORefused          = "sso_refused"
	EventAuthSettingsChanged = "auth_settings_changed"
)

// UserBySubject finds the account linked to a person at an OpenID provider, enabled or not.
func (s *Store) UserBySubject(ctx context.Context, issuer, subject string) (User, error) {
	return s.oneUser(ctx, userSQL+` JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = $2`,
		issuer, subject)
}

// LinkIdentity links a person at an OpenID provider to an account, and audits it. A subject
// already linked, or an account already linked to another subject there, is ErrConflict.
func (s *Store) LinkIdentity(ctx context.Context, act Act, userID int64, issuer, subject string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
INSERT INTO user_identities (issuer, subject, user_id, linked_at) SELECT $1, $2, id, $4 FROM users WHERE id = $3
RETURNING (SELECT email FROM users WHERE id = $3)`, issuer, subject, userID, act.At).Scan(&email)
		if err != nil {
			return fmt.Errorf("link user %d to %s: %w", userID, issuer, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventSSOLinked, map[string]string{"email": email, "issuer": issuer, "subject": subject})
	})
}

// AuthSettings are how staff must sign in.
type AuthSettings struct {
	// RequireSSO refuses password sign-ins but for break-glass accounts.
	RequireSSO bool `db:"require_sso"`
	// RequireSecondFactor sends decision makers and advisers who sign in with a password to set
	// up a second factor before anything else.
	RequireSecondFactor bool `db:"require_second_factor"`
	// SessionsEnded and SessionsToSetUp, when saving, are how many signed-in sessions the change
	// ends (password sessions of accounts single sign-on is now required of) and sends to set up
	// a second factor: the audit entry records them.
	SessionsEnded, SessionsToSetUp int `db:"-"`
}

// AuthSettings reads how staff must sign in.
func (s *Store) AuthSettings(ctx context.Context) (a AuthSettings, err error) {
	defer wrap(&err, "auth settings")
	err = s.db.QueryRow(ctx, `SELECT require_sso, require_second_factor FROM auth_settings`).Scan(&a.RequireSSO, &a.RequireSecondFactor)
	return a, mapError(err)
}

// SetAuthSettings changes how staff must sign in, and audits it.
func (s *Store) SetAuthSettings(ctx context.Context, act Act, a AuthSettings) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, `UPDATE auth_settings SET require_sso = $1, require_second_factor = $2`, a.RequireSSO, a.RequireSecondFactor); err != nil {
			return fmt.Errorf("set auth settings: %w", err)
		}
		return tx.Audit(ctx, act, 0, EventAuthSettingsChanged, map[string]string{"require_sso": fmt.Sprint(a.RequireSSO),
			"require_second_factor": fmt.Sprint(a.RequireSecondFactor), "password_sessions_ended": fmt.Sprint(a.SessionsEnded),
			"sessions_sent_to_set_up_second_factor": fmt.Sprint(a.SessionsToSetUp)})
	})
}

// SetBreakGlass marks an account as one that keeps its password sign-in when single sign-on
// is required (or ends that), and audits it.
func (s *Store) SetBreakGlass(ctx context.Context, act Act, userID int64, on bool) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `UPDATE users SET break_glass = $2 WHERE id = $1 RETURNING email`, userID, on).Scan(&email)
		if err != nil {
			return fmt.Errorf("set break glass of user %d: %w", userID, mapError(err))
		}
		what := "break-glass password sign-in ended"
		if on {
			what = "break-glass password sign-in kept"
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": what})
	})
}

// SyncRoles gives a user exactly the roles in want among those in managed, leaving their
// other roles as they are, and audits a change. It is how a provider's groups, when mapped to
// roles, decide those roles at each single sign-on.
func (s *Store) SyncRoles(ctx context.Context, act Act, userID int64, managed, want []string) error {
	return s.InTx(ctx, func(tx *Store) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		var add, remove []string
		for _, r := range managed {
			switch has, wanted := slices.Contains(u.Roles, r), slices.Contains(want, r); {
			case wanted && !has:
				add = append(add, r)
			case has && !wanted:
				remove = append(remove, r)
			}
		}
		if len(add) == 0 && len(remove) == 0 {
			return nil
		}
		if _, err := tx.db.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role = ANY($2)`, userID, remove); err != nil {
			return fmt.Errorf("sync roles: %w", err)
		}
		if _, err := tx.db.Exec(ctx, `INSERT INTO user_roles (user_id, role) SELECT $1, unnest($2::text[])`, userID, add); err != nil {
			return fmt.Errorf("sync roles: %w", mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": u.Email,
			"change": "roles from the provider's groups: added " + strings.Join(add, ",") + "; removed " + strings.Join(remove, ",")})
	})
}
