package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// What a forward-plan alert is filed under in a message: one heading for them all.
const (
	PlanAlertReference = "Forward plan"
	PlanAlertTitle     = "notices of decisions to come"
)

// writePlanAlerts writes the alerts a forward-plan audit entry calls for, in its transaction:
// a notice published, changed or withdrawn, or a plan published, told to each confirmed
// forward-plan subscription. They say only what the public plan says: never the draft a
// notice is linked to.
func (s *Store) writePlanAlerts(ctx context.Context, e AuditEntry) error {
	rows, err := s.db.Query(ctx, `SELECT id, frequency FROM alert_subscriptions
WHERE kind = 'forward_plan' AND confirmed_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, err)
	}
	type sub struct {
		ID        int64  `db:"id"`
		Frequency string `db:"frequency"`
	}
	subs, err := pgx.CollectRows(rows, pgx.RowToStructByName[sub])
	if err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, err)
	}
	if len(subs) == 0 {
		return nil
	}
	detail := map[string]string{}
	if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, err)
	}
	n := alertNotice{Event: EventAlert, Reference: PlanAlertReference, Title: PlanAlertTitle}
	if e.Event == EventPlanPublished {
		at, err := time.Parse(time.RFC3339Nano, detail["published_at"])
		if err != nil {
			return fmt.Errorf("alerts of %s: %w", e.Event, err)
		}
		day := at.In(londonZone()).Format("2 January 2006")
		n.Subject = "The forward plan published on " + day
		n.Body = "The forward plan was published on " + day + " with " + plural(detail["notices"], "notice", "notices") +
			". It says what is new, changed or withdrawn since the plan before."
		n.LinkPath = "/forward-plan/published/" + detail["plan"]
	} else {
		id, err := strconv.ParseInt(detail["notice"], 10, 64)
		if err != nil {
			return fmt.Errorf("alerts of %s: notice %q: %w", e.Event, detail["notice"], err)
		}
		var matter, maker, title string
		var from time.Time
		var to *time.Time
		var key bool
		var reason *string
		err = s.db.QueryRow(ctx, `SELECT matter, maker_name, maker_title, expected_from, expected_to, key_decision, withdrawn_reason
FROM forward_plan_notices WHERE id = $1`, id).Scan(&matter, &maker, &title, &from, &to, &key, &reason)
		if err != nil {
			return fmt.Errorf("alerts of %s: %w", e.Event, mapError(err))
		}
		when := "on " + from.Format("2 January 2006")
		if to != nil && !to.Equal(from) {
			when = "between " + from.Format("2 January 2006") + " and " + to.Format("2 January 2006")
		}
		expected := " The decision is expected " + when + ", by " + maker + ", " + title + "."
		if key {
			expected += " It is a key decision."
		}
		switch e.Event {
		case EventNoticeCreated:
			n.Subject = "Forward plan: new notice, " + shorten(matter, 80)
			n.Body = "A notice was added to the forward plan: “" + matter + "”." + expected
		case EventNoticeChanged:
			n.Subject = "Forward plan: notice changed, " + shorten(matter, 80)
			n.Body = "The notice “" + matter + "” on the forward plan was changed." + expected
		case EventNoticeWithdrawn:
			n.Subject = "Forward plan: notice withdrawn, " + shorten(matter, 80)
			n.Body = "The notice “" + matter + "” was withdrawn from the forward plan: " + derefText(reason)
		}
		n.LinkPath = "/forward-plan/" + strconv.FormatInt(id, 10)
	}
	for _, a := range subs {
		n.SubscriptionID = a.ID
		if err := s.queueAlert(ctx, e.At, AlertDue(e.At, a.Frequency), n); err != nil {
			return err
		}
	}
	return nil
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func plural(count, one, many string) string {
	if count == "1" {
		return "1 " + one
	}
	return count + " " + many
}
