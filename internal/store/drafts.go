package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// Drafting errors callers act on.
var (
	// ErrNotEditable means the decision is signed or closed: its content can no longer change.
	ErrNotEditable = errors.New("decision can no longer change")
	// ErrUnknownReference means a link names a decision the register does not hold.
	ErrUnknownReference = errors.New("no decision has that reference")
	// ErrSelfLink means a decision was asked to link to itself.
	ErrSelfLink = errors.New("a decision cannot link to itself")
)

// numberLockSQL serialises numbering within one series, across every server instance: the
// lock is held until the transaction that takes the number commits, so the next one sees it.
const numberLockSQL = `SELECT pg_advisory_xact_lock(hashtextextended('decision-number:' || $1, 0))`

const nextNumberSQL = `SELECT coalesce(max(number), 0) + 1 FROM decisions WHERE series = $1 AND ref_year IS NULL`

const insertDraftSQL = `
INSERT INTO decisions (series, number, reference, slug, title, status, drafted_by, created_at, updated_at, start_token, continued_from_id)
VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $7, nullif($8, ''), $9) RETURNING id`

const startedDraftSQL = `SELECT slug FROM decisions WHERE start_token = $1 AND drafted_by = $2`

// CreateDraft starts a decision in a series with the series' next free number, and returns
// its slug. However many start at once, each gets its own number.
func (s *Store) CreateDraft(ctx context.Context, act Act, series, title string) (string, error) {
	slug, _, err := s.StartDraft(ctx, act, series, title, "")
	return slug, err
}

// StartDraft is CreateDraft for the start form, whose one-time token the draft keeps: the
// same form sent again (its first answer lost) returns the draft it made, with started false.
func (s *Store) StartDraft(ctx context.Context, act Act, series, title, token string) (slug string, started bool, err error) {
	return s.startDraft(ctx, act, newDraft{series: series, title: title, token: token})
}

// newDraft is how a draft starts: its series and title, and what else it starts with.
type newDraft struct {
	series, title string
	// token is the start form's one-time token, "" for none.
	token string
	// find, when set, looks for a draft this start already made (a continuation of the same
	// decision): under the series' numbering lock, so two starts at once make one draft.
	find func(ctx context.Context, tx *Store) (string, error)
	// fill, when set, writes what the draft starts with, in the same transaction.
	fill func(ctx context.Context, tx *Store, id int64) error
	// continues is the id of the signed decision the draft continues, or 0.
	continues int64
	// audit is added to the created event's detail.
	audit map[string]string
}

func (s *Store) startDraft(ctx context.Context, act Act, nd newDraft) (slug string, started bool, err error) {
	if act.UserID == 0 {
		return "", false, fmt.Errorf("create draft: a draft needs a person to draft it")
	}
	series, title, token := nd.series, nd.title, nd.token
	err = s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, numberLockSQL, series); err != nil {
			return fmt.Errorf("lock %s numbering: %w", series, err)
		}
		// After the lock, so a repeat sent while the first is still running waits for it and
		// then finds its draft (each statement here sees what committed before it began).
		if token != "" {
			err := tx.db.QueryRow(ctx, startedDraftSQL, token, act.UserID).Scan(&slug)
			if err == nil {
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("find draft started by the same form: %w", err)
			}
		}
		if nd.find != nil {
			found, err := nd.find(ctx, tx)
			if err != nil {
				return err
			}
			if found != "" {
				slug = found
				return nil
			}
		}
		started = true
		var number int
		if err := tx.db.QueryRow(ctx, nextNumberSQL, series).Scan(&number); err != nil {
			return fmt.Errorf("next %s number: %w", series, err)
		}
		ref := decision.Ref{Series: series, Number: number}
		var id int64
		var continues *int64
		if nd.continues != 0 {
			continues = &nd.continues
		}
		err := tx.db.QueryRow(ctx, insertDraftSQL, series, number, ref.String(), ref.Slug(),
			decision.CleanText(title), act.UserID, act.At, token, continues).Scan(&id)
		if err != nil {
			return fmt.Errorf("create %s: %w", ref, mapError(err))
		}
		if _, err := tx.db.Exec(ctx, `INSERT INTO decision_drafters (decision_id, user_id) VALUES ($1, $2)`, id, act.UserID); err != nil {
			return fmt.Errorf("record drafter of %s: %w", ref, mapError(err))
		}
		if nd.fill != nil {
			if err := nd.fill(ctx, tx, id); err != nil {
				return fmt.Errorf("fill %s: %w", ref, err)
			}
		}
		slug = ref.Slug()
		detail := map[string]string{"reference": ref.String(), "title": decision.CleanText(title)}
		for k, v := range nd.audit {
			detail[k] = v
		}
		return tx.Audit(ctx, act, id, EventCreated, detail)
	})
	return slug, started && err == nil, err
}

// ChainedSeries lists the series that have a sign-off chain: the ones a draft can go through.
func (s *Store) ChainedSeries(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT series FROM series_chain_steps ORDER BY series`)
	if err != nil {
		return nil, fmt.Errorf("chained series: %w", err)
	}
	series, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("chained series: %w", err)
	}
	return series, nil
}

// Draft reads a decision for editing: what DecisionBySlug shows the reader, Part II included
// when the reader is one of its drafters.
func (s *Store) Draft(ctx context.Context, acc Access, slug string) (DecisionDetail, error) {
	return s.DecisionBySlug(ctx, acc, slug)
}

const lockDecisionSQL = `SELECT id, status, version FROM decisions WHERE slug = $1 FOR UPDATE`

const clearApprovalsSQL = `
UPDATE signoff_actions SET cleared_at = $2
WHERE decision_id = $1 AND action = 'approved' AND cleared_at IS NULL
RETURNING step_kind`

// Base is what a save was made from, as the form that sends it read it: the decision's version,
// and the version of the part the save changes. With Part set, only a save of the same part
// since makes the save stale: two drafters may save different sections one after the other.
// With Part zero (a caller that knows no part version) any edit since makes it stale.
type Base struct {
	Version int // the decision's version
	Part    int // the part's version (see PartVersions), or 0 to check the whole decision
}

// Parts of a draft, each with its own version (decision_part_versions).
const (
	PartTitle           = "title"
	PartRecommendations = "recommendations"
	PartTwo             = "part_two"
	PartFunding         = "funding"
	PartLinks           = "links"
	PartDocuments       = "documents"
)

// PartSection is the part that is the Part I section of a kind.
func PartSection(kind string) string { return "part_one:" + kind }

const partVersionSQL = `SELECT coalesce((SELECT version FROM decision_part_versions WHERE decision_id = $1 AND part = $2), 1)`

const bumpPartSQL = `
INSERT INTO decision_part_versions (decision_id, part, version, edited_by, edited_at) VALUES ($1, $2, 2, $3, $4)
ON CONFLICT (decision_id, part) DO UPDATE
SET version = decision_part_versions.version + 1, edited_by = EXCLUDED.edited_by, edited_at = EXCLUDED.edited_at`

// edit is every change to a draft's content, in one transaction: it locks the decision, refuses
// a decision that can no longer change and a stale base (someone else saved the part first),
// runs fn, moves the decision's version and the part's on, clears every live approval
// (they approved other content) and audits which fields changed. A save that leaves the
// content as it was (its hash unchanged: "Save and continue" pressed without an edit) is no
// edit: the approvals stand, and nothing moves or is audited.
func (s *Store) edit(ctx context.Context, act Act, slug string, base Base, part, fields string, fn func(tx *Store, id int64) error) error {
	if act.UserID == 0 {
		return fmt.Errorf("edit %s: an edit needs a person to make it", slug)
	}
	return s.InTx(ctx, func(tx *Store) error {
		var id int64
		var status string
		var saved int
		if err := tx.db.QueryRow(ctx, lockDecisionSQL, slug).Scan(&id, &status, &saved); err != nil {
			return fmt.Errorf("edit %s: %w", slug, mapError(err))
		}
		if status != decision.StatusDraft && status != decision.StatusAwaitingSignoff {
			return fmt.Errorf("edit %s (%s): %w", slug, status, ErrNotEditable)
		}
		if err := tx.requireDrafter(ctx, id, act.UserID); err != nil {
			return err
		}
		if base.Part == 0 && saved != base.Version {
			return fmt.Errorf("edit %s: version %d is not the saved version %d: %w", slug, base.Version, saved, ErrConflict)
		}
		if base.Part != 0 {
			var partSaved int
			if err := tx.db.QueryRow(ctx, partVersionSQL, id, part).Scan(&partSaved); err != nil {
				return fmt.Errorf("edit %s: version of %s: %w", slug, part, err)
			}
			if partSaved != base.Part {
				return fmt.Errorf("edit %s: %s version %d is not the saved version %d: %w", slug, part, base.Part, partSaved, ErrConflict)
			}
		}
		before, err := tx.Content(ctx, id)
		if err != nil {
			return fmt.Errorf("edit %s: %w", slug, err)
		}
		if err := fn(tx, id); err != nil {
			return err
		}
		after, err := tx.Content(ctx, id)
		if err != nil {
			return fmt.Errorf("edit %s: %w", slug, err)
		}
		if decision.ContentHash(before) == decision.ContentHash(after) {
			return nil
		}
		if _, err := tx.db.Exec(ctx, `UPDATE decisions SET version = version + 1, updated_at = $2 WHERE id = $1`, id, act.At); err != nil {
			return fmt.Errorf("edit %s: %w", slug, mapError(err))
		}
		if _, err := tx.db.Exec(ctx, bumpPartSQL, id, part, act.UserID, act.At); err != nil {
			return fmt.Errorf("edit %s: version of %s: %w", slug, part, mapError(err))
		}
		rows, err := tx.db.Query(ctx, clearApprovalsSQL, id, act.At)
		if err != nil {
			return fmt.Errorf("clear approvals of %s: %w", slug, err)
		}
		cleared, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("clear approvals of %s: %w", slug, mapError(err))
		}
		detail := map[string]string{"fields": fields}
		if len(cleared) > 0 {
			slices.Sort(cleared)
			detail["cleared_approvals"] = strings.Join(cleared, ",")
		}
		return tx.Audit(ctx, act, id, EventEdited, detail)
	})
}

// PartEdit is the last save of one part of a draft.
type PartEdit struct {
	Part    string    `db:"part"`
	Version int       `db:"version"`
	ByID    int64     `db:"edited_by"` // 0 when not known
	By      string    `db:"editor"`    // the person's name; "" when not known
	At      time.Time `db:"edited_at"`
}

const partVersionsSQL = `
SELECT p.part, p.version, coalesce(p.edited_by, 0) AS edited_by, coalesce(u.name, '') AS editor, p.edited_at
FROM decision_part_versions p JOIN decisions d ON d.id = p.decision_id LEFT JOIN users u ON u.id = p.edited_by
WHERE d.slug = $1`

// PartVersions is the last save of each part of a draft saved since it started, by part. A
// part not in the map has version 1.
func (s *Store) PartVersions(ctx context.Context, slug string) (map[string]PartEdit, error) {
	rows, err := s.db.Query(ctx, partVersionsSQL, slug)
	if err != nil {
		return nil, fmt.Errorf("part versions of %s: %w", slug, err)
	}
	edits, err := pgx.CollectRows(rows, pgx.RowToStructByName[PartEdit])
	if err != nil {
		return nil, fmt.Errorf("part versions of %s: %w", slug, err)
	}
	out := make(map[string]PartEdit, len(edits))
	for _, e := range edits {
		out[e.Part] = e
	}
	return out, nil
}

// nullIfEmpty stores empty text as unknown.
func nullIfEmpty(s string) *string {
	if s = decision.CleanText(s); s == "" {
		return nil
	}
	return &s
}

// SetTitleSummary sets a draft's title and summary; empty text is unknown.
func (s *Store) SetTitleSummary(ctx context.Context, act Act, slug string, base Base, title, summary string) error {
	return s.edit(ctx, act, slug, base, PartTitle, "title,summary", func(tx *Store, id int64) error {
		_, err := tx.db.Exec(ctx, `UPDATE decisions SET title = $2, summary = $3 WHERE id = $1`, id, nullIfEmpty(title), nullIfEmpty(summary))
		if err != nil {
			return fmt.Errorf("set title of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

// SetRecommendations replaces a draft's recommendations with recs, in order.
func (s *Store) SetRecommendations(ctx context.Context, act Act, slug string, base Base, recs []string) error {
	clean := make([]string, 0, len(recs))
	for _, r := range recs {
		if r = decision.CleanText(r); r != "" {
			clean = append(clean, r)
		}
	}
	return s.edit(ctx, act, slug, base, PartRecommendations, "recommendations", func(tx *Store, id int64) error {
		if _, err := tx.db.Exec(ctx, `DELETE FROM recommendations WHERE decision_id = $1`, id); err != nil {
			return fmt.Errorf("set recommendations of %s: %w", slug, mapError(err))
		}
		_, err := tx.db.Exec(ctx, `
INSERT INTO recommendations (decision_id, position, body)
SELECT $1, r.ord, r.body FROM unnest($2::text[]) WITH ORDINALITY AS r(body, ord)`, id, clean)
		if err != nil {
			return fmt.Errorf("set recommendations of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

// SetSection sets the Part I section of a kind, adding it in its place among the others when
// the draft has none yet.
func (s *Store) SetSection(ctx context.Context, act Act, slug string, base Base, kind, heading, body string) error {
	if !slices.Contains(decision.SectionKinds, kind) {
		return &CheckError{Constraint: "sections_kind_check", Message: "unknown section kind " + strconv.Quote(kind)}
	}
	return s.edit(ctx, act, slug, base, PartSection(kind), "part_one:"+kind, func(tx *Store, id int64) error {
		return tx.rewritePartOne(ctx, id, kind, &decision.ContentSection{Kind: kind,
			Heading: decision.CleanText(heading), Body: decision.CleanSectionText(body)})
	})
}

// DeleteSection removes the Part I section of a kind.
func (s *Store) DeleteSection(ctx context.Context, act Act, slug string, base Base, kind string) error {
	return s.edit(ctx, act, slug, base, PartSection(kind), "part_one:"+kind, func(tx *Store, id int64) error {
		return tx.rewritePartOne(ctx, id, kind, nil)
	})
}

// rewritePartOne replaces (or, with nil, removes) the section of a kind and writes Part I back
// in the order of the kinds, numbered from 1. Writing the whole part keeps the positions
// dense without juggling a primary key that cannot be deferred.
func (s *Store) rewritePartOne(ctx context.Context, id int64, kind string, with *decision.ContentSection) error {
	rows, err := s.db.Query(ctx, `SELECT kind, heading, body FROM sections WHERE decision_id = $1 AND part = 1 ORDER BY position`, id)
	if err != nil {
		return fmt.Errorf("read part I: %w", err)
	}
	secs, err := pgx.CollectRows(rows, pgx.RowToStructByName[decision.ContentSection])
	if err != nil {
		return fmt.Errorf("read part I: %w", err)
	}
	secs = slices.DeleteFunc(secs, func(c decision.ContentSection) bool { return c.Kind == kind })
	if with != nil {
		secs = append(secs, *with)
	}
	order := func(k string) int {
		if i := slices.Index(decision.SectionKinds, k); i >= 0 {
			return i
		}
		return len(decision.SectionKinds)
	}
	slices.SortStableFunc(secs, func(a, b decision.ContentSection) int { return cmp.Compare(order(a.Kind), order(b.Kind)) })
	if _, err := s.db.Exec(ctx, `DELETE FROM sections WHERE decision_id = $1 AND part = 1`, id); err != nil {
		return fmt.Errorf("write part I: %w", mapError(err))
	}
	for i, c := range secs {
		_, err := s.db.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ($1, 1, $2, $3, $4, $5)`,
			id, i+1, c.Kind, c.Heading, c.Body)
		if err != nil {
			return fmt.Errorf("write part I section %s: %w", c.Kind, mapError(err))
		}
	}
	return nil
}

// PartTwoHeading heads a draft's Part II.
const PartTwoHeading = "Confidential facts and advice"

// SetPartTwo sets a draft's Part II, its confidential facts and advice; empty text removes it.
func (s *Store) SetPartTwo(ctx context.Context, act Act, slug string, base Base, body string) error {
	body = decision.CleanSectionText(body)
	return s.edit(ctx, act, slug, base, PartTwo, "part_two", func(tx *Store, id int64) error {
		if _, err := tx.db.Exec(ctx, `DELETE FROM sections WHERE decision_id = $1 AND part = 2`, id); err != nil {
			return fmt.Errorf("set part II of %s: %w", slug, mapError(err))
		}
		if body == "" {
			return nil
		}
		_, err := tx.db.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ($1, 2, 1, $2, $3, $4)`,
			id, decision.PartTwoKind, PartTwoHeading, body)
		if err != nil {
			return fmt.Errorf("set part II of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

// NewFundingLine is a funding line as a drafter enters it.
type NewFundingLine struct {
	AmountPence int64
	FYStart     *int // the financial year it starts in, 2024 for 2024-25; nil when not known
	FYEnd       *int
	Basis       string // decision.BasisTotal, BasisPerYear or BasisUnclear
	Kind        string // decision.KindGrantAccepted, ...
	Label       string // what the amount is for
	Funder      string // the organisation paying; "" when not known
	Recipient   string // the organisation receiving; "" when not known
}

const insertFundingSQL = `
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, currency, fy_start, fy_end, basis, kind, label)
SELECT $1, coalesce(max(position), 0) + 1, $2, $9, $3, 'GBP', $4, $5, $6, $7, $8 FROM funding_lines WHERE decision_id = $1`

// principalFunderSQL keeps a draft's principal funder as the funder of its first funding line
// that names one.
const principalFunderSQL = `
UPDATE decisions SET funder_id = (
	SELECT funder_id FROM funding_lines WHERE decision_id = $1 AND funder_id IS NOT NULL ORDER BY position LIMIT 1)
WHERE id = $1`

// AddFundingLine adds a funding line after a draft's others. A funder or recipient the register
// does not know yet is added as an organisation.
func (s *Store) AddFundingLine(ctx context.Context, act Act, slug string, base Base, l NewFundingLine) error {
	return s.edit(ctx, act, slug, base, PartFunding, "funding", func(tx *Store, id int64) error {
		var orgs [2]*int64
		for i, name := range []string{l.Funder, l.Recipient} {
			if name = decision.CleanText(name); name != "" {
				org, err := tx.draftOrganisation(ctx, act, id, name)
				if err != nil {
					return err
				}
				orgs[i] = &org
			}
		}
		_, err := tx.db.Exec(ctx, insertFundingSQL, id, orgs[0], l.AmountPence, l.FYStart, l.FYEnd, l.Basis, l.Kind,
			decision.CleanText(l.Label), orgs[1])
		if err != nil {
			return fmt.Errorf("add funding line to %s: %w", slug, mapError(err))
		}
		if _, err := tx.db.Exec(ctx, principalFunderSQL, id); err != nil {
			return fmt.Errorf("principal funder of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

const changeFundingSQL = `
UPDATE funding_lines SET funder_id = $3, recipient_id = $4, amount_pence = $5, fy_start = $6, fy_end = $7, basis = $8,
	kind = $9, label = $10, period_text = NULL
WHERE decision_id = $1 AND position = $2`

// ChangeFundingLine replaces the funding line at a position with l, in its place. A funder or
// recipient the register does not know yet is added as an organisation.
func (s *Store) ChangeFundingLine(ctx context.Context, act Act, slug string, base Base, position int, l NewFundingLine) error {
	return s.edit(ctx, act, slug, base, PartFunding, "funding", func(tx *Store, id int64) error {
		var orgs [2]*int64
		for i, name := range []string{l.Funder, l.Recipient} {
			if name = decision.CleanText(name); name != "" {
				org, err := tx.draftOrganisation(ctx, act, id, name)
				if err != nil {
					return err
				}
				orgs[i] = &org
			}
		}
		tag, err := tx.db.Exec(ctx, changeFundingSQL, id, position, orgs[0], orgs[1], l.AmountPence, l.FYStart, l.FYEnd,
			l.Basis, l.Kind, decision.CleanText(l.Label))
		if err != nil {
			return fmt.Errorf("change funding line %d of %s: %w", position, slug, mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("funding line %d of %s: %w", position, slug, ErrNotFound)
		}
		if _, err := tx.db.Exec(ctx, principalFunderSQL, id); err != nil {
			return fmt.Errorf("principal funder of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

// RemoveFundingLine removes the funding line at a position. The others keep theirs.
func (s *Store) RemoveFundingLine(ctx context.Context, act Act, slug string, base Base, position int) error {
	return s.edit(ctx, act, slug, base, PartFunding, "funding", func(tx *Store, id int64) error {
		tag, err := tx.db.Exec(ctx, `DELETE FROM funding_lines WHERE decision_id = $1 AND position = $2`, id, position)
		if err != nil {
			return fmt.Errorf("remove funding line from %s: %w", slug, mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("funding line %d of %s: %w", position, slug, ErrNotFound)
		}
		if _, err := tx.db.Exec(ctx, principalFunderSQL, id); err != nil {
			return fmt.Errorf("principal funder of %s: %w", slug, mapError(err))
		}
		return nil
	})
}

// organisation finds an organisation by name, whatever its case, or adds it; added says it
// did. A name of an organisation merged into another is the other's.
func (s *Store) organisation(ctx context.Context, name string) (id int64, added bool, err error) {
	err = s.db.QueryRow(ctx, `
SELECT coalesce(merged_into, id) FROM organisations WHERE lower(name) = lower($1)
ORDER BY merged_into IS NOT NULL, id LIMIT 1`, name).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("organisation %q: %w", name, err)
	}
	err = s.db.QueryRow(ctx, `
INSERT INTO organisations (name) VALUES ($1)
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, xmax = 0`, name).Scan(&id, &added)
	if err != nil {
		return 0, false, fmt.Errorf("add organisation %q: %w", name, mapError(err))
	}
	return id, added, nil
}

// draftOrganisation is organisation for a drafter's funding line: an organisation it adds is
// audited, with who added it and for which decision.
func (s *Store) draftOrganisation(ctx context.Context, act Act, decisionID int64, name string) (int64, error) {
	id, added, err := s.organisation(ctx, name)
	if err != nil || !added {
		return id, err
	}
	return id, s.Audit(ctx, act, decisionID, EventOrganisationAdded, map[string]string{
		"organisation": name, "organisation_id": strconv.FormatInt(id, 10)})
}

// AddLink links a draft to the decision with a canonical reference ("PCD 1215"). Adding a link
// the draft already makes changes nothing but the version.
func (s *Store) AddLink(ctx context.Context, act Act, slug string, base Base, reference, kind string) error {
	return s.edit(ctx, act, slug, base, PartLinks, "links", func(tx *Store, id int64) error {
		to, err := tx.decisionIDByReference(ctx, reference)
		if err != nil {
			return err
		}
		if to == id {
			return ErrSelfLink
		}
		_, err = tx.db.Exec(ctx, `
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, id, to, kind)
		if err != nil {
			return fmt.Errorf("link %s to %s: %w", slug, reference, mapError(err))
		}
		return nil
	})
}

// RemoveLink removes a link a draft makes.
func (s *Store) RemoveLink(ctx context.Context, act Act, slug string, base Base, reference, kind string) error {
	return s.edit(ctx, act, slug, base, PartLinks, "links", func(tx *Store, id int64) error {
		to, err := tx.decisionIDByReference(ctx, reference)
		if err != nil {
			return err
		}
		tag, err := tx.db.Exec(ctx, `DELETE FROM decision_links WHERE from_decision_id = $1 AND to_decision_id = $2 AND kind = $3`, id, to, kind)
		if err != nil {
			return fmt.Errorf("unlink %s from %s: %w", slug, reference, mapError(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("link from %s to %s: %w", slug, reference, ErrNotFound)
		}
		return nil
	})
}

func (s *Store) decisionIDByReference(ctx context.Context, reference string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM decisions WHERE reference = $1`, reference).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("%q: %w", reference, ErrUnknownReference)
	}
	if err != nil {
		return 0, fmt.Errorf("decision %q: %w", reference, err)
	}
	return id, nil
}

// Submit sends a draft for sign-off. The caller checks the sign-off rules
// (decision.Signoff.CanSubmit); Submit makes the move under the decision's lock, so a stale
// version or a decision no longer in draft is ErrConflict.
func (s *Store) Submit(ctx context.Context, act Act, slug string, version int) error {
	return s.InTx(ctx, func(tx *Store) error {
		var id int64
		var status string
		var saved int
		if err := tx.db.QueryRow(ctx, lockDecisionSQL, slug).Scan(&id, &status, &saved); err != nil {
			return fmt.Errorf("submit %s: %w", slug, mapError(err))
		}
		if saved != version || status != decision.StatusDraft {
			return fmt.Errorf("submit %s: version %d (%s), asked for %d: %w", slug, saved, status, version, ErrConflict)
		}
		_, err := tx.db.Exec(ctx, `
UPDATE decisions SET status = 'awaiting_signoff', version = version + 1, updated_at = $2 WHERE id = $1`, id, act.At)
		if err == nil {
			err = tx.recordChain(ctx, id)
		}
		if err != nil {
			return fmt.Errorf("submit %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, id, EventSubmitted, map[string]string{"version": strconv.Itoa(saved + 1)})
	})
}

// DiscardDraft moves a draft nobody has approved to discarded, and audits it: it leaves every
// list of work and never reaches the public, and its row stays, so its reference number is not
// given to another decision. The decision's row is locked first, so an approval or a submission
// cannot slip in between the check and the move; the rules (decision.Signoff.CanDiscard) say
// who may and when, and their refusal is returned in words for the person.
func (s *Store) DiscardDraft(ctx context.Context, act Act, slug string) error {
	return s.InTx(ctx, func(tx *Store) error {
		id, ref, so, u, err := tx.startAct(ctx, act, slug)
		if err != nil {
			return err
		}
		if err := so.CanDiscard(u.Actor()); err != nil {
			return fmt.Errorf("discard %s: %w", ref, err)
		}
		var title *string
		err = tx.db.QueryRow(ctx, `
UPDATE decisions SET status = 'discarded', updated_at = $2 WHERE id = $1 RETURNING title`, id, act.At).Scan(&title)
		if err != nil {
			return fmt.Errorf("discard %s: %w", ref, mapError(err))
		}
		detail := map[string]string{"reference": ref}
		if title != nil {
			detail["title"] = *title
		}
		return tx.Audit(ctx, act, id, EventDraftDiscarded, detail)
	})
}

// recordChain fixes a decision's sign-off chain as its series' chain stands now: each
// submission takes the chain of its day, and a later change to the series' chain does not reach
// a decision already in flight.
func (s *Store) recordChain(ctx context.Context, id int64) error {
	_, err := s.db.Exec(ctx, `DELETE FROM decision_chain_steps WHERE decision_id = $1`, id)
	if err == nil {
		_, err = s.db.Exec(ctx, `
INSERT INTO decision_chain_steps (decision_id, position, step_kind)
SELECT d.id, c.position, c.step_kind FROM decisions d JOIN series_chain_steps c ON c.series = d.series
WHERE d.id = $1`, id)
	}
	return err
}

// ReturnNote is an adviser's comment on returning a decision to its drafters.
type ReturnNote struct {
	Step    string    `db:"step"`
	Adviser string    `db:"adviser"`
	Comment string    `db:"comment"`
	ActedAt time.Time `db:"acted_at"`
}

const returnNotesSQL = `
SELECT a.step_name AS step, a.approver_name AS adviser, a.comment, a.acted_at
FROM signoff_actions a
JOIN decisions d ON d.id = a.decision_id
WHERE d.slug = $1 AND a.action = 'returned' AND a.acted_at >= coalesce(
	(SELECT max(l.at) FROM audit_log l WHERE l.decision_id = d.id AND l.event = 'submitted'), '-infinity')
ORDER BY a.acted_at, a.id`

// ReturnNotes are the comments of the advisers who returned a decision since it was last
// submitted: what its drafters have to answer.
func (s *Store) ReturnNotes(ctx context.Context, slug string) ([]ReturnNote, error) {
	rows, err := s.db.Query(ctx, returnNotesSQL, slug)
	if err != nil {
		return nil, fmt.Errorf("return notes of %s: %w", slug, err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowToStructByName[ReturnNote])
	if err != nil {
		return nil, fmt.Errorf("return notes of %s: %w", slug, err)
	}
	return notes, nil
}

// Drafter is one of a decision's drafting team.
type Drafter struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

// Drafters lists a decision's drafting team: everyone who may change it (and so may not sign
// it off), in the order they joined.
func (s *Store) Drafters(ctx context.Context, slug string) ([]Drafter, error) {
	rows, err := s.db.Query(ctx, `
SELECT u.id, u.name, u.email FROM decision_drafters dd
JOIN decisions d ON d.id = dd.decision_id JOIN users u ON u.id = dd.user_id
WHERE d.slug = $1 ORDER BY u.name, u.id`, slug)
	if err != nil {
		return nil, fmt.Errorf("drafters of %s: %w", slug, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Drafter])
}

// ErrNoSuchDrafter means the email names no active member of staff with the drafter role.
var ErrNoSuchDrafter = errors.New("no such drafter")

// AddDrafter adds a member of staff with the drafter role to a draft's team, and audits it. Only
// a member of the team may add one.
func (s *Store) AddDrafter(ctx context.Context, act Act, slug, email string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var id int64
		var status string
		var version int
		if err := tx.db.QueryRow(ctx, lockDecisionSQL, slug).Scan(&id, &status, &version); err != nil {
			return fmt.Errorf("add drafter to %s: %w", slug, mapError(err))
		}
		if err := tx.requireDrafter(ctx, id, act.UserID); err != nil {
			return err
		}
		u, err := tx.UserByEmail(ctx, email)
		if errors.Is(err, ErrNotFound) || (err == nil && (u.DisabledAt != nil || !u.Has(decision.RoleDrafter))) {
			return ErrNoSuchDrafter
		}
		if err != nil {
			return err
		}
		_, err = tx.db.Exec(ctx, `INSERT INTO decision_drafters (decision_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, u.ID)
		if err != nil {
			return fmt.Errorf("add drafter to %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, id, EventDrafterAdded, map[string]string{"drafter": u.Email})
	})
}

// requireDrafter refuses anyone outside the decision's drafting team.
func (s *Store) requireDrafter(ctx context.Context, decisionID, userID int64) error {
	var member bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM decision_drafters WHERE decision_id = $1 AND user_id = $2)`,
		decisionID, userID).Scan(&member)
	if err != nil {
		return fmt.Errorf("drafting team: %w", err)
	}
	if !member {
		return fmt.Errorf("drafting team of decision %d: %w", decisionID, decision.ErrNotDrafter)
	}
	return nil
}

const lastEditorSQL = `
SELECT coalesce(l.actor_id, 0) FROM audit_log l JOIN decisions d ON d.id = l.decision_id
WHERE d.slug = $1 AND l.event = 'edited' ORDER BY l.id DESC LIMIT 1`

// LastEditor is the id of the person whose save last changed a draft's content, or 0 when
// nobody has changed it since it was started: a save refused as stale (ErrConflict) may have
// been overtaken by the person's own earlier save, sent twice or from another window.
func (s *Store) LastEditor(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, lastEditorSQL, slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last editor of %s: %w", slug, err)
	}
	return id, nil
}
