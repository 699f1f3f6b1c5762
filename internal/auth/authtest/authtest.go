// Package authtest makes the password hashes of tests' accounts: argon2id at its smallest cost,
// so signing in costs a test microseconds rather than the 64 MiB and most of a second of the
// production parameters. A hash records the parameters it was made with, and checking it uses
// them, so the server checks these hashes cheaply without knowing they are a test's.
package authtest

import (
	"fmt"

	"github.com/alexedwards/argon2id"
)

// params are the cheapest argon2id accepts: one pass over 64 KiB.
var params = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns a cheap argon2id hash of a password; it has auth.HashPassword's
// signature, so a test can put it in its place.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}
