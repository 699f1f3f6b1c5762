// Package migrations holds the database schema and the seeded reference decisions as
// golang-migrate SQL files, embedded so the binary migrates without the source tree.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
