package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// The next decision of a funding chain started from the last one signed, and the section
// templates a series' drafts may start from.

const continuationSourceSQL = `SELECT status FROM decisions WHERE id = $1 FOR SHARE`

// openContinuationSQL finds the draft that already continues a decision (at most one: the
// decisions_one_open_continuation index).
const openContinuationSQL = `
SELECT slug FROM decisions WHERE continued_from_id = $1 AND status IN ('draft', 'awaiting_signoff')`

const copyStartSQL = `
UPDATE decisions d SET summary = src.summary, funder_id = src.funder_id
FROM decisions src WHERE d.id = $1 AND src.id = $2`

const copyRecommendationsSQL = `
INSERT INTO recommendations (decision_id, position, body)
SELECT $1, position, body FROM recommendations WHERE decision_id = $2`

// copyPartOneSQL copies the published sections only: Part II is advice given on the earlier
// decision, and is written afresh for the next.
const copyPartOneSQL = `
INSERT INTO sections (decision_id, part, position, kind, heading, body)
SELECT $1, 1, position, kind, heading, body FROM sections WHERE decision_id = $2 AND part = 1`

const sourceFundingSQL = `
SELECT funder_id, recipient_id, amount_pence, currency, fy_start, fy_end, basis, kind, label
FROM funding_lines WHERE decision_id = $1 ORDER BY position`

// A copied line's period_text (the source's own words for its period) is left out: it names
// the earlier years.
const copyFundingLineSQL = `
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, currency, fy_start, fy_end, basis, kind, label)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// untitledContinuation is the title of the next decision after one the register holds with no
// title (PCD 545 is known only from later decisions).
func untitledContinuation(reference string) string { return "The decision after " + reference }

// StartContinuation starts the next decision of a funding chain from the signed decision at
// slug: a draft in the same series, with the next number, drafted by the person, holding the
// source's title, summary, principal funder, recommendations and Part I sections as they are,
// and its funding lines with their amounts kept and their financial years moved on by one
// (decision.NextYears), and a `continues` link to the source. Part II, documents and the
// source's other links are not copied. If a draft continuing the source is already open, its
// slug is returned with started false, and nothing is made. The caller has read the source
// with the person's access; a source that is not signed is refused (decision.CanContinue).
func (s *Store) StartContinuation(ctx context.Context, act Act, sourceSlug string) (slug string, started bool, err error) {
	var src struct {
		id                int64
		series, reference string
		title             *string
	}
	err = s.db.QueryRow(ctx, `SELECT id, series, reference, title FROM decisions WHERE slug = $1`, sourceSlug).
		Scan(&src.id, &src.series, &src.reference, &src.title)
	if err != nil {
		return "", false, fmt.Errorf("continue %s: %w", sourceSlug, mapError(err))
	}
	title := untitledContinuation(src.reference)
	if src.title != nil {
		title = *src.title
	}
	return s.startDraft(ctx, act, newDraft{
		series: src.series, title: title, continues: src.id,
		audit: map[string]string{"continues": src.reference},
		find: func(ctx context.Context, tx *Store) (string, error) {
			// Under the source's row lock too: a correction of the source waits until the copy
			// is made, so the copy is of one version.
			var state string
			if err := tx.db.QueryRow(ctx, continuationSourceSQL, src.id).Scan(&state); err != nil {
				return "", fmt.Errorf("continue %s: %w", sourceSlug, mapError(err))
			}
			if err := decision.CanContinue(state); err != nil {
				return "", fmt.Errorf("continue %s (%s): %w", src.reference, state, err)
			}
			var open string
			err := tx.db.QueryRow(ctx, openContinuationSQL, src.id).Scan(&open)
			if errors.Is(err, pgx.ErrNoRows) {
				return "", nil
			}
			if err != nil {
				return "", fmt.Errorf("draft continuing %s: %w", src.reference, err)
			}
			return open, nil
		},
		fill: func(ctx context.Context, tx *Store, id int64) error {
			return tx.copyForContinuation(ctx, id, src.id)
		},
	})
}

func (s *Store) copyForContinuation(ctx context.Context, id, from int64) error {
	for _, q := range []string{copyStartSQL, copyRecommendationsSQL, copyPartOneSQL} {
		if _, err := s.db.Exec(ctx, q, id, from); err != nil {
			return fmt.Errorf("copy: %w", mapError(err))
		}
	}
	rows, err := s.db.Query(ctx, sourceFundingSQL, from)
	if err != nil {
		return fmt.Errorf("copy funding: %w", err)
	}
	type line struct {
		funder, recipient  *int64
		pence              int64
		currency           string
		fyStart, fyEnd     *int
		basis, kind, label string
	}
	lines, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (line, error) {
		var l line
		err := row.Scan(&l.funder, &l.recipient, &l.pence, &l.currency, &l.fyStart, &l.fyEnd, &l.basis, &l.kind, &l.label)
		return l, err
	})
	if err != nil {
		return fmt.Errorf("copy funding: %w", err)
	}
	for i, l := range lines {
		start, end := decision.NextYears(l.fyStart, l.fyEnd)
		_, err := s.db.Exec(ctx, copyFundingLineSQL, id, i+1, l.funder, l.recipient, l.pence, l.currency, start, end, l.basis, l.kind, l.label)
		if err != nil {
			return fmt.Errorf("copy funding line %d: %w", i+1, mapError(err))
		}
	}
	_, err = s.db.Exec(ctx, `INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ($1, $2, 'continues')`, id, from)
	if err != nil {
		return fmt.Errorf("link: %w", mapError(err))
	}
	return nil
}

// OpenContinuation is the slug of the draft that continues the decision at slug, open
// (in draft or awaiting sign-off), or ErrNotFound.
func (s *Store) OpenContinuation(ctx context.Context, slug string) (string, error) {
	var open string
	err := s.db.QueryRow(ctx, `
SELECT c.slug FROM decisions c JOIN decisions d ON d.id = c.continued_from_id
WHERE d.slug = $1 AND c.status IN ('draft', 'awaiting_signoff')`, slug).Scan(&open)
	if err != nil {
		return "", fmt.Errorf("draft continuing %s: %w", slug, mapError(err))
	}
	return open, nil
}

// ContinuedFrom is the slug of the decision the draft at slug was started from as its
// continuation, or ErrNotFound for a draft started otherwise.
func (s *Store) ContinuedFrom(ctx context.Context, slug string) (string, error) {
	var from string
	err := s.db.QueryRow(ctx, `
SELECT src.slug FROM decisions d JOIN decisions src ON src.id = d.continued_from_id WHERE d.slug = $1`, slug).Scan(&from)
	if err != nil {
		return "", fmt.Errorf("decision %s continues: %w", slug, mapError(err))
	}
	return from, nil
}
