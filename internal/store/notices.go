package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // notices give London's dates, whatever the host's zone files

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Notice kinds: one that asks its reader to act always goes at once; one that only tells them
// what happened follows their preferences (at once, in a daily digest, or not at all).
const (
	NoticeAction = "action"
	NoticeInfo   = "info"
)

// Notice states, as the admins' Notices page shows them. A notice whose last try failed for a
// passing reason is still waiting, with that reason, until it goes or is given up.
const (
	NoticeWaiting = "waiting"
	NoticeSent    = "sent"
	NoticeFailed  = "failed"   // the mail server refused it for good (a 5xx): not tried again
	NoticeGivenUp = "given_up" // every try failed for a passing reason
)

// Notice is one message for one person, written in the transaction of the event it tells of.
type Notice struct {
	UserID     int64
	DecisionID int64 // 0 for none
	Event      string
	Kind       string // NoticeAction or NoticeInfo
	Reference  string
	Title      string
	Subject    string
	Body       string     // what happened and what is asked, in sentences
	Comment    string     // words quoted from someone (a return's comment), or ""
	LinkPath   string     // the page where it is done or seen, from the site's root
	DueAt      *time.Time // by when, when the step has a due date
}

// QueueNotice writes n in the transaction s is in, after the person's preferences: an
// information notice waits for their digest's time, or is not written once they have
// unsubscribed. It is how every notice is written, by the events here (noticesFor) and by
// reminders, so a notice is never lost when its event commits and never sent when it rolls
// back. It returns whether a notice was written.
func (s *Store) QueueNotice(ctx context.Context, at time.Time, n Notice) (bool, error) {
	if s.tx == nil {
		return false, errors.New("queue a notice: not in a transaction")
	}
	var decisionID *int64
	if n.DecisionID != 0 {
		decisionID = &n.DecisionID
	}
	var comment *string
	if c := strings.TrimSpace(n.Comment); c != "" {
		comment = &c
	}
	tag, err := s.db.Exec(ctx, `
INSERT INTO notices (user_id, decision_id, event, kind, reference, title, subject, body, comment, link_path, due_at,
	created_at, digest, next_attempt_at)
SELECT u.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
	$4 = 'info' AND coalesce(p.digest, false),
	CASE WHEN $4 = 'info' AND coalesce(p.digest, false) THEN `+nextDigestSQL+` ELSE $12 END
FROM users u LEFT JOIN notice_preferences p ON p.user_id = u.id
WHERE u.id = $1 AND u.disabled_at IS NULL AND NOT ($4 = 'info' AND coalesce(p.unsubscribed, false))`,
		n.UserID, decisionID, n.Event, n.Kind, n.Reference, n.Title, n.Subject, n.Body, comment, n.LinkPath, n.DueAt, at)
	if err != nil {
		return false, fmt.Errorf("queue a notice (%s) for user %d: %w", n.Event, n.UserID, mapError(err))
	}
	return tag.RowsAffected() == 1, nil
}

// nextDigestSQL is the first time at or after $12 that is the person's digest time in London.
const nextDigestSQL = `(SELECT CASE WHEN t >= $12 THEN t ELSE ((d + 1) + p.digest_time) AT TIME ZONE 'Europe/London' END
	FROM (SELECT ($12::timestamptz AT TIME ZONE 'Europe/London')::date AS d) day,
	LATERAL (SELECT (day.d + p.digest_time) AT TIME ZONE 'Europe/London' AS t) first)`

// Audiences a notice goes to, resolved to people by recipients.
type audience int

const (
	audienceDrafters       audience = iota // who wrote the decision
	audienceNextStep                       // who may clear the step now waiting, or sign when none is
	audienceChain                          // who approved its steps, and who signed it
	audienceDecisionMakers                 // the decision makers of its series
)

// noticeDecision is what a notice says of the decision it is about.
type noticeDecision struct {
	ID        int64
	Slug      string
	Reference string
	Title     string
	Series    string
	Status    string
}

// writeNotices writes the notices the transaction's audit entries call for, just before the
// entries themselves are appended: in the event's own transaction, from the one map of events
// to notices (noticesFor).
func (s *Store) writeNotices(ctx context.Context) error {
	for _, e := range s.tx.audit {
		ns, err := s.noticesFor(ctx, e)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if _, err := s.QueueNotice(ctx, e.At, n); err != nil {
				return err
			}
		}
		if err := s.writeAlerts(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// noticesFor maps an audit entry to the notices it calls for: who hears of it and what each is
// told. It is the one place that says which events are told to whom.
func (s *Store) noticesFor(ctx context.Context, e AuditEntry) ([]Notice, error) {
	type send struct {
		to      audience
		kind    string
		subject string
		body    string
		link    string // after /decisions/{slug}
		comment string
	}
	var sends []send
	detail := map[string]string{}
	_ = json.Unmarshal([]byte(e.Detail), &detail)
	by := e.Actor
	switch e.Event {
	case EventSubmitted:
		sends = []send{
			{audienceDrafters, NoticeInfo, "submitted for sign-off", by + " submitted it for sign-off.", "/signoff", ""},
			{audienceNextStep, NoticeAction, "waiting for you", "", "/signoff", ""},
		}
	case EventApproved:
		sends = []send{
			{audienceDrafters, NoticeInfo, detail["step_name"] + " approved", by + " approved the " + detail["step_name"] + " step.", "/signoff", ""},
			{audienceNextStep, NoticeAction, "waiting for you", "", "/signoff", ""},
		}
	case EventReturned:
		sends = []send{{audienceDrafters, NoticeAction, "returned to draft", by + " returned it to draft at the " +
			detail["step_name"] + " step. Change it and submit it again.", "/edit", detail["comment"]}}
	case EventRejected:
		sends = []send{{audienceDrafters, NoticeInfo, "rejected", by + " rejected it.", "", detail["reason"]}}
	case EventPublished:
		sends = []send{{audienceChain, NoticeInfo, "signed and published", by + " signed it, and it is published.", "", ""}}
	case EventDeferred:
		until, _ := time.Parse(time.RFC3339, detail["until"])
		sends = []send{{audienceChain, NoticeInfo, "signed, published later", by + " signed it. It will be published on " +
			until.In(londonZone()).Format("Monday 2 January 2006 at 15:04") + ".", "", detail["reason"]}}
	case EventReleased:
		sends = []send{{audienceChain, NoticeInfo, "published", "Its publication was deferred until now, and it is published.", "", ""}}
	case EventCorrectionStarted:
		sends = []send{{audienceDecisionMakers, NoticeAction, "correction waiting for your approval", by +
			" started a correction of it. Check the correction, then approve it or ask for changes.", "/correction", detail["reason"]}}
	case EventWithdrawn:
		sends = []send{{audienceChain, NoticeInfo, "withdrawn", by + " withdrew it.", "", detail["reason"]}}
	default:
		return nil, nil
	}
	if e.DecisionID == nil {
		return nil, nil
	}
	var d noticeDecision
	err := s.db.QueryRow(ctx, `SELECT id, slug, reference, title, series, status FROM decisions WHERE id = $1`, *e.DecisionID).
		Scan(&d.ID, &d.Slug, &d.Reference, &d.Title, &d.Series, &d.Status)
	if err != nil {
		return nil, fmt.Errorf("notices of %s: %w", e.Event, mapError(err))
	}
	var out []Notice
	for _, sd := range sends {
		to, step, err := s.recipients(ctx, d, sd.to)
		if err != nil {
			return nil, err
		}
		if to, err = s.coveredRecipients(ctx, to, e.At); err != nil {
			return nil, err
		}
		body := sd.body
		if sd.to == audienceNextStep {
			if step == "" {
				body = "Every step of its sign-off is cleared. Read it, declare your interests, and sign or reject it."
			} else {
				body = "It is waiting for the " + step + " step. Read it, then approve it or return it with a comment."
			}
		}
		for _, u := range to {
			if u == derefID(e.ActorID) {
				continue // nobody is told of what they did themselves
			}
			out = append(out, Notice{UserID: u, DecisionID: d.ID, Event: e.Event, Kind: sd.kind, Reference: d.Reference,
				Title: d.Title, Subject: d.Reference + " " + sd.subject, Body: body, Comment: sd.comment,
				LinkPath: "/decisions/" + d.Slug + sd.link})
		}
	}
	return out, nil
}

// londonZone is the zone the register's dates are in.
func londonZone() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// recipients resolves an audience of decision d to the people in it, by their roles and the
// step the decision waits on, as they stand in this transaction: active accounts only, in id
// order. For audienceNextStep it also names the step waiting ("" when the decision maker's
// signature is). This is the one place that turns roles and steps into people (cover, when
// someone acts for another, belongs here).
func (s *Store) recipients(ctx context.Context, d noticeDecision, a audience) ([]int64, string, error) {
	var sql, step string
	switch a {
	case audienceDrafters:
		sql = `SELECT u.id FROM decision_drafters dd JOIN users u ON u.id = dd.user_id
WHERE dd.decision_id = $1 AND u.disabled_at IS NULL ORDER BY u.id`
	case audienceChain:
		sql = `SELECT u.id FROM users u WHERE u.disabled_at IS NULL AND (
	u.id IN (SELECT user_id FROM decision_drafters WHERE decision_id = $1)
	OR u.id IN (SELECT user_id FROM signoff_actions WHERE decision_id = $1 AND action = 'approved' AND cleared_at IS NULL)
	OR u.id IN (SELECT user_id FROM signatures WHERE decision_id = $1)) ORDER BY u.id`
	case audienceDecisionMakers:
		sql = `SELECT u.id FROM users u JOIN user_series us ON us.user_id = u.id AND us.series = $1
JOIN user_roles r ON r.user_id = u.id AND r.role = 'decision_maker'
WHERE u.disabled_at IS NULL ORDER BY u.id`
		rows, err := s.db.Query(ctx, sql, d.Series)
		ids, err := collectIDs(rows, err)
		return ids, "", err
	case audienceNextStep:
		if d.Status != "awaiting_signoff" {
			return nil, "", nil
		}
		var kind *string
		err := s.db.QueryRow(ctx, `
SELECT c.step_kind, k.name FROM decision_chains c JOIN step_kinds k ON k.code = c.step_kind
WHERE c.decision_id = $1 AND NOT EXISTS (SELECT 1 FROM signoff_actions a WHERE a.decision_id = $1
	AND a.step_kind = c.step_kind AND a.action = 'approved' AND a.cleared_at IS NULL)
ORDER BY c.position LIMIT 1`, d.ID).Scan(&kind, &step)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, "", fmt.Errorf("the step %s waits on: %w", d.Reference, err)
		}
		// Whoever may act: not its drafters, and nobody who cleared another of its steps.
		const others = ` AND u.disabled_at IS NULL
	AND u.id NOT IN (SELECT user_id FROM decision_drafters WHERE decision_id = $1)
	AND u.id NOT IN (SELECT user_id FROM signoff_actions WHERE decision_id = $1 AND action = 'approved' AND cleared_at IS NULL)
ORDER BY u.id`
		if kind != nil {
			rows, err := s.db.Query(ctx, `SELECT u.id FROM users u JOIN user_step_kinds k ON k.user_id = u.id AND k.step_kind = $2
JOIN user_roles r ON r.user_id = u.id AND r.role = 'adviser' WHERE true`+others, d.ID, *kind)
			ids, err := collectIDs(rows, err)
			return ids, step, err
		}
		rows, err := s.db.Query(ctx, `SELECT u.id FROM users u JOIN user_series us ON us.user_id = u.id AND us.series = $2
JOIN user_roles r ON r.user_id = u.id AND r.role = 'decision_maker' WHERE true`+others, d.ID, d.Series)
		ids, err := collectIDs(rows, err)
		return ids, "", err
	}
	rows, err := s.db.Query(ctx, sql, d.ID)
	ids, err := collectIDs(rows, err)
	return ids, step, err
}

// coveredRecipients sends the notices of anyone under cover to whoever covers them while it
// runs (one hop: cover does not cascade), each person once, in id order.
func (s *Store) coveredRecipients(ctx context.Context, ids []int64, at time.Time) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		by, err := s.CoveredBy(ctx, id, at)
		if err != nil {
			return nil, err
		}
		if by != 0 {
			id = by
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func collectIDs(rows pgx.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	return ids, nil
}

// OutNotice is a notice as its delivery reads it.
type OutNotice struct {
	ID        int64      `db:"id"`
	Event     string     `db:"event"`
	Kind      string     `db:"kind"`
	Reference string     `db:"reference"`
	Title     string     `db:"title"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body"`
	Comment   *string    `db:"comment"`
	LinkPath  string     `db:"link_path"`
	DueAt     *time.Time `db:"due_at"`
	CreatedAt time.Time  `db:"created_at"`
	Attempts  int        `db:"attempts"` // this one included
}

// Delivery is one claim on sending a message: one notice, or the notices of one person's
// digest, newest first.
type Delivery struct {
	Token  string
	UserID int64 // 0 for a subscription's
	// SubscriptionID is the alert subscription the message is for, or 0 for a person's.
	SubscriptionID int64
	Email          string
	Name           string
	Digest         bool
	Notices        []OutNotice
}

// ErrNoticeClaimLost means another worker took the delivery over (this claim's lease ran out).
var ErrNoticeClaimLost = fmt.Errorf("%w: the notice was claimed by another worker", ErrConflict)

const outNoticeColumns = `n.id, n.event, n.kind, n.reference, n.title, n.subject, n.body, n.comment, n.link_path, n.due_at,
	n.created_at, n.attempts`

// ClaimNotices claims the next notice due at now, for lease, and with a digest notice every
// other digest notice of the same person that is due: ErrNotFound when none is. However many
// workers ask at once, each notice goes to one (SKIP LOCKED passes over rows another is
// claiming; the lease keeps them theirs after). A claim whose lease ran out, its worker gone,
// is due again: the message may then go twice, with the same Message-ID.
func (s *Store) ClaimNotices(ctx context.Context, now time.Time, lease time.Duration) (Delivery, error) {
	var d Delivery
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		d = Delivery{}
		err := tx.db.QueryRow(ctx, `
WITH next AS (
	SELECT id FROM notices
	WHERE state = 'waiting' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
	ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE notices n SET claim_token = gen_random_uuid(), claimed_until = $2, attempts = n.attempts + 1
FROM next LEFT JOIN notices o ON o.id = next.id
	LEFT JOIN users u ON u.id = o.user_id LEFT JOIN alert_subscriptions a ON a.id = o.subscription_id
WHERE n.id = next.id
RETURNING n.claim_token::text, coalesce(n.user_id, 0), coalesce(n.subscription_id, 0), coalesce(u.email, a.email),
	coalesce(u.name, ''), n.digest`, now, now.Add(lease)).
			Scan(&d.Token, &d.UserID, &d.SubscriptionID, &d.Email, &d.Name, &d.Digest)
		if err != nil {
			return fmt.Errorf("claim a notice: %w", mapError(err))
		}
		if d.Digest {
			// A person's digest gathers their notices; a subscription's, its alerts.
			_, err := tx.db.Exec(ctx, `
UPDATE notices n SET claim_token = $1::uuid, claimed_until = $4, attempts = n.attempts + 1
FROM (SELECT id FROM notices WHERE (user_id = $2 OR subscription_id = $5) AND digest AND state = 'waiting'
	AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3) FOR UPDATE SKIP LOCKED) more
WHERE n.id = more.id`, d.Token, d.UserID, now, now.Add(lease), d.SubscriptionID)
			if err != nil {
				return fmt.Errorf("claim a digest: %w", mapError(err))
			}
		}
		rows, err := tx.db.Query(ctx, `SELECT `+outNoticeColumns+` FROM notices n WHERE n.claim_token = $1::uuid
ORDER BY n.created_at DESC, n.id DESC`, d.Token)
		if err != nil {
			return fmt.Errorf("read a claimed notice: %w", err)
		}
		d.Notices, err = pgx.CollectRows(rows, pgx.RowToStructByName[OutNotice])
		if err != nil {
			return fmt.Errorf("read a claimed notice: %w", err)
		}
		return nil
	})
	return d, err
}

// RecordSent records that the claim's message was accepted by the mail server, as messageID.
// ErrNoticeClaimLost, recording nothing, when the claim is no longer the worker's.
func (s *Store) RecordSent(ctx context.Context, d Delivery, messageID string, now time.Time) error {
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		tag, err := tx.db.Exec(ctx, `UPDATE notices SET state = 'sent', sent_at = $2, message_id = $3, claim_token = NULL,
	claimed_until = NULL, last_error = NULL WHERE claim_token = $1::uuid AND state = 'waiting'`, d.Token, now, messageID)
		if err != nil {
			return fmt.Errorf("record a notice sent: %w", mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return ErrNoticeClaimLost
		}
		_, err = tx.db.Exec(ctx, `UPDATE users SET email_bounced_at = NULL, email_bounce = NULL
WHERE id = $1 AND email_bounced_at IS NOT NULL`, d.UserID)
		if err != nil {
			return fmt.Errorf("record a notice sent: %w", mapError(err))
		}
		return nil
	})
}

// RecordFailure records why the claim's message was not sent. A permanent refusal (the mail
// server's 5xx) fails its notices for good and marks the address as bouncing; otherwise they
// are tried again at retryAt, or given up once they have been tried maxAttempts times.
func (s *Store) RecordFailure(ctx context.Context, d Delivery, why string, permanent bool, retryAt time.Time, maxAttempts int) error {
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		tag, err := tx.db.Exec(ctx, `UPDATE notices SET last_error = $2, claim_token = NULL, claimed_until = NULL,
	state = CASE WHEN $3 THEN 'failed' WHEN attempts >= $5 THEN 'given_up' ELSE 'waiting' END,
	next_attempt_at = $4
WHERE claim_token = $1::uuid AND state = 'waiting'`, d.Token, why, permanent, retryAt, maxAttempts)
		if err != nil {
			return fmt.Errorf("record a notice's failure: %w", mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return ErrNoticeClaimLost
		}
		if permanent {
			_, err = tx.db.Exec(ctx, `UPDATE users SET email_bounced_at = $2, email_bounce = $3 WHERE id = $1`, d.UserID, retryAt, why)
			if err != nil {
				return fmt.Errorf("mark an address bouncing: %w", mapError(err))
			}
		}
		return nil
	})
}

// NoticeRow is a notice as the admins' Notices page and "Your work" list it.
type NoticeRow struct {
	ID            int64      `db:"id"`
	UserName      string     `db:"user_name"`
	Email         string     `db:"email"`
	Bounced       *string    `db:"email_bounce"`
	Reference     string     `db:"reference"`
	Subject       string     `db:"subject"`
	Body          string     `db:"body"`
	Kind          string     `db:"kind"`
	LinkPath      string     `db:"link_path"`
	Digest        bool       `db:"digest"`
	State         string     `db:"state"`
	Attempts      int        `db:"attempts"`
	LastError     *string    `db:"last_error"`
	CreatedAt     time.Time  `db:"created_at"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	SentAt        *time.Time `db:"sent_at"`
	MessageID     *string    `db:"message_id"`
}

const noticeRowSQL = `SELECT n.id, coalesce(u.name, 'Alert subscriber') AS user_name, coalesce(u.email, a.email) AS email,
	u.email_bounce, n.reference, n.subject, n.body, n.kind,
	n.link_path, n.digest, n.state, n.attempts, n.last_error, n.created_at, n.next_attempt_at, n.sent_at, n.message_id
FROM notices n LEFT JOIN users u ON u.id = n.user_id LEFT JOIN alert_subscriptions a ON a.id = n.subscription_id`

// Notices lists the newest notices in state (every state for ""), at most limit, for admins.
func (s *Store) Notices(ctx context.Context, state string, limit int) ([]NoticeRow, error) {
	rows, err := s.db.Query(ctx, noticeRowSQL+` WHERE $1 = '' OR n.state = $1 ORDER BY n.id DESC LIMIT $2`, state, limit)
	return collectNotices(rows, err)
}

// UserNotices lists the newest notices for one person, at most limit, for "Your work".
func (s *Store) UserNotices(ctx context.Context, userID int64, limit int) ([]NoticeRow, error) {
	rows, err := s.db.Query(ctx, noticeRowSQL+` WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2`, userID, limit)
	return collectNotices(rows, err)
}

func collectNotices(rows pgx.Rows, err error) ([]NoticeRow, error) {
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowToStructByName[NoticeRow])
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	return ns, nil
}

// NoticeCounts counts notices by state.
func (s *Store) NoticeCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT state, count(*) FROM notices GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count notices: %w", err)
	}
	counts := map[string]int{}
	var state string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error { counts[state] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("count notices: %w", err)
	}
	return counts, nil
}

// NoticePreferences is how the notices that only tell someone something reach them.
type NoticePreferences struct {
	Digest       bool   `db:"digest"`
	DigestTime   string `db:"digest_time"` // "08:00", London time
	Unsubscribed bool   `db:"unsubscribed"`
}

// NoticePreferencesOf reads a person's preferences: at once, by default.
func (s *Store) NoticePreferencesOf(ctx context.Context, userID int64) (NoticePreferences, error) {
	p := NoticePreferences{DigestTime: "08:00"}
	err := s.db.QueryRow(ctx, `SELECT digest, to_char(digest_time, 'HH24:MI'), unsubscribed FROM notice_preferences
WHERE user_id = $1`, userID).Scan(&p.Digest, &p.DigestTime, &p.Unsubscribed)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("notice preferences of user %d: %w", userID, err)
	}
	return p, nil
}

// SetNoticePreferences keeps a person's preferences, and moves their information notices
// still waiting into or out of their digest, to its new time.
func (s *Store) SetNoticePreferences(ctx context.Context, userID int64, p NoticePreferences, at time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		_, err := tx.db.Exec(ctx, `
INSERT INTO notice_preferences (user_id, digest, digest_time, unsubscribed, updated_at) VALUES ($1, $2, $3::time, $4, $5)
ON CONFLICT (user_id) DO UPDATE SET digest = $2, digest_time = $3::time, unsubscribed = $4, updated_at = $5`,
			userID, p.Digest, p.DigestTime, p.Unsubscribed, at)
		if err != nil {
			return fmt.Errorf("notice preferences of user %d: %w", userID, mapError(err))
		}
		_, err = tx.db.Exec(ctx, strings.ReplaceAll(`
UPDATE notices n SET digest = p.digest,
	next_attempt_at = CASE WHEN p.digest THEN `+nextDigestSQL+` ELSE $12 END
FROM notice_preferences p
WHERE p.user_id = $1 AND n.user_id = $1 AND n.kind = 'info' AND n.state = 'waiting' AND n.claim_token IS NULL`, "$12", "$2"), userID, at)
		if err != nil {
			return fmt.Errorf("reschedule the notices of user %d: %w", userID, mapError(err))
		}
		return nil
	})
}

// Unsubscribe stops every information notice to a person from now on: those that ask them to
// act still go.
func (s *Store) Unsubscribe(ctx context.Context, userID int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `
INSERT INTO notice_preferences (user_id, unsubscribed, updated_at) VALUES ($1, true, $2)
ON CONFLICT (user_id) DO UPDATE SET unsubscribed = true, updated_at = $2`, userID, at)
	if err != nil {
		return fmt.Errorf("unsubscribe user %d: %w", userID, mapError(err))
	}
	return nil
}

// NoticeKey is the key that signs unsubscribe links.
func (s *Store) NoticeKey(ctx context.Context) ([]byte, error) {
	var key []byte
	if err := s.db.QueryRow(ctx, `SELECT key FROM notice_keys`).Scan(&key); err != nil {
		return nil, fmt.Errorf("notice key: %w", mapError(err))
	}
	return key, nil
}

// ListenNotices calls wake whenever a notice is written (LISTEN notices), until ctx ends,
// reconnecting after a lost connection. It needs a Store over a pool.
func (s *Store) ListenNotices(ctx context.Context, wake func()) error {
	p, ok := s.db.(interface {
		Acquire(ctx context.Context) (*pgxpool.Conn, error)
	})
	if !ok {
		return errors.New("listen for notices: not a pool")
	}
	for ctx.Err() == nil {
		err := func() error {
			c, err := p.Acquire(ctx)
			if err != nil {
				return err
			}
			// The connection LISTENs: it is taken from the pool and closed, never returned.
			conn := c.Hijack()
			defer conn.Close(context.WithoutCancel(ctx))
			if _, err := conn.Exec(ctx, `LISTEN notices`); err != nil {
				return err
			}
			wake() // anything written while nobody listened
			for {
				if _, err := conn.WaitForNotification(ctx); err != nil {
					return err
				}
				wake()
			}
		}()
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		_ = err
	}
	return nil
}
