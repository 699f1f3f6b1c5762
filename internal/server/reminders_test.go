package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/workday"
)

// Reminders go the working day before the due date and on it, then the step is escalated to
// the admins; each once, though two instances look at the same moment and again later, by
// the injected clock across a weekend and Christmas. "Reminded twice" then shows in the chain.
func TestRemindersFireOnceEach(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	admin := site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	slug := site.awaitingDecision(t, 9502)
	london, _ := time.LoadLocation("Europe/London")
	since := time.Date(2026, 12, 17, 10, 0, 0, 0, london) // Thursday; 5 working days: due Thu 24th
	if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET updated_at = $1 WHERE slug = $2`, since, slug); err != nil {
		t.Fatal(err)
	}
	cal := workday.Published()
	other := store.New(site.Pool) // a second instance's store
	round := func(day string) int {
		t.Helper()
		d, err := workday.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		now := d.Start().Add(9 * time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, st := range []*store.Store{site.Store, other} {
			wg.Go(func() {
				n, err := st.SendReminders(context.Background(), now, cal)
				if err != nil {
					t.Errorf("SendReminders: %v", err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		return counts[0] + counts[1]
	}
	notices := func(event string, user int64) int {
		t.Helper()
		var n int
		if err := site.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM notices WHERE event = $1 AND user_id = $2`, event, user).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, r := range []struct {
		day  string
		sent int
	}{
		{"2026-12-21", 0}, // Monday: nothing yet
		{"2026-12-23", 1}, // Wednesday, the working day before: reminded
		{"2026-12-23", 0},
		{"2026-12-24", 1}, // Thursday, due: reminded again
		{"2026-12-25", 0}, // Christmas and the weekend: still the due reminder, sent already
		{"2026-12-27", 0},
		{"2026-12-28", 0}, // the Boxing Day substitute
		{"2026-12-29", 1}, // Tuesday, the working day after: escalated to the admins
		{"2026-12-30", 0},
	} {
		if got := round(r.day); got != r.sent {
			t.Errorf("%s: %d sent, want %d", r.day, got, r.sent)
		}
	}
	adviser := site.advisers["head_of_unit"].ID
	if a, b, e := notices("reminder_before", adviser), notices("reminder_due", adviser), notices("reminder_escalated", admin.ID); a != 1 || b != 1 || e != 1 {
		t.Errorf("notices: before %d, due %d, escalated %d; want 1 each", a, b, e)
	}
	site.Clock.Advance(time.Date(2026, 12, 29, 11, 0, 0, 0, london).Sub(site.Clock.Now()))
	p := get(t, site.Client(t, site.drafter.Email), site.URL+"/decisions/"+slug+"/signoff")
	want := "Waiting on Head of unit · Adviser head_of_unit for 6 working days · reminded twice · escalated · due Thu 24 December 2026"
	if got := p.text(`[data-testid=chain-clock]`); got != want {
		t.Errorf("clock = %q, want %q", got, want)
	}
}

// A late step is escalated to its kind's escalation contact, set on the admin chain page beside
// the service level; with none set, to the admins. Setting a contact or a service level is
// audited (who, old → new); a contact who neither clears the step nor is an admin is refused
// by its field.
func TestEscalationGoesToTheStepsContact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                  string
		withContact, disabled bool
	}{{"no contact", false, false}, {"contact", true, false}, {"contact disabled", true, true}} {
		withContact := tc.withContact
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := newSignoffSite(t)
			admin := site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
			contact := site.User(t, "hou2@example.org", "Hana Head", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"head_of_unit"}})
			ac := site.Client(t, admin.Email)
			bad := post(t, ac, site.URL+"/admin/chains/PCD", url.Values{"position-head_of_unit": {"1"},
				"escalation-head_of_unit": {strconv.FormatInt(site.drafter.ID, 10)}})
			want := "Choose someone who clears Head of unit steps, or an admin, as its escalation contact"
			if bad.status != http.StatusUnprocessableEntity || bad.text(`#escalation-head_of_unit-error`) != "Error: "+want ||
				bad.text(`[data-testid="error-summary"] a[href="#escalation-head_of_unit"]`) != want {
				t.Errorf("a drafter as contact: %d, inline %q, summary %q", bad.status, bad.text(`#escalation-head_of_unit-error`),
					bad.text(`[data-testid="error-summary"] a[href="#escalation-head_of_unit"]`))
			}
			if withContact {
				p := post(t, ac, site.URL+"/admin/chains/PCD", url.Values{"position-head_of_unit": {"1"}, "sla-head_of_unit": {"4"},
					"escalation-head_of_unit": {strconv.FormatInt(contact.ID, 10)}})
				if p.status != http.StatusSeeOther {
					t.Fatalf("POST /admin/chains/PCD = %d, want 303", p.status)
				}
				p = get(t, ac, site.URL+"/admin/chains/PCD")
				if got := p.text(`#escalation-head_of_unit option[selected]`); got != "Hana Head" {
					t.Errorf("escalation contact shown as %q, want Hana Head", got)
				}
				var changes []string
				rows, err := site.Pool.Query(context.Background(), `SELECT actor || ': ' || (detail::jsonb->>'step_kind') || ' ' ||
					(detail::jsonb->>'change') || ' ' || (detail::jsonb->>'old') || ' → ' || (detail::jsonb->>'new')
					FROM audit_log WHERE event = 'step_kind_changed' ORDER BY id`)
				if err == nil {
					changes, err = pgx.CollectRows(rows, pgx.RowTo[string])
				}
				if err != nil {
					t.Fatal(err)
				}
				wantAudit := "Ada Admin: head_of_unit service level 5 → 4 | Ada Admin: head_of_unit escalation contact the admins → Hana Head"
				if got := strings.Join(changes, " | "); got != wantAudit {
					t.Errorf("audit = %q, want %q", got, wantAudit)
				}
			}
			if tc.disabled {
				// Shown as set, it can be saved unchanged; late steps go to the admins meanwhile.
				if err := site.Store.SetUserDisabled(context.Background(), admin.Act(site.Clock.Now()), contact.ID, true); err != nil {
					t.Fatal(err)
				}
				p := get(t, ac, site.URL+"/admin/chains/PCD")
				if got := p.text(`#escalation-head_of_unit option[selected]`); !strings.HasPrefix(got, "Hana Head (can no longer be chosen") {
					t.Errorf("a disabled contact is shown as %q", got)
				}
				if p := post(t, ac, site.URL+"/admin/chains/PCD", url.Values{"position-head_of_unit": {"1"},
					"escalation-head_of_unit": {strconv.FormatInt(contact.ID, 10)}}); p.status != http.StatusSeeOther {
					t.Errorf("saving the chain with the disabled contact unchanged = %d, want 303", p.status)
				}
			}
			slug := site.awaitingDecision(t, 9503)
			london, _ := time.LoadLocation("Europe/London")
			since := time.Date(2026, 12, 1, 10, 0, 0, 0, london)
			if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET updated_at = $1 WHERE slug = $2`, since, slug); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 12, 21, 9, 0, 0, 0, london) // long overdue: escalated at once
			if n, err := site.Store.SendReminders(context.Background(), now, workday.Published()); err != nil || n != 1 {
				t.Fatalf("SendReminders = %d, %v; want 1", n, err)
			}
			count := func(user int64) int {
				var n int
				if err := site.Pool.QueryRow(context.Background(),
					`SELECT count(*) FROM notices WHERE event = 'reminder_escalated' AND user_id = $1`, user).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			wantAdmin, wantContact := 1, 0
			if withContact && !tc.disabled {
				wantAdmin, wantContact = 0, 1
			}
			if a, c := count(admin.ID), count(contact.ID); a != wantAdmin || c != wantContact {
				t.Errorf("escalations: admin %d, contact %d; want %d, %d", a, c, wantAdmin, wantContact)
			}
		})
	}
}
