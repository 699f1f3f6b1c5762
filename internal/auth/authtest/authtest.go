// Package authtest makes the password hashes of tests' accounts: argon2id at its smallest cost,
// so signing in costs a test microseconds rather than the 64 MiB and most of a second of the
// production parameters. A hash records the parameters it was made with, and checking it uses
// them, so the server checks these hashes cheaply without knowing they are a test's. It also
// makes passkeys in software (Authenticator), for tests that talk WebAuthn without a browser.
package authtest

import (
	"github.com/alexedwards/argon2id"

	"github.com/decision-register/decisions/internal/auth"
)

// Passwords hashes with the cheapest parameters argon2id accepts: one pass over 64 KiB. A test
// site's server takes it as server.Deps.Passwords, so the passwords set through its pages (a
// changed password, a new account) and its check for an account that does not exist are cheap
// too.
var Passwords = auth.NewPasswords(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})

// HashPassword returns a cheap argon2id hash of a password; it has auth.HashPassword's
// signature, so a test can put it in its place.
func HashPassword(password string) (string, error) { return Passwords.Hash(password) }
