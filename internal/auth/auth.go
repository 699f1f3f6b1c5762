// Package auth owns passwords and sessions: argon2id hashes, and session settings for
// alexedwards/scs over PostgreSQL, so every server instance shares the same sessions.
package auth

import (
	"crypto/rand"
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

// sessionStore keeps sessions in PostgreSQL. Finding a session is a read, so one that failed on
// a dead pooled connection (after a database restart) is tried once more on a new one, as the
// server does for the pages themselves: otherwise every signed-in person's first request after
// a restart would answer 503. Saving and deleting are not tried again.
type sessionStore struct {
	*pgxstore.PostgresStore
	pool *pgxpool.Pool
}

func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	b, found, err := s.PostgresStore.Find(token)
	if store.IsDeadConnection(err) {
		s.pool.Reset() // the other connections made before the restart are dead too
		b, found, err = s.PostgresStore.Find(token)
	}
	return b, found, err
}

// MinPasswordLength is the shortest password accepted (NCSC guidance: length over rules).
const MinPasswordLength = 12

// params follow the argon2id RFC's second recommended option, sized for a 2-core server.
var params = &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of a password.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// dummyHash is checked against when an account does not exist, so a failed sign-in takes the
// same time whether or not it does. It is made on the first such check, not at start-up: a hash
// costs 64 MB and most of a second, which no command but a sign-in needs.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(rand.Text())
	if err != nil {
		panic(err)
	}
	return h
})

// CheckPassword reports whether password matches hash. With hash "" it checks a dummy hash,
// taking the same time, and reports false.
func CheckPassword(password, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash())
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

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
	sm.Store = &sessionStore{PostgresStore: pgxstore.NewWithCleanupInterval(pool, c.CleanupInterval), pool: pool}
	sm.IdleTimeout = c.IdleTimeout
	sm.Lifetime = c.Lifetime
	sm.Cookie.Name = "register_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = c.Secure
	sm.Cookie.Path = "/"
	return sm
}
