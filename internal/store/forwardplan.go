package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/workday"
)

// Audit events of the forward plan.
const (
	EventNoticeCreated    = "plan_notice_created"
	EventNoticeChanged    = "plan_notice_changed"
	EventNoticeWithdrawn  = "plan_notice_withdrawn"
	EventNoticeUnlinked   = "plan_notice_unlinked"
	EventPlanPublished    = "plan_published"
	EventPlanException    = "plan_exception_made"
	EventKeyDecisionRule  = "key_decision_rule_changed"
	EventAffectsAreasFlag = "affects_areas_changed"
)

// PlanNoticeRow is a notice of a forthcoming decision.
type PlanNoticeRow struct {
	ID              int64      `db:"id"`
	Series          string     `db:"series"`
	DecisionID      *int64     `db:"decision_id"`
	Matter          string     `db:"matter"`
	MakerName       string     `db:"maker_name"`
	MakerTitle      string     `db:"maker_title"`
	ExpectedFrom    time.Time  `db:"expected_from"`
	ExpectedTo      *time.Time `db:"expected_to"`
	Documents       string     `db:"documents"`
	Copies          string     `db:"copies"`
	WithheldGround  *string    `db:"withheld_ground"`
	KeyDecision     bool       `db:"key_decision"`
	NoticedAt       time.Time  `db:"noticed_at"`
	Version         int        `db:"version"`
	UpdatedAt       time.Time  `db:"updated_at"`
	WithdrawnAt     *time.Time `db:"withdrawn_at"`
	WithdrawnReason *string    `db:"withdrawn_reason"`
	// The linked decision, when the reader may see it.
	DecisionReference *string    `db:"decision_reference"`
	DecisionSlug      *string    `db:"decision_slug"`
	DecisionSigned    *time.Time `db:"decision_signed"`
}

// Plan is n as a published plan holds it.
func (n PlanNoticeRow) Plan() forwardplan.Notice {
	p := forwardplan.Notice{ID: n.ID, Version: n.Version, Series: n.Series, Matter: n.Matter, MakerName: n.MakerName,
		MakerTitle: n.MakerTitle, ExpectedFrom: n.ExpectedFrom.Format(time.DateOnly), Documents: n.Documents, Copies: n.Copies,
		KeyDecision: n.KeyDecision, NoticedAt: n.NoticedAt.UTC().Format(time.RFC3339)}
	if n.ExpectedTo != nil {
		p.ExpectedTo = n.ExpectedTo.Format(time.DateOnly)
	}
	if n.WithheldGround != nil {
		p.WithheldGround = *n.WithheldGround
	}
	if n.DecisionReference != nil {
		p.Decision = *n.DecisionReference
	}
	return p
}

// PlanNoticeInput is what staff write in a notice. DecisionRef names the decision (a draft) it is
// about, by reference, or is "".
type PlanNoticeInput struct {
	Series         string
	DecisionID     *int64
	Matter         string
	MakerName      string
	MakerTitle     string
	ExpectedFrom   time.Time
	ExpectedTo     *time.Time
	Documents      string
	Copies         string
	WithheldGround *string
	KeyDecision    bool
}

const noticeColumns = `n.id, n.series, n.decision_id, n.matter, n.maker_name, n.maker_title, n.expected_from, n.expected_to,
	n.documents, n.copies, n.withheld_ground, n.key_decision, n.noticed_at, n.version, n.updated_at, n.withdrawn_at, n.withdrawn_reason`

// noticeSQL reads notices with their decision as the reader may see it (visibleD).
const noticeSQL = `SELECT ` + noticeColumns + `, d.reference AS decision_reference, d.slug AS decision_slug,
	CASE WHEN d.status IN ('published', 'approved', 'withdrawn') THEN d.date_signed::timestamptz END AS decision_signed
FROM forward_plan_notices n
LEFT JOIN LATERAL (SELECT d.reference, d.slug, d.status, d.date_signed FROM decisions d WHERE d.id = n.decision_id AND ` + visibleD + `) d ON true`

func noticeDetail(n PlanNoticeInput, id int64) map[string]string {
	d := map[string]string{"notice": strconv.FormatInt(id, 10), "matter": n.Matter,
		"decision_maker": n.MakerName + ", " + n.MakerTitle, "expected_from": n.ExpectedFrom.Format(time.DateOnly)}
	if n.Series != "" {
		d["series"] = n.Series
	}
	if n.ExpectedTo != nil {
		d["expected_to"] = n.ExpectedTo.Format(time.DateOnly)
	}
	if n.WithheldGround != nil {
		d["withheld_ground"] = *n.WithheldGround
	}
	return d
}

func decisionOf(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// CreatePlanNotice puts a notice on the live plan at act.At, its first version kept, audited.
func (s *Store) CreatePlanNotice(ctx context.Context, act Act, in PlanNoticeInput) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Store) error {
		err := tx.db.QueryRow(ctx, `
INSERT INTO forward_plan_notices (series, decision_id, matter, maker_name, maker_title, expected_from, expected_to,
	documents, copies, withheld, withheld_ground, key_decision, noticed_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text IS NOT NULL, $10, $11, $12, $12)
RETURNING id`, in.Series, in.DecisionID, in.Matter, in.MakerName, in.MakerTitle, in.ExpectedFrom, in.ExpectedTo,
			in.Documents, in.Copies, in.WithheldGround, in.KeyDecision, act.At).Scan(&id)
		if err != nil {
			return fmt.Errorf("create notice: %w", mapError(err))
		}
		if err := tx.keepNoticeVersion(ctx, act, id); err != nil {
			return err
		}
		return tx.Audit(ctx, act, decisionOf(in.DecisionID), EventNoticeCreated, noticeDetail(in, id))
	})
	return id, err
}

// keepNoticeVersion copies the notice as it now is into its history.
func (s *Store) keepNoticeVersion(ctx context.Context, act Act, id int64) error {
	return s.keepNoticeVersionWhy(ctx, act, id, nil)
}

// keepNoticeVersionWhy keeps the notice's version, saying why it was unlinked from its
// decision when that is the change.
func (s *Store) keepNoticeVersionWhy(ctx context.Context, act Act, id int64, unlinked *string) error {
	var by *int64
	if act.UserID != 0 {
		by = &act.UserID
	}
	_, err := s.db.Exec(ctx, `
INSERT INTO forward_plan_notice_versions (notice_id, version, matter, maker_name, maker_title, expected_from, expected_to,
	documents, copies, withheld_ground, key_decision, decision_id, withdrawn_reason, changed_by, changed_by_name, changed_at,
	unlinked_reason)
SELECT id, version, matter, maker_name, maker_title, expected_from, expected_to, documents, copies, withheld_ground,
	key_decision, decision_id, withdrawn_reason, $2, $3, $4, $5
FROM forward_plan_notices WHERE id = $1`, id, by, act.Name, act.At, unlinked)
	if err != nil {
		return fmt.Errorf("keep notice version: %w", mapError(err))
	}
	return nil
}

// UpdatePlanNotice changes a notice read at version base: ErrConflict when it changed since, and
// refused once withdrawn. Its clock (noticed_at) is not reset.
func (s *Store) UpdatePlanNotice(ctx context.Context, act Act, id int64, base int, in PlanNoticeInput) error {
	return s.InTx(ctx, func(tx *Store) error {
		tag, err := tx.db.Exec(ctx, `
UPDATE forward_plan_notices SET decision_id = $3, matter = $4, maker_name = $5, maker_title = $6, expected_from = $7,
	expected_to = $8, documents = $9, copies = $10, withheld = $11::text IS NOT NULL, withheld_ground = $11, key_decision = $12,
	version = version + 1, updated_at = $13
WHERE id = $1 AND version = $2 AND withdrawn_at IS NULL`, id, base, in.DecisionID, in.Matter, in.MakerName, in.MakerTitle,
			in.ExpectedFrom, in.ExpectedTo, in.Documents, in.Copies, in.WithheldGround, in.KeyDecision, act.At)
		if err != nil {
			return fmt.Errorf("update notice: %w", mapError(err))
		}
		if tag.RowsAffected() == 0 {
			if _, err := tx.PlanNotice(ctx, Public(act.At), id); err != nil {
				return err
			}
			return fmt.Errorf("update notice %d: %w", id, ErrConflict)
		}
		if err := tx.keepNoticeVersion(ctx, act, id); err != nil {
			return err
		}
		in.Series = "" // a notice's series never changes
		return tx.Audit(ctx, act, decisionOf(in.DecisionID), EventNoticeChanged, noticeDetail(in, id))
	})
}

// WithdrawPlanNotice takes a notice off the live plan, with a reason; it stays readable, marked.
func (s *Store) WithdrawPlanNotice(ctx context.Context, act Act, id int64, base int, reason string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var decisionID *int64
		err := tx.db.QueryRow(ctx, `
UPDATE forward_plan_notices SET withdrawn_at = $3, withdrawn_reason = $4, version = version + 1, updated_at = $3
WHERE id = $1 AND version = $2 AND withdrawn_at IS NULL RETURNING decision_id`, id, base, act.At, reason).Scan(&decisionID)
		if err != nil {
			err = mapError(err)
			if err == ErrNotFound {
				if _, err := tx.PlanNotice(ctx, Public(act.At), id); err != nil {
					return err
				}
				return fmt.Errorf("withdraw notice %d: %w", id, ErrConflict)
			}
			return fmt.Errorf("withdraw notice: %w", err)
		}
		if err := tx.keepNoticeVersion(ctx, act, id); err != nil {
			return err
		}
		return tx.Audit(ctx, act, decisionOf(decisionID), EventNoticeWithdrawn,
			map[string]string{"notice": strconv.FormatInt(id, 10), "reason": reason})
	})
}

// UnlinkPlanNotice undoes a notice's link to its decision, made by mistake, read at version
// base: a new version, which says why, audited against the decision. ErrConflict when the
// notice changed since or has no decision; ErrLocked (from the database) once the decision is
// signed, when the link is part of the record. A withdrawn notice may be unlinked too, so that
// its decision can have a notice of its own.
func (s *Store) UnlinkPlanNotice(ctx context.Context, act Act, id int64, base int, reason string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var decisionID *int64
		var reference string
		err := tx.db.QueryRow(ctx, `SELECT n.decision_id, coalesce(d.reference, '') FROM forward_plan_notices n
LEFT JOIN decisions d ON d.id = n.decision_id WHERE n.id = $1 FOR UPDATE OF n`, id).Scan(&decisionID, &reference)
		if err != nil {
			return fmt.Errorf("unlink notice %d: %w", id, mapError(err))
		}
		tag, err := tx.db.Exec(ctx, `UPDATE forward_plan_notices SET decision_id = NULL, version = version + 1, updated_at = $3
WHERE id = $1 AND version = $2 AND decision_id IS NOT NULL`, id, base, act.At)
		if err != nil {
			return fmt.Errorf("unlink notice %d: %w", id, mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("unlink notice %d: %w", id, ErrConflict)
		}
		if err := tx.keepNoticeVersionWhy(ctx, act, id, &reason); err != nil {
			return err
		}
		return tx.Audit(ctx, act, decisionOf(decisionID), EventNoticeUnlinked,
			map[string]string{"notice": strconv.FormatInt(id, 10), "decision": reference, "reason": reason})
	})
}

// PlanNotice is one notice, its decision as seen by a.
func (s *Store) PlanNotice(ctx context.Context, a Access, id int64) (PlanNoticeRow, error) {
	return s.oneNotice(ctx, a, `n.id = @id`, pgx.NamedArgs{"id": id}, fmt.Sprintf("notice %d", id))
}

// oneNotice reads the one notice that where (over noticeSQL's n) picks, or ErrNotFound.
func (s *Store) oneNotice(ctx context.Context, a Access, where string, args pgx.NamedArgs, what string) (PlanNoticeRow, error) {
	rows, err := s.db.Query(ctx, noticeSQL+` WHERE `+where, a.args(args))
	if err != nil {
		return PlanNoticeRow{}, fmt.Errorf("%s: %w", what, err)
	}
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlanNoticeRow])
	if err != nil {
		return PlanNoticeRow{}, fmt.Errorf("%s: %w", what, mapError(err))
	}
	return n, nil
}

// PlanFilter narrows the plan: a series, key decisions only, expected on or after a day,
// and whether withdrawn notices come too.
type PlanFilter struct {
	Series    string
	KeyOnly   bool
	From      *time.Time
	Withdrawn bool
	Limit     int // at most this many, or 0 for all
}

// Notices are the plan's notices, soonest expected first.
func (s *Store) PlanNotices(ctx context.Context, a Access, f PlanFilter) ([]PlanNoticeRow, error) {
	rows, err := s.db.Query(ctx, noticeSQL+`
WHERE (@series = '' OR n.series = @series) AND (NOT @key OR n.key_decision)
	AND (@from::date IS NULL OR coalesce(n.expected_to, n.expected_from) >= @from::date)
	AND (@withdrawn OR n.withdrawn_at IS NULL)
ORDER BY n.expected_from, n.id LIMIT CASE WHEN @limit::int > 0 THEN @limit::int END`,
		a.args(pgx.NamedArgs{"series": f.Series, "key": f.KeyOnly, "from": f.From, "withdrawn": f.Withdrawn, "limit": f.Limit}))
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	ns, err := pgx.CollectRows(rows, pgx.RowToStructByName[PlanNoticeRow])
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	return ns, nil
}

// PlanNoticeOf is the notice of a decision (withdrawn or not), or ErrNotFound.
func (s *Store) PlanNoticeOf(ctx context.Context, a Access, decisionID int64) (PlanNoticeRow, error) {
	return s.oneNotice(ctx, a, `n.decision_id = @decision`, pgx.NamedArgs{"decision": decisionID},
		fmt.Sprintf("notice of decision %d", decisionID))
}

// PlanNoticeVersion is one kept version of a notice.
type PlanNoticeVersion struct {
	Version         int        `db:"version"`
	Matter          string     `db:"matter"`
	MakerName       string     `db:"maker_name"`
	MakerTitle      string     `db:"maker_title"`
	ExpectedFrom    time.Time  `db:"expected_from"`
	ExpectedTo      *time.Time `db:"expected_to"`
	Documents       string     `db:"documents"`
	Copies          string     `db:"copies"`
	WithheldGround  *string    `db:"withheld_ground"`
	KeyDecision     bool       `db:"key_decision"`
	WithdrawnReason *string    `db:"withdrawn_reason"`
	UnlinkedReason  *string    `db:"unlinked_reason"`
	ChangedByName   string     `db:"changed_by_name"`
	ChangedAt       time.Time  `db:"changed_at"`
	// DecisionReference and DecisionSlug are the decision the version names, when a reader may
	// see it (as PlanNotice); Linked says whether it names one at all, seen or not.
	DecisionReference *string `db:"decision_reference"`
	DecisionSlug      *string `db:"decision_slug"`
	Linked            bool    `db:"linked"`
}

// PlanNoticeVersions are a notice's versions, the first first, each with its decision as a sees it.
func (s *Store) PlanNoticeVersions(ctx context.Context, a Access, id int64) ([]PlanNoticeVersion, error) {
	rows, err := s.db.Query(ctx, `
SELECT v.version, v.matter, v.maker_name, v.maker_title, v.expected_from, v.expected_to, v.documents, v.copies, v.withheld_ground,
	v.key_decision, v.withdrawn_reason, v.unlinked_reason, v.changed_by_name, v.changed_at,
	d.reference AS decision_reference, d.slug AS decision_slug, v.decision_id IS NOT NULL AS linked
FROM forward_plan_notice_versions v
LEFT JOIN LATERAL (SELECT d.reference, d.slug FROM decisions d WHERE d.id = v.decision_id AND `+visibleD+`) d ON true
WHERE v.notice_id = @id ORDER BY v.version`, a.args(pgx.NamedArgs{"id": id}))
	if err != nil {
		return nil, fmt.Errorf("notice versions: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[PlanNoticeVersion])
	if err != nil {
		return nil, fmt.Errorf("notice versions: %w", err)
	}
	return vs, nil
}

// DecisionForNotice is the id and series of a decision named by reference for a notice: a
// draft or one in sign-off (a notice is given before signing). ErrNotFound when there is none.
func (s *Store) DecisionForNotice(ctx context.Context, reference string) (id int64, series string, err error) {
	err = s.db.QueryRow(ctx, `SELECT id, series FROM decisions WHERE reference = $1 AND status IN ('draft', 'awaiting_signoff')`,
		reference).Scan(&id, &series)
	if err != nil {
		return 0, "", fmt.Errorf("decision for notice: %w", mapError(err))
	}
	return id, series, nil
}

// PlanSnapshot is a published plan.
type PlanSnapshot struct {
	ID           int64      `db:"id"`
	PublishedAt  time.Time  `db:"published_at"`
	ScheduledFor *time.Time `db:"scheduled_for"`
	Body         []byte     `db:"body"`
	SHA256       string     `db:"sha256"`
	Notices      int        `db:"notices"`
}

const snapshotColumns = `id, published_at, scheduled_for, body, sha256, notices`

// PublishPlan publishes the live plan at act.At as a snapshot whose bytes never change, its
// hash in the audit trail. scheduledFor is the month a scheduled plan stands for, or nil.
func (s *Store) PublishPlan(ctx context.Context, act Act, scheduledFor *time.Time) (PlanSnapshot, error) {
	var snap PlanSnapshot
	err := s.InTx(ctx, func(tx *Store) error {
		// One publisher at a time, so each plan's "changes since" is against the one before.
		if _, err := tx.db.Exec(ctx, `SELECT 1 FROM forward_plan_schedule FOR UPDATE`); err != nil {
			return fmt.Errorf("publish plan: %w", err)
		}
		var err error
		snap, err = tx.publishPlan(ctx, act, scheduledFor)
		return err
	})
	return snap, err
}

func (s *Store) publishPlan(ctx context.Context, act Act, scheduledFor *time.Time) (PlanSnapshot, error) {
	live, err := s.PlanNotices(ctx, Public(act.At), PlanFilter{})
	if err != nil {
		return PlanSnapshot{}, err
	}
	cur := make([]forwardplan.Notice, len(live))
	for i, n := range live {
		cur[i] = n.Plan()
	}
	var prev *forwardplan.Plan
	last, err := s.LatestPlan(ctx)
	switch {
	case err == nil:
		p, err := forwardplan.Decode(last.Body)
		if err != nil {
			return PlanSnapshot{}, err
		}
		prev = &p
	case !errors.Is(err, ErrNotFound):
		return PlanSnapshot{}, err
	}
	body := forwardplan.Build(act.At, prev, last.ID, last.SHA256, cur).Encode()
	hash := forwardplan.Hash(body)
	rows, err := s.db.Query(ctx, `
INSERT INTO forward_plan_snapshots (published_at, scheduled_for, body, sha256, notices) VALUES ($1, $2, $3, $4, $5)
RETURNING `+snapshotColumns, act.At, scheduledFor, body, hash, len(cur))
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("publish plan: %w", err)
	}
	snap, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlanSnapshot])
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("publish plan: %w", mapError(err))
	}
	return snap, s.Audit(ctx, act, 0, EventPlanPublished, map[string]string{"plan": strconv.FormatInt(snap.ID, 10),
		"sha256": hash, "published_at": snap.PublishedAt.UTC().Format(time.RFC3339Nano), "notices": strconv.Itoa(len(cur))})
}

// LatestPlan is the plan published last, or ErrNotFound.
func (s *Store) LatestPlan(ctx context.Context) (PlanSnapshot, error) {
	rows, err := s.db.Query(ctx, `SELECT `+snapshotColumns+` FROM forward_plan_snapshots ORDER BY published_at DESC, id DESC LIMIT 1`)
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("latest plan: %w", err)
	}
	snap, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlanSnapshot])
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("latest plan: %w", mapError(err))
	}
	return snap, nil
}

// Plan is one published plan, or ErrNotFound.
func (s *Store) Plan(ctx context.Context, id int64) (PlanSnapshot, error) {
	rows, err := s.db.Query(ctx, `SELECT `+snapshotColumns+` FROM forward_plan_snapshots WHERE id = $1`, id)
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("plan: %w", err)
	}
	snap, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlanSnapshot])
	if err != nil {
		return PlanSnapshot{}, fmt.Errorf("plan %d: %w", id, mapError(err))
	}
	return snap, nil
}

// Plans are the published plans, newest first, without their bytes.
func (s *Store) Plans(ctx context.Context) ([]PlanSnapshot, error) {
	rows, err := s.db.Query(ctx, `SELECT id, published_at, scheduled_for, ''::bytea AS body, sha256, notices
FROM forward_plan_snapshots ORDER BY published_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[PlanSnapshot])
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	return ps, nil
}

// PublishScheduledPlan publishes the month's plan once its day (1 to 28, London) has come and
// none has been published for the month. The schedule's row is claimed FOR UPDATE SKIP
// LOCKED: while one instance publishes, the others pass. It reports whether it published.
func (s *Store) PublishScheduledPlan(ctx context.Context, now time.Time, day int) (bool, error) {
	today := workday.DateOf(now)
	if day < 1 || today.Day < day {
		return false, nil
	}
	month := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC)
	published := false
	err := s.InTx(ctx, func(tx *Store) error {
		published = false
		var claimed bool
		err := tx.db.QueryRow(ctx, `SELECT true FROM forward_plan_schedule FOR UPDATE SKIP LOCKED`).Scan(&claimed)
		if err != nil {
			if mapError(err) == ErrNotFound {
				return nil // another instance has it
			}
			return fmt.Errorf("claim the plan's schedule: %w", err)
		}
		var done bool
		if err := tx.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM forward_plan_snapshots WHERE scheduled_for = $1)`, month).Scan(&done); err != nil {
			return fmt.Errorf("scheduled plan: %w", err)
		}
		if done {
			return nil
		}
		if _, err := tx.publishPlan(ctx, System(now), &month); err != nil {
			return err
		}
		if _, err := tx.db.Exec(ctx, `UPDATE forward_plan_schedule SET last_run_at = $1`, now); err != nil {
			return fmt.Errorf("scheduled plan: %w", err)
		}
		published = true
		return nil
	})
	return published, err
}

// PlanReport is what checking the published plans found.
type PlanReport struct {
	Plans   int
	BadID   int64 // the first plan that does not hold, or 0
	Problem string
}

// VerifyPlans checks each published plan's bytes against its hash and against the hash the
// audit trail recorded when it was published.
func (s *Store) VerifyPlans(ctx context.Context) (PlanReport, error) {
	var rep PlanReport
	err := s.inSnapshot(ctx, func(st *Store) error {
		rep = PlanReport{}
		rows, err := st.db.Query(ctx, `
SELECT p.id, p.body, p.sha256,
	(SELECT a.detail::jsonb ->> 'sha256' FROM audit_log a WHERE a.event = 'plan_published'
	 AND a.detail::jsonb ->> 'plan' = p.id::text ORDER BY a.id LIMIT 1) AS audited
FROM forward_plan_snapshots p ORDER BY p.id`)
		if err != nil {
			return fmt.Errorf("read plans: %w", err)
		}
		var id int64
		var body []byte
		var hash string
		var audited *string
		_, err = pgx.ForEachRow(rows, []any{&id, &body, &hash, &audited}, func() error {
			rep.Plans++
			problem := ""
			switch got := forwardplan.Hash(body); {
			case got != hash:
				problem = "its bytes hash to " + got + " but " + hash + " was recorded (the plan was changed)"
			case audited == nil:
				problem = "the audit trail has no record of its publication"
			case *audited != hash:
				problem = "its hash is not the one the audit trail recorded when it was published (the plan was changed)"
			}
			if problem != "" && rep.BadID == 0 {
				rep.BadID, rep.Problem = id, problem
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read plans: %w", err)
		}
		return nil
	})
	return rep, err
}

// KeyRule is a series' key-decision rule.
type KeyRule struct {
	Series         string `db:"series"`
	ThresholdPence *int64 `db:"threshold_pence"`
	Mode           string `db:"mode"`
}

// KeyRules are the series' rules, by series.
func (s *Store) KeyRules(ctx context.Context) ([]KeyRule, error) {
	rows, err := s.db.Query(ctx, `SELECT series, threshold_pence, mode FROM series_key_decisions ORDER BY series`)
	if err != nil {
		return nil, fmt.Errorf("key rules: %w", err)
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[KeyRule])
	if err != nil {
		return nil, fmt.Errorf("key rules: %w", err)
	}
	return rs, nil
}

// SetKeyRule sets a series' rule; mode "" removes it. Audited.
func (s *Store) SetKeyRule(ctx context.Context, act Act, r KeyRule) error {
	return s.InTx(ctx, func(tx *Store) error {
		var err error
		if r.Mode == "" {
			_, err = tx.db.Exec(ctx, `DELETE FROM series_key_decisions WHERE series = $1`, r.Series)
		} else {
			_, err = tx.db.Exec(ctx, `
INSERT INTO series_key_decisions (series, threshold_pence, mode) VALUES ($1, $2, $3)
ON CONFLICT (series) DO UPDATE SET threshold_pence = EXCLUDED.threshold_pence, mode = EXCLUDED.mode`, r.Series, r.ThresholdPence, r.Mode)
		}
		if err != nil {
			return fmt.Errorf("set key rule: %w", mapError(err))
		}
		d := map[string]string{"series": r.Series, "mode": r.Mode}
		if r.ThresholdPence != nil {
			d["threshold_pence"] = strconv.FormatInt(*r.ThresholdPence, 10)
		}
		return tx.Audit(ctx, act, 0, EventKeyDecisionRule, d)
	})
}

// SetAffectsAreas sets a draft's "affects two or more areas" flag. Audited.
func (s *Store) SetAffectsAreas(ctx context.Context, act Act, decisionID int64, on bool) error {
	return s.InTx(ctx, func(tx *Store) error {
		tag, err := tx.db.Exec(ctx, `UPDATE decisions SET affects_two_or_more_areas = $2
WHERE id = $1 AND status IN ('draft', 'awaiting_signoff') AND affects_two_or_more_areas <> $2`, decisionID, on)
		if err != nil {
			return fmt.Errorf("set affects areas: %w", mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return tx.Audit(ctx, act, decisionID, EventAffectsAreasFlag, map[string]string{"affects_two_or_more_areas": strconv.FormatBool(on)})
	})
}

// PlanException is a general-exception or special-urgency record.
type PlanException struct {
	ID          int64     `db:"id"`
	NoticeID    int64     `db:"notice_id"`
	Kind        string    `db:"kind"`
	ChairName   string    `db:"chair_name"`
	ChairRole   string    `db:"chair_role"`
	Reasons     string    `db:"reasons"`
	ChairOn     time.Time `db:"chair_on"`
	PublishedAt time.Time `db:"published_at"`
	MadeByName  string    `db:"made_by_name"`
}

const exceptionColumns = `id, notice_id, kind, chair_name, chair_role, reasons, chair_on, published_at, made_by_name`

// MakeException publishes an exception record for a notice at act.At. Audited.
func (s *Store) MakeException(ctx context.Context, act Act, e PlanException) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Store) error {
		var by *int64
		if act.UserID != 0 {
			by = &act.UserID
		}
		var decisionID *int64
		err := tx.db.QueryRow(ctx, `
INSERT INTO forward_plan_exceptions (notice_id, kind, chair_name, chair_role, reasons, chair_on, published_at, made_by, made_by_name)
SELECT n.id, $2, $3, $4, $5, $6, $7, $8, $9 FROM forward_plan_notices n WHERE n.id = $1 AND n.withdrawn_at IS NULL
RETURNING id, (SELECT decision_id FROM forward_plan_notices WHERE id = $1)`,
			e.NoticeID, e.Kind, e.ChairName, e.ChairRole, e.Reasons, e.ChairOn, act.At, by, act.Name).Scan(&id, &decisionID)
		if err != nil {
			return fmt.Errorf("make exception: %w", mapError(err))
		}
		return tx.Audit(ctx, act, decisionOf(decisionID), EventPlanException, map[string]string{"exception": strconv.FormatInt(id, 10),
			"notice": strconv.FormatInt(e.NoticeID, 10), "kind": e.Kind, "chair": e.ChairName + ", " + e.ChairRole, "reasons": e.Reasons})
	})
	return id, err
}

// Exception is one exception record, or ErrNotFound.
func (s *Store) Exception(ctx context.Context, id int64) (PlanException, error) {
	rows, err := s.db.Query(ctx, `SELECT `+exceptionColumns+` FROM forward_plan_exceptions WHERE id = $1`, id)
	if err != nil {
		return PlanException{}, fmt.Errorf("exception: %w", err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlanException])
	if err != nil {
		return PlanException{}, fmt.Errorf("exception %d: %w", id, mapError(err))
	}
	return e, nil
}

// Exceptions are a notice's exception records, oldest first.
func (s *Store) Exceptions(ctx context.Context, noticeID int64) ([]PlanException, error) {
	rows, err := s.db.Query(ctx, `SELECT `+exceptionColumns+` FROM forward_plan_exceptions WHERE notice_id = $1 ORDER BY id`, noticeID)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	es, err := pgx.CollectRows(rows, pgx.RowToStructByName[PlanException])
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	return es, nil
}

// KeyStanding is what the key-decision rule reads about a decision: its series' mode, whether
// it is key (its total reaches the threshold, or it affects two or more areas, or its notice
// says so), its notice (not withdrawn) and that notice's exceptions.
func (s *Store) KeyStanding(ctx context.Context, decisionID int64) (forwardplan.Standing, error) {
	var st forwardplan.Standing
	var mode *string
	var noticeID *int64
	err := s.db.QueryRow(ctx, `
SELECT k.mode,
	(coalesce(d.total_pence >= k.threshold_pence, false) OR d.affects_two_or_more_areas OR coalesce(n.key_decision, false)) AS key,
	n.noticed_at, n.id
FROM decisions d
LEFT JOIN series_key_decisions k ON k.series = d.series
LEFT JOIN forward_plan_notices n ON n.decision_id = d.id AND n.withdrawn_at IS NULL
WHERE d.id = $1`, decisionID).Scan(&mode, &st.Key, &st.NoticedAt, &noticeID)
	if err != nil {
		return st, fmt.Errorf("key standing: %w", mapError(err))
	}
	if mode != nil {
		st.Mode = *mode
	}
	if noticeID != nil {
		es, err := s.Exceptions(ctx, *noticeID)
		if err != nil {
			return st, err
		}
		for _, e := range es {
			st.Exceptions = append(st.Exceptions, forwardplan.Exception{Kind: e.Kind, PublishedAt: e.PublishedAt})
		}
	}
	return st, nil
}

// checkKeyDecision refuses, under a statutory rule, to sign a key decision whose notice has
// not stood long enough (forwardplan.Check); under a voluntary one the page has warned.
func (s *Store) checkKeyDecision(ctx context.Context, decisionID int64, at time.Time, cal *workday.Calendar) error {
	st, err := s.KeyStanding(ctx, decisionID)
	if err != nil {
		return err
	}
	if cal == nil {
		cal = workday.Published()
	}
	if v := forwardplan.Check(cal, st, at); !v.Allowed {
		return refusal(v.Problem)
	}
	return nil
}

// AffectsAreas is a decision's "affects two or more areas" flag.
func (s *Store) AffectsAreas(ctx context.Context, decisionID int64) (bool, error) {
	var on bool
	if err := s.db.QueryRow(ctx, `SELECT affects_two_or_more_areas FROM decisions WHERE id = $1`, decisionID).Scan(&on); err != nil {
		return false, fmt.Errorf("affects areas: %w", mapError(err))
	}
	return on, nil
}
