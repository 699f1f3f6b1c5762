package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/search"
)

// What an alert is about.
const (
	AlertSearch      = "search"       // decisions published that a search of the list finds
	AlertDecision    = "decision"     // one decision corrected, withdrawn, or its Part II released
	AlertChain       = "chain"        // any decision of a funding chain published, corrected or withdrawn
	AlertForwardPlan = "forward_plan" // each notice of the forward plan published, changed or withdrawn, and each plan published
)

// How often alerts go: each at once, or a summary a day or a week (at 08:00, London time;
// the week's on Monday).
const (
	AlertImmediate = "immediate"
	AlertDaily     = "daily"
	AlertWeekly    = "weekly"
)

// AlertConfirmPath is what a confirmation notice links to: the letter adds a one-time key,
// made as it is sent and never kept, so the path alone leads nowhere.
const AlertConfirmPath = "/alerts/confirm"

// Alert events in the outbox: the message asking to confirm a subscription, the one saying an
// address already has it, and an alert itself.
const (
	EventAlertConfirm = "alert_confirm"
	EventAlertKnown   = "alert_known"
	EventAlert        = "alert"
)

// Alert limits: how long a subscription may wait for its confirmation before it is deleted;
// how many messages asking to confirm (or saying an address already subscribed) one address
// may be sent in a day; and how long before one subscription is asked about again.
const (
	AlertConfirmWithin = 7 * 24 * time.Hour
	AlertAsksPerDay    = 3
	AlertAskAgainAfter = 10 * time.Minute
)

// EventPartTwoReleased is a decision's Part II made public: decision alerts tell of it.
const EventPartTwoReleased = "part_two_released"

// AlertRequest is what someone asks to be alerted about, as the subscribe form gives it.
type AlertRequest struct {
	Email     string
	Kind      string
	Search    string // the search's canonical query string (AlertSearch)
	Slug      string // the decision followed, or the chain's (AlertDecision, AlertChain); "" otherwise
	Frequency string
}

// Subscription is a subscription as its pages show it.
type Subscription struct {
	ID          int64      `db:"id"`
	Email       string     `db:"email"`
	Kind        string     `db:"kind"`
	Search      string     `db:"search"`
	Slug        *string    `db:"slug"`
	Reference   *string    `db:"reference"`
	Title       *string    `db:"title"`
	Frequency   string     `db:"frequency"`
	CreatedAt   time.Time  `db:"created_at"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
}

const subscriptionSQL = `SELECT a.id, a.email, a.kind, a.search, d.slug, d.reference, d.title, a.frequency, a.created_at,
	a.confirmed_at FROM alert_subscriptions a LEFT JOIN decisions d ON d.id = a.decision_id`

// RequestAlert records a request for alerts and, within the limits, queues the message that
// answers it: a link to confirm a new (or still unconfirmed) subscription, or word that the
// address already has it. It reports whether a message was queued, which the caller never
// shows: the answer to a request is the same whatever the address's subscriptions are. The
// decision followed must be one the public may read (ErrNotFound otherwise).
func (s *Store) RequestAlert(ctx context.Context, now time.Time, req AlertRequest) (bool, error) {
	queued := false
	err := s.InTx(ctx, func(tx *Store) error {
		queued = false
		var decisionID *int64
		if req.Kind == AlertDecision || req.Kind == AlertChain {
			args := Public(now).args(pgx.NamedArgs{"slug": req.Slug})
			var id int64
			if err := tx.db.QueryRow(ctx, `SELECT d.id FROM decisions d WHERE d.slug = @slug AND `+visibleD, args).Scan(&id); err != nil {
				return fmt.Errorf("alerts for %q: %w", req.Slug, mapError(err))
			}
			decisionID = &id
		}
		email := strings.TrimSpace(req.Email)
		// One address's requests one at a time, so two at once cannot both pass the limit.
		if _, err := tx.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('alert:' || lower($1), 0))`, email); err != nil {
			return fmt.Errorf("lock alerts: %w", err)
		}
		var id int64
		var confirmed bool
		var lastAsk *time.Time
		err := tx.db.QueryRow(ctx, `
SELECT a.id, a.confirmed_at IS NOT NULL,
	(SELECT max(n.created_at) FROM notices n WHERE n.subscription_id = a.id AND n.event IN ('alert_confirm', 'alert_known'))
FROM alert_subscriptions a
WHERE lower(a.email) = lower($1) AND a.kind = $2 AND a.search = $3 AND coalesce(a.decision_id, 0) = coalesce($4, 0)`,
			email, req.Kind, req.Search, decisionID).Scan(&id, &confirmed, &lastAsk)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			err = tx.db.QueryRow(ctx, `INSERT INTO alert_subscriptions (email, kind, search, decision_id, frequency, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, email, req.Kind, req.Search, decisionID, req.Frequency, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("request alerts: %w", mapError(err))
			}
		case err != nil:
			return fmt.Errorf("request alerts: %w", mapError(err))
		case !confirmed:
			// Still unconfirmed: the newest request's frequency is the one confirmed, and its 7 days start again.
			if _, err := tx.db.Exec(ctx, `UPDATE alert_subscriptions SET frequency = $2, created_at = $3 WHERE id = $1`, id, req.Frequency, now); err != nil {
				return fmt.Errorf("request alerts: %w", mapError(err))
			}
		}
		if lastAsk != nil && now.Sub(*lastAsk) < AlertAskAgainAfter {
			return nil
		}
		var asked int
		err = tx.db.QueryRow(ctx, `SELECT count(*) FROM notices n JOIN alert_subscriptions a ON a.id = n.subscription_id
WHERE lower(a.email) = lower($1) AND n.event IN ('alert_confirm', 'alert_known') AND n.created_at > $2`,
			email, now.Add(-24*time.Hour)).Scan(&asked)
		if err != nil {
			return fmt.Errorf("count alert requests: %w", err)
		}
		if asked >= AlertAsksPerDay {
			return nil
		}
		sub, err := tx.subscription(ctx, id)
		if err != nil {
			return err
		}
		n := alertNotice{SubscriptionID: id, Event: EventAlertConfirm, Subject: "Confirm your e-mail alerts",
			Body: "Someone, we hope you, asked the Decision Register to send this address e-mail alerts about " +
				sub.About() + ". Nothing is sent until you confirm. If you did not ask, ignore this message: the address is deleted in 7 days.",
			LinkPath: AlertConfirmPath}
		if confirmed {
			n.Event, n.Subject = EventAlertKnown, "You already get these alerts"
			n.Body = "Someone asked the Decision Register again to send this address e-mail alerts about " + sub.About() +
				". This address already gets them: nothing has changed. Each alert has a link to stop them."
			n.LinkPath = sub.Page()
		}
		if err := tx.queueAlert(ctx, now, now, n); err != nil {
			return err
		}
		queued = true
		return nil
	})
	return queued, err
}

// About says in words what a subscription is about.
func (a Subscription) About() string {
	switch a.Kind {
	case AlertDecision:
		return "decision " + derefText(a.Reference) + " (" + derefText(a.Title) + ")"
	case AlertChain:
		return "the funding chain of decision " + derefText(a.Reference)
	case AlertForwardPlan:
		return "the forward plan: each notice of a decision to come published, changed or withdrawn, and each plan published"
	}
	if a.Search == "" {
		return "every decision published"
	}
	return "decisions published that the search " + searchWords(a.Search) + " finds"
}

// Page is the register's page of what a subscription is about, from the site's root.
func (a Subscription) Page() string {
	if a.Kind == AlertForwardPlan {
		return "/forward-plan"
	}
	if a.Kind == AlertSearch {
		if a.Search == "" {
			return "/decisions"
		}
		return "/decisions?" + a.Search
	}
	return "/decisions/" + derefText(a.Slug)
}

// searchWords is a search's query string in words: "grant, series PCD".
func searchWords(qs string) string {
	v, err := url.ParseQuery(qs)
	if err != nil {
		return qs
	}
	var parts []string
	names := []struct{ key, name string }{{"q", ""}, {"fy", "financial year "}, {"maker", "decision maker "},
		{"funder", "funder "}, {"series", "series "}, {"min", "at least £"}, {"max", "at most £"}, {"from", "signed from "},
		{"to", "signed to "}}
	for _, n := range names {
		if s := v.Get(n.key); s != "" {
			if n.key == "q" {
				s = "“" + s + "”"
			}
			parts = append(parts, n.name+s)
		}
	}
	return strings.Join(parts, ", ")
}

func derefText(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Store) subscription(ctx context.Context, id int64) (Subscription, error) {
	rows, err := s.db.Query(ctx, subscriptionSQL+` WHERE a.id = $1`, id)
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription %d: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Subscription])
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription %d: %w", id, mapError(err))
	}
	return a, nil
}

// SubscriptionByID reads a subscription, confirmed or not: ErrNotFound once it is deleted.
func (s *Store) SubscriptionByID(ctx context.Context, id int64) (Subscription, error) {
	return s.subscription(ctx, id)
}

// alertNotice is one message to a subscription.
type alertNotice struct {
	SubscriptionID int64
	DecisionID     int64
	Event          string
	Reference      string
	Title          string
	Subject, Body  string
	LinkPath       string
}

// queueAlert writes an alert message to the outbox, due at due (a digest's when later than at).
func (s *Store) queueAlert(ctx context.Context, at, due time.Time, n alertNotice) error {
	var decisionID *int64
	if n.DecisionID != 0 {
		decisionID = &n.DecisionID
	}
	kind := NoticeInfo
	if n.Event != EventAlert {
		kind = NoticeAction
	}
	_, err := s.db.Exec(ctx, `
INSERT INTO notices (subscription_id, decision_id, event, kind, reference, title, subject, body, link_path, created_at,
	digest, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		n.SubscriptionID, decisionID, n.Event, kind, n.Reference, n.Title, n.Subject, n.Body, n.LinkPath, at, due.After(at), due)
	if err != nil {
		return fmt.Errorf("queue an alert (%s) for subscription %d: %w", n.Event, n.SubscriptionID, mapError(err))
	}
	return nil
}

// NewAlertConfirmToken makes the token of a subscription's confirmation link, as its message
// is sent, and keeps only its SHA-256: a link sent before stops working. ErrNotFound when the
// subscription is gone or already confirmed.
func (s *Store) NewAlertConfirmToken(ctx context.Context, subscriptionID int64) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token := base64.RawURLEncoding.EncodeToString(b)
	tag, err := s.db.Exec(ctx, `UPDATE alert_subscriptions SET confirm_hash = $2 WHERE id = $1 AND confirmed_at IS NULL`,
		subscriptionID, tokenHash(token))
	if err != nil {
		return "", fmt.Errorf("confirmation token: %w", mapError(err))
	}
	if tag.RowsAffected() == 0 {
		return "", fmt.Errorf("confirmation token for subscription %d: %w", subscriptionID, ErrNotFound)
	}
	return token, nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// SubscriptionToConfirm is the unconfirmed subscription a confirmation token names, while it
// may still be confirmed: ErrNotFound otherwise.
func (s *Store) SubscriptionToConfirm(ctx context.Context, now time.Time, token string) (Subscription, error) {
	rows, err := s.db.Query(ctx, subscriptionSQL+` WHERE a.confirm_hash = $1 AND a.confirmed_at IS NULL AND a.created_at > $2`,
		tokenHash(token), now.Add(-AlertConfirmWithin))
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription to confirm: %w", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Subscription])
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription to confirm: %w", mapError(err))
	}
	return a, nil
}

// ConfirmAlert confirms the subscription a confirmation token names: alerts go from now on.
// A later request's confirmation message still waiting is not sent: there is nothing left to
// confirm.
func (s *Store) ConfirmAlert(ctx context.Context, now time.Time, token string) (Subscription, error) {
	var a Subscription
	err := s.InTx(ctx, func(tx *Store) error {
		var id int64
		err := tx.db.QueryRow(ctx, `UPDATE alert_subscriptions SET confirmed_at = $3, confirm_hash = NULL
WHERE confirm_hash = $1 AND confirmed_at IS NULL AND created_at > $2 RETURNING id`,
			tokenHash(token), now.Add(-AlertConfirmWithin), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("confirm alerts: %w", mapError(err))
		}
		if _, err := tx.db.Exec(ctx, `DELETE FROM notices WHERE subscription_id = $1 AND event = 'alert_confirm'
	AND state = 'waiting' AND claim_token IS NULL`, id); err != nil {
			return fmt.Errorf("confirm alerts: %w", mapError(err))
		}
		a, err = tx.subscription(ctx, id)
		return err
	})
	return a, err
}

// DeleteSubscription deletes a subscription and its messages not yet sent: nothing of it is
// kept. Deleting one already gone is not an error (a second click on the link).
func (s *Store) DeleteSubscription(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM alert_subscriptions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("unsubscribe %d: %w", id, mapError(err))
	}
	return nil
}

// DeleteUnconfirmedAlerts deletes the subscriptions still unconfirmed AlertConfirmWithin after
// they were asked for, with their messages, and returns how many.
func (s *Store) DeleteUnconfirmedAlerts(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND created_at <= $1`,
		now.Add(-AlertConfirmWithin))
	if err != nil {
		return 0, fmt.Errorf("delete unconfirmed alerts: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// AlertDue is when an alert made at at goes, at frequency: at once, or at the next 08:00 in
// London (daily), or the next Monday's (weekly).
func AlertDue(at time.Time, frequency string) time.Time {
	if frequency == AlertImmediate {
		return at
	}
	l := at.In(londonZone())
	t := time.Date(l.Year(), l.Month(), l.Day(), 8, 0, 0, 0, londonZone())
	if t.Before(at) {
		t = time.Date(l.Year(), l.Month(), l.Day()+1, 8, 0, 0, 0, londonZone())
	}
	if frequency == AlertWeekly {
		for t.Weekday() != time.Monday {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 8, 0, 0, 0, londonZone())
		}
	}
	return t
}

// writeAlerts writes the alerts an audit entry calls for, in its transaction: a decision
// published tells the searches that find it and its chain's followers; a decision corrected,
// withdrawn or its Part II released tells its own followers and its chain's.
func (s *Store) writeAlerts(ctx context.Context, e AuditEntry) error {
	switch e.Event {
	case EventNoticeCreated, EventNoticeChanged, EventNoticeWithdrawn, EventPlanPublished:
		return s.writePlanAlerts(ctx, e)
	}
	if e.DecisionID == nil {
		return nil
	}
	var what string
	published := false
	switch e.Event {
	case EventPublished, EventReleased:
		what, published = "was published", true
	case EventCorrected:
		what = "was corrected"
	case EventWithdrawn:
		what = "was withdrawn"
	case EventPartTwoReleased:
		what = "had its confidential Part II released"
	default:
		return nil
	}
	var d noticeDecision
	err := s.db.QueryRow(ctx, `SELECT id, slug, reference, title, series, status FROM decisions WHERE id = $1`, *e.DecisionID).
		Scan(&d.ID, &d.Slug, &d.Reference, &d.Title, &d.Series, &d.Status)
	if err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, mapError(err))
	}
	acc := Public(e.At)
	var subs []int64
	if published {
		ids, err := s.searchSubscribers(ctx, acc, d.ID)
		if err != nil {
			return err
		}
		subs = append(subs, ids...)
	} else {
		rows, err := s.db.Query(ctx, `SELECT id FROM alert_subscriptions WHERE kind = 'decision' AND decision_id = $1
	AND confirmed_at IS NOT NULL ORDER BY id`, d.ID)
		ids, err := collectIDs(rows, err)
		if err != nil {
			return err
		}
		subs = append(subs, ids...)
	}
	// The chain is walked from the decision, through what the public may read.
	rows, err := s.db.Query(ctx, chainCTE+`
SELECT a.id FROM alert_subscriptions a WHERE a.kind = 'chain' AND a.confirmed_at IS NOT NULL
	AND a.decision_id IN (SELECT id FROM chain) ORDER BY a.id`, acc.args(pgx.NamedArgs{"slug": d.Slug}))
	ids, err := collectIDs(rows, err)
	if err != nil {
		return err
	}
	subs = append(subs, ids...)
	if len(subs) == 0 {
		return nil
	}
	rows, err = s.db.Query(ctx, `SELECT id, frequency FROM alert_subscriptions WHERE id = ANY($1) ORDER BY id`, subs)
	if err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, err)
	}
	type sub struct {
		ID        int64  `db:"id"`
		Frequency string `db:"frequency"`
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByName[sub])
	if err != nil {
		return fmt.Errorf("alerts of %s: %w", e.Event, err)
	}
	for _, a := range all {
		err := s.queueAlert(ctx, e.At, AlertDue(e.At, a.Frequency), alertNotice{SubscriptionID: a.ID, DecisionID: d.ID,
			Event: EventAlert, Reference: d.Reference, Title: d.Title, Subject: d.Reference + " " + what,
			Body: d.Reference + " " + what + ".", LinkPath: "/decisions/" + d.Slug})
		if err != nil {
			return err
		}
	}
	return nil
}

// searchSubscribers are the confirmed search subscriptions whose search finds decision id, as
// the public reads the register at acc's time: each distinct search runs once, on that one
// decision, through the list's own conditions.
func (s *Store) searchSubscribers(ctx context.Context, acc Access, id int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT search FROM alert_subscriptions WHERE kind = 'search' AND confirmed_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("alert searches: %w", err)
	}
	searches, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("alert searches: %w", err)
	}
	var found []string
	for _, qs := range searches {
		q, err := ParseAlertSearch(qs)
		if err != nil {
			continue // kept only after parsing; a search the parser later refuses finds nothing
		}
		funders, err := s.funderIDs(ctx, q.Funder)
		if err != nil {
			return nil, err
		}
		q.KeepWithdrawn = true
		w, args := searchConds(acc, q, funders)
		args["id"] = id
		var ok bool
		if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM decisions d WHERE d.id = @id AND `+w.all()+`)`, args).Scan(&ok); err != nil {
			return nil, fmt.Errorf("alert search %q: %w", qs, err)
		}
		if ok {
			found = append(found, qs)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	rows, err = s.db.Query(ctx, `SELECT id FROM alert_subscriptions WHERE kind = 'search' AND confirmed_at IS NOT NULL
	AND search = ANY($1) ORDER BY id`, found)
	return collectIDs(rows, err)
}

// ParseAlertSearch reads a search kept for alerts, as the public's list would: words and
// filters only (no order, no page).
func ParseAlertSearch(qs string) (search.Query, error) {
	v, err := url.ParseQuery(qs)
	if err != nil {
		return search.Query{}, err
	}
	p := search.ParamsOf(v)
	p.Sort, p.Cursor, p.Status = "", "", ""
	return search.Parse(p, false)
}

// CanonicalAlertSearch is the form a search is kept in for alerts: its words and filters as
// the list's URL writes them, without order or page, so one search typed two ways is one.
func CanonicalAlertSearch(q search.Query) string {
	q.Cursor, q.Status = nil, ""
	v := q.Values()
	v.Del("sort")
	v.Del("cursor")
	return v.Encode()
}
