package migrations

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// largeTables grow with the register: at a million decisions a plain CREATE INDEX on one holds
// its writes for seconds.
var largeTables = []string{"decisions", "recommendations", "sections", "funding_lines", "decision_links", "documents",
	"signatures", "signoff_actions", "audit_log"}

var (
	comment     = regexp.MustCompile(`--[^\n]*`)
	createIndex = regexp.MustCompile(`(?is)CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?\w*\s*ON\s+(ONLY\s+)?(\w+)`)
)

// concurrentFrom is the first migration written under the rule below (24 was rewritten to it).
const concurrentFrom = 68

// TestLargeTableIndexesBuildConcurrently: from migration 68 on (and 24, rewritten), an index on
// a large table is built CONCURRENTLY, in a file of its own holding that one statement, since
// PostgreSQL refuses CONCURRENTLY in a transaction block and golang-migrate sends a file whole
// (docs/operations.md, "Migrations on a large register").
func TestLargeTableIndexesBuildConcurrently(t *testing.T) {
	names, err := fs.Glob(FS, "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range names {
		version, _ := strconv.Atoi(name[:6])
		if version < concurrentFrom && version != 24 {
			continue
		}
		raw, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		sql := strings.TrimSpace(comment.ReplaceAllString(string(raw), ""))
		for _, m := range createIndex.FindAllStringSubmatch(sql, -1) {
			table := strings.ToLower(m[5])
			if !slices.Contains(largeTables, table) || strings.Contains(strings.ToLower(sql), "create table "+table) {
				continue
			}
			checked++
			if m[2] == "" {
				t.Errorf("%s: an index on %s is built without CONCURRENTLY: %q", name, table, m[0])
			}
			if strings.Contains(strings.TrimSuffix(sql, ";"), ";") {
				t.Errorf("%s: builds an index on %s CONCURRENTLY beside other statements: a file of its own", name, table)
			}
		}
	}
	if checked < 2 {
		t.Errorf("checked %d indexes on large tables, want at least migrations 24's and 74's", checked)
	}
}
