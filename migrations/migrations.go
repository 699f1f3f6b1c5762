// Package migrations holds the database schema and the seeded reference decisions as
// golang-migrate SQL files, embedded so the binary migrates without the source tree.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS

// SeededReferences are the decisions 000002 seeds: signed before the register existed, and
// the only ones `decisions migrate up` records as such (an 'imported' signature over their
// content). Any other decision is signed in the register, or it is not signed at all.
var SeededReferences = []string{"PCD 545", "PCD 867", "PCD 914", "PCD 956", "PCD 960", "PCD 1047",
	"PCD 1215", "PCD 1218", "PCD 1532", "PCD 1682"}
