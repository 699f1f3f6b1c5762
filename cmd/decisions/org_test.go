package main

import (
	"context"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/dbtest"
)

// TestOrgSetID: an org-id is recorded on an organisation named in signed decisions (it is not
// signed content), audited, listed, cleared; a malformed, duplicated or unknown one is refused
// with a message, and the database refuses a malformed one whatever the application does.
func TestOrgSetID(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, _ := openPool(t, dbURL)
	ctx := context.Background()

	out, err := runCmd(t, dbURL, nil, "org", "set-id", "--name", "Home Office", "--org-id", "GB-GOR-TEST1")
	if err != nil || !strings.Contains(out, "Recorded GB-GOR-TEST1 as the org-id of Home Office") {
		t.Fatalf("org set-id = %v\n%s", err, out)
	}
	out, err = runCmd(t, dbURL, nil, "org", "list")
	if err != nil || !strings.Contains(out, "GB-GOR-TEST1") || !strings.Contains(out, "Metropolitan Police Service  -") {
		t.Errorf("org list = %v\n%s", err, out)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = 'organisation_changed'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit entries for the change: %d (%v), want 1", n, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "Home Office", "--org-id", "home office"}, "is not an org-id"},
		{[]string{"--name", "Nobody Ltd", "--org-id", "GB-COH-1"}, "names no organisation"},
		{[]string{"--name", "Metropolitan Police Service", "--org-id", "GB-GOR-TEST1"}, "already has the org-id"},
		{[]string{"--name", "Home Office"}, "--org-id is required"},
		{[]string{"--name", "Home Office", "--org-id", "GB-GOR-X", "--clear"}, "not both"},
	} {
		if out, err := runCmd(t, dbURL, nil, append([]string{"org", "set-id"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("org set-id %v = %v\n%s, want an error saying %q", tc.args, err, out, tc.want)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE organisations SET org_id = 'not an id' WHERE name = 'Metropolitan Police Service'`); err == nil {
		t.Error("the database took a malformed org-id")
	}
	if out, err := runCmd(t, dbURL, nil, "org", "set-id", "--name", "Home Office", "--clear"); err != nil || !strings.Contains(out, "Cleared") {
		t.Errorf("org set-id --clear = %v\n%s", err, out)
	}
	if out, err := runCmd(t, dbURL, nil, "verify"); err != nil {
		t.Errorf("verify after org-id changes = %v\n%s", err, out)
	}
}
