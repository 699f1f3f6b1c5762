// Package auth owns passwords and sessions: argon2id hashes, and session settings for
// alexedwards/scs over PostgreSQL, so every server instance shares the same sessions.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/store"
)

// sessionStore keeps sessions in PostgreSQL under the SHA-256 of their tokens, never the tokens:
// whoever reads the sessions table (a backup, a replica, a query as the application's role)
// learns no token to act as a signed-in person with. The cookie carries the token; only its
// hash reaches the table.
//
// Finding a session is a read, so one that failed on a dead pooled connection (after a database
// restart) is tried once more on a new one, as the server does for the pages themselves:
// otherwise every signed-in person's first request after a restart would answer 503. Saving and
// deleting are not tried again.
type sessionStore struct {
	pg   *pgxstore.PostgresStore
	pool *pgxpool.Pool
}

func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	b, found, err := s.pg.Find(hashToken(token))
	if store.IsDeadConnection(err) {
		s.pool.Reset() // the other connections made before the restart are dead too
		b, found, err = s.pg.Find(hashToken(token))
	}
	return b, found, err
}

func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.pg.Commit(hashToken(token), b, expiry)
}

func (s *sessionStore) Delete(token string) error { return s.pg.Delete(hashToken(token)) }

// hashToken is a session token as the sessions table keys it. Tokens are 256 random bits, so a
// plain SHA-256 (no salt, no stretching) cannot be reversed or guessed.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SessionCookieName is the session cookie's name: under HTTPS it has the __Host- prefix, which
// browsers accept only from a secure origin, for the whole host (Path=/) and no Domain, so
// neither a sibling subdomain nor a plain-HTTP page can plant or overwrite it.
func SessionCookieName(secure bool) string {
	if secure {
		return "__Host-register_session"
	}
	return "register_session"
}

// MinPasswordLength is the shortest password accepted (NCSC guidance: length over rules).
const MinPasswordLength = 12

// Passwords hashes and checks passwords with one set of argon2id parameters. A hash records the
// parameters it was made with, and checking uses the hash's own, so any Passwords checks any
// hash; the parameters decide only what new hashes cost, and what the check for an account that
// does not exist costs.
type Passwords struct {
	params *argon2id.Params
	// dummy is checked against when an account does not exist, so a failed sign-in takes the
	// same time whether or not it does. It is made on the first such check, not at start-up:
	// a production hash costs 64 MB and most of a second, which no command but a sign-in needs.
	dummy func() string
}

// NewPasswords returns a Passwords making hashes with p.
func NewPasswords(p argon2id.Params) *Passwords {
	ps := &Passwords{params: &p}
	ps.dummy = sync.OnceValue(func() string {
		h, err := ps.Hash(rand.Text())
		if err != nil {
			panic(err)
		}
		return h
	})
	return ps
}

// Production hashes with the argon2id RFC's second recommended option, sized for a 2-core
// server: 64 MiB, 3 passes, 2 lanes.
var Production = NewPasswords(argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32})

// Hash returns the argon2id hash of a password.
func (ps *Passwords) Hash(password string) (string, error) {
	h, err := argon2id.CreateHash(password, ps.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Check reports whether password matches hash. With hash "" it checks a dummy hash, taking the
// time a hash of its own parameters takes, and reports false.
func (ps *Passwords) Check(password, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, ps.dummy())
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// HashPassword returns the argon2id hash of a password at the production cost.
func HashPassword(password string) (string, error) { return Production.Hash(password) }

// CheckPassword is Production.Check.
func CheckPassword(password, hash string) bool { return Production.Check(password, hash) }

// GeneratePassword makes a random password to print once.
func GeneratePassword() string { return rand.Text() }

// SessionConfig sets the sessions' lifetimes and cookie.
type SessionConfig struct {
	IdleTimeout time.Duration // signed out after this long without a request
	Lifetime    time.Duration // signed out after this long whatever happens
	Secure      bool          // send the cookie over HTTPS only
	// CleanupInterval is how often expired sessions are deleted; 0 for never (tests).
	CleanupInterval time.Duration
}

// NewSessions returns a session manager storing sessions in PostgreSQL.
func NewSessions(pool *pgxpool.Pool, c SessionConfig) *scs.SessionManager {
	sm := scs.New()
	sm.Store = &sessionStore{pg: pgxstore.NewWithCleanupInterval(pool, c.CleanupInterval), pool: pool}
	sm.IdleTimeout = c.IdleTimeout
	sm.Lifetime = c.Lifetime
	sm.Cookie.Name = SessionCookieName(c.Secure)
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = c.Secure
	sm.Cookie.Path = "/"
	return sm
}
