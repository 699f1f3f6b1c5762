package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/calendar/icaltest"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/testsite"
)

func getCalendar(t *testing.T, site *testsite.Site, path string) []byte {
	t.Helper()
	resp, err := http.Get(site.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET %s = %d %q, want 200 text/calendar", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return b
}

// TestCalendarFeeds: the deferred publications feed has each deferred decision's reference,
// date and permanent link, and nothing else of it (its title is not public yet); the funding
// feed has each decision's last day of funding; both parse back and keep RFC 5545, with UIDs
// that stay the same when a date moves.
func TestCalendarFeeds(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	ctx := context.Background()
	publishAt := site.Clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	dbtest.Publish(t, site.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed, publish_at, deferral_reason) VALUES
	('PCD', 9401, 'PCD 9401', 'pcd-9401', 'SECRET-TITLE of a deferred decision', 'A test.', 'approved', '2026-11-02', $1, 'Commercial'),
	('PCD', 9402, 'PCD 9402', 'pcd-9402', 'Harbour dredging', 'A test.', 'published', '2026-11-02', NULL, NULL)`, publishAt)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label, fy_start, fy_end)
SELECT id, 1, 100000, 'grant_accepted', 'Port authority grant', 2026, 2028 FROM decisions WHERE slug = 'pcd-9402'`)
		}
		return err
	})

	raw := getCalendar(t, site, "/calendars/deferred.ics")
	if strings.Contains(string(raw), "SECRET-TITLE") || strings.Contains(string(raw), "Commercial") {
		t.Error("the deferred feed shows what the public may not read yet")
	}
	cal := icaltest.CheckRFC5545(t, raw)
	var found bool
	for _, e := range cal.Events() {
		if e.Id() != "deferred-publication-pcd-9401@localhost" {
			continue
		}
		found = true
		if s, err := e.GetStartAt(); err != nil || !s.Equal(publishAt) {
			t.Errorf("PCD 9401 is to be published at %v (%v), want %v", s, err, publishAt)
		}
		if got := e.GetProperty("SUMMARY").Value; got != "PCD 9401 to be published" {
			t.Errorf("SUMMARY %q", got)
		}
		if got := e.GetProperty("URL").Value; got != testsite.BaseURL+"/decisions/pcd-9401" {
			t.Errorf("URL %q", got)
		}
	}
	if !found {
		t.Fatalf("no event for PCD 9401 in %s", raw)
	}
	// A new date for the same deferral is the same event, moved.
	if _, err := site.Pool.Exec(ctx, `ALTER TABLE decisions DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET publish_at = publish_at + interval '7 days' WHERE slug = 'pcd-9401'`); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `ALTER TABLE decisions ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	moved := icaltest.CheckRFC5545(t, getCalendar(t, site, "/calendars/deferred.ics"))
	if n := len(moved.Events()); n != len(cal.Events()) || moved.Events()[0].Id() != cal.Events()[0].Id() {
		t.Errorf("after the date moved: %d events, first %q; want the same UIDs", n, moved.Events()[0].Id())
	}

	funding := icaltest.CheckRFC5545(t, getCalendar(t, site, "/calendars/funding-ends.ics"))
	found = false
	for _, e := range funding.Events() {
		if strings.Contains(e.GetProperty("SUMMARY").Value, "9401") {
			t.Error("the deferred decision's funding is in the public feed")
		}
		if e.Id() != "funding-end-pcd-9402@localhost" {
			continue
		}
		found = true
		if d, err := e.GetAllDayStartAt(); err != nil || d.Format(time.DateOnly) != "2029-03-31" {
			t.Errorf("PCD 9402's funding ends %v (%v), want 2029-03-31 (the end of 2028-29)", d, err)
		}
		if got := e.GetProperty("DESCRIPTION").Value; !strings.Contains(got, "Harbour dredging") || !strings.Contains(got, "Port authority grant") {
			t.Errorf("DESCRIPTION %q", got)
		}
	}
	if !found {
		t.Error("no funding end for PCD 9402")
	}
}
