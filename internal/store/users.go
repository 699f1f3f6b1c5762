package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// User is a member of staff with their roles.
type User struct {
	ID           int64      `db:"id"`
	Email        string     `db:"email"`
	Name         string     `db:"name"`
	PasswordHash string     `db:"password_hash"`
	DisabledAt   *time.Time `db:"disabled_at"`
	SessionEpoch int        `db:"session_epoch"` // moves on when sessions must end
	// MustChangePassword is set while the password is one an admin set (a new account's, or a
	// reset): its holder chooses their own before doing anything else.
	MustChangePassword bool     `db:"must_change_password"`
	Roles              []string `db:"roles"`
	StepKinds          []string `db:"step_kinds"`
	Series             []string `db:"series"`

	// BreakGlass keeps a password sign-in for this account when single sign-on is required.
	BreakGlass bool `db:"break_glass"`
	// SSORequired is whether admins require single sign-on of this account now (it is not a
	// break-glass one); SecondFactorRequired whether they require a second factor of those who
	// sign or approve, and HasSecondFactor whether this account has one. Read with the account
	// on each request, so a change of the settings reaches sessions already open.
	SSORequired          bool `db:"sso_required"`
	SecondFactorRequired bool `db:"second_factor_required"`
	HasSecondFactor      bool `db:"has_second_factor"`
}

// Grants are what a user may do: roles, the steps an adviser clears, the series a decision
// maker signs for.
type Grants struct {
	Roles     []string
	StepKinds []string
	Series    []string
}

const userSQL = `
SELECT u.id, u.email, u.name, u.password_hash, u.disabled_at, u.session_epoch, u.must_change_password, u.break_glass,
	coalesce((SELECT a.require_sso AND NOT u.break_glass FROM auth_settings a), false) AS sso_required,
	coalesce((SELECT a.require_second_factor FROM auth_settings a), false) AS second_factor_required,
	(EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id) OR EXISTS (SELECT 1 FROM user_passkeys p WHERE p.user_id = u.id)) AS has_second_factor,
	ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role) AS roles,
	ARRAY(SELECT step_kind FROM user_step_kinds WHERE user_id = u.id ORDER BY step_kind) AS step_kinds,
	ARRAY(SELECT series FROM user_series WHERE user_id = u.id ORDER BY series) AS series
FROM users u`

// NormaliseEmail is the one form emails are stored and looked up in.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// UserByEmail finds a user, enabled or not.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.oneUser(ctx, userSQL+` WHERE u.email = $1`, NormaliseEmail(email))
}

// UserByID finds a user, enabled or not.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.oneUser(ctx, userSQL+` WHERE u.id = $1`, id)
}

func (s *Store) oneUser(ctx context.Context, sql string, args ...any) (_ User, err error) {
	defer wrap(&err, "user %v", args[len(args)-1])
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if err != nil {
		return User{}, mapError(err)
	}
	return u, nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) (_ []User, err error) {
	defer wrap(&err, "users")
	rows, err := s.db.Query(ctx, userSQL+` ORDER BY u.disabled_at IS NOT NULL, lower(u.name), u.id`)
	if err != nil {
		return nil, err
	}
	users, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
	if err != nil {
		return nil, err
	}
	return users, nil
}

// CreateUser adds a user with their grants, and audits it. A taken email is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, act Act, email, name, passwordHash string, g Grants) (int64, error) {
	return s.createUser(ctx, act, email, name, passwordHash, g, false)
}

// CreateUserOneTime is CreateUser with a one-time password: one an admin generated and read,
// which its holder must change at their first sign-in.
func (s *Store) CreateUserOneTime(ctx context.Context, act Act, email, name, passwordHash string, g Grants) (int64, error) {
	return s.createUser(ctx, act, email, name, passwordHash, g, true)
}

func (s *Store) createUser(ctx context.Context, act Act, email, name, passwordHash string, g Grants, oneTime bool) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Store) error {
		err := tx.db.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, must_change_password) VALUES ($1, $2, $3, $4) RETURNING id`,
			NormaliseEmail(email), strings.TrimSpace(name), passwordHash, oneTime).Scan(&id)
		if err != nil {
			return fmt.Errorf("add user %s: %w", email, mapError(err))
		}
		if err := tx.setGrants(ctx, id, g); err != nil {
			return err
		}
		return tx.Audit(ctx, act, 0, EventUserAdded, map[string]string{"email": NormaliseEmail(email), "grants": g.String()})
	})
	return id, err
}

// SetGrants replaces a user's grants, and audits it.
func (s *Store) SetGrants(ctx context.Context, act Act, userID int64, g Grants) error {
	return s.InTx(ctx, func(tx *Store) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.setGrants(ctx, userID, g); err != nil {
			return err
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": u.Email, "grants": g.String()})
	})
}

// String writes grants for the audit trail.
func (g Grants) String() string {
	return "roles=" + strings.Join(g.Roles, ",") + "; steps=" + strings.Join(g.StepKinds, ",") + "; series=" + strings.Join(g.Series, ",")
}

func (s *Store) setGrants(ctx context.Context, id int64, g Grants) error {
	for _, q := range []string{`DELETE FROM user_roles WHERE user_id = $1`, `DELETE FROM user_step_kinds WHERE user_id = $1`,
		`DELETE FROM user_series WHERE user_id = $1`} {
		if _, err := s.db.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("clear grants: %w", err)
		}
	}
	_, err := s.db.Exec(ctx, `
INSERT INTO user_roles (user_id, role) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING;`, id, g.Roles)
	if err == nil {
		_, err = s.db.Exec(ctx, `INSERT INTO user_step_kinds (user_id, step_kind) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, g.StepKinds)
	}
	if err == nil {
		_, err = s.db.Exec(ctx, `INSERT INTO user_series (user_id, series) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, g.Series)
	}
	if err != nil {
		return fmt.Errorf("set grants: %w", mapError(err))
	}
	return nil
}

// SetUserDisabled disables or enables a user, and audits it. A disabled user cannot sign in,
// and their sessions stop working at once.
func (s *Store) SetUserDisabled(ctx context.Context, act Act, userID int64, disabled bool) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, $3) END WHERE id = $1 RETURNING email`,
			userID, disabled, act.At).Scan(&email)
		if err != nil {
			return fmt.Errorf("disable user %d: %w", userID, mapError(err))
		}
		what := "enabled"
		if disabled {
			what = "disabled"
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": what})
	})
}

// SetPassword replaces a user's password hash, and audits that it changed (never the hash).
func (s *Store) SetPassword(ctx context.Context, act Act, userID int64, passwordHash string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, must_change_password = false WHERE id = $1 RETURNING email`,
			userID, passwordHash).Scan(&email)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "password"})
	})
}

// ResetPassword gives a user a one-time password an admin generated: every session of theirs
// ends, and at their next sign-in they must choose their own. Audited (never the hash).
func (s *Store) ResetPassword(ctx context.Context, act Act, userID int64, passwordHash string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var email string
		err := tx.db.QueryRow(ctx, `
UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, must_change_password = true WHERE id = $1 RETURNING email`,
			userID, passwordHash).Scan(&email)
		if err != nil {
			return fmt.Errorf("reset password of user %d: %w", userID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventUserChanged, map[string]string{"email": email, "change": "password reset by an admin"})
	})
}

// StepKind is a kind of sign-off step and what its adviser confirms.
type StepKind struct {
	Code      string `db:"code"`
	Name      string `db:"name"`
	Statement string `db:"statement"`
}

// StepKinds lists every kind of step.
func (s *Store) StepKinds(ctx context.Context) ([]StepKind, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name, statement FROM step_kinds ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("step kinds: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[StepKind])
}

// SeriesChain is a series' sign-off steps, in order.
func (s *Store) SeriesChain(ctx context.Context, series string) ([]StepKind, error) {
	rows, err := s.db.Query(ctx, `
SELECT k.code, k.name, k.statement FROM series_chain_steps c JOIN step_kinds k ON k.code = c.step_kind
WHERE c.series = $1 ORDER BY c.position`, series)
	if err != nil {
		return nil, fmt.Errorf("chain of %s: %w", series, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[StepKind])
}

// SetSeriesChain replaces a series' chain with the given step kinds, in order, and audits it.
func (s *Store) SetSeriesChain(ctx context.Context, act Act, series string, kinds []string) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, `DELETE FROM series_chain_steps WHERE series = $1`, series); err != nil {
			return fmt.Errorf("clear chain: %w", err)
		}
		_, err := tx.db.Exec(ctx, `
INSERT INTO series_chain_steps (series, position, step_kind)
SELECT $1, k.ord, k.code FROM unnest($2::text[]) WITH ORDINALITY AS k(code, ord)`, series, kinds)
		if err != nil {
			return fmt.Errorf("set chain of %s: %w", series, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventChainChanged, map[string]string{"series": series, "steps": strings.Join(kinds, ",")})
	})
}

// SignInAttempt records a sign-in attempt under each key (the account typed, the client, both),
// then counts each key's attempts since a time, this one included. Keys are kept as their
// SHA-256, so the table never holds what someone typed. Attempts under one key are counted one
// at a time (an advisory lock per key), so simultaneous guesses cannot all see a count under the
// limit. Attempts older than since are swept, whatever their key.
func (s *Store) SignInAttempt(ctx context.Context, keys []string, at, since time.Time) ([]int, error) {
	counts := make([]int, len(keys))
	err := s.InTx(ctx, func(tx *Store) error {
		locks := hashedKeys(keys...)
		slices.Sort(locks) // one order for every caller: no deadlock
		for _, k := range locks {
			if _, err := tx.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('sign-in:' || $1))`, k); err != nil {
				return err
			}
		}
		if _, err := tx.db.Exec(ctx, `DELETE FROM sign_in_failures WHERE at < $1`, since); err != nil {
			return err
		}
		for i, k := range hashedKeys(keys...) {
			if _, err := tx.db.Exec(ctx, `INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)`, k, at); err != nil {
				return err
			}
			if err := tx.db.QueryRow(ctx, `SELECT count(*) FROM sign_in_failures WHERE key = $1 AND at >= $2`, k, since).Scan(&counts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}
	return counts, nil
}

// SignedIn forgets, once someone signs in, every attempt at their account and their client's
// attempts at it (so the person is not slowed for their own typing), and this attempt from
// their client. Other clients' attempts at the account stay counted against those clients.
func (s *Store) SignedIn(ctx context.Context, accountKey, pairKey, clientKey string, at time.Time) error {
	k := hashedKeys(accountKey, pairKey, clientKey)
	_, err := s.db.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1 OR key = $2 OR (key = $3 AND at = $4)`, k[0], k[1], k[2], at)
	if err != nil {
		return fmt.Errorf("forget sign-in attempts: %w", err)
	}
	return nil
}

// ForgetAttempts forgets every attempt recorded under keys.
func (s *Store) ForgetAttempts(ctx context.Context, keys ...string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = ANY($1)`, hashedKeys(keys...)); err != nil {
		return fmt.Errorf("forget attempts: %w", err)
	}
	return nil
}

// hashedKeys are throttle keys as the table keeps them.
func hashedKeys(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k))
		out[i] = hex.EncodeToString(sum[:])
	}
	return out
}

// IsCheckViolation reports whether err is a database CHECK (or trigger-raised check) refusal,
// and names the constraint.
func IsCheckViolation(err error) (string, bool) {
	var ce *CheckError
	if errors.As(err, &ce) {
		return ce.Constraint, true
	}
	return "", false
}

// Has reports whether the user holds a role.
func (u User) Has(role string) bool { return slices.Contains(u.Roles, role) }

// Actor is the user as the sign-off rules see them.
func (u User) Actor() decision.Actor {
	return decision.Actor{ID: u.ID, Roles: u.Roles, StepKinds: u.StepKinds, Series: u.Series}
}

// Act is the user acting at a time.
func (u User) Act(at time.Time) Act { return Act{UserID: u.ID, Name: u.Name, At: at} }
