package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// EventSectionTemplatesChanged records an admin's change to a series' section templates.
const EventSectionTemplatesChanged = "section_templates_changed"

// SectionTemplate is the text a series' drafts start one Part I section from.
type SectionTemplate struct {
	Kind string `db:"kind"`
	Body string `db:"body"`
}

// kindOrder sorts by the order of decision.SectionKinds.
func kindOrder(a, b SectionTemplate) int {
	return cmp.Compare(slices.Index(decision.SectionKinds, a.Kind), slices.Index(decision.SectionKinds, b.Kind))
}

// SectionTemplates lists a series' section templates in the order of the sections.
func (s *Store) SectionTemplates(ctx context.Context, series string) ([]SectionTemplate, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, body FROM series_section_templates WHERE series = $1`, series)
	if err != nil {
		return nil, fmt.Errorf("section templates of %s: %w", series, err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[SectionTemplate])
	if err != nil {
		return nil, fmt.Errorf("section templates of %s: %w", series, err)
	}
	slices.SortFunc(ts, kindOrder)
	return ts, nil
}

// TemplatedSeries lists the series that keep at least one section template.
func (s *Store) TemplatedSeries(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT series FROM series_section_templates ORDER BY series`)
	if err != nil {
		return nil, fmt.Errorf("series with templates: %w", err)
	}
	series, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("series with templates: %w", err)
	}
	return series, nil
}

// SetSectionTemplates replaces a series' section templates with bodies, by kind; a kind with
// empty text has none. It audits which kinds changed, and changes nothing (and audits
// nothing) when the texts are those already kept.
func (s *Store) SetSectionTemplates(ctx context.Context, act Act, series string, bodies map[string]string) error {
	var want []SectionTemplate
	for kind, body := range bodies {
		if !slices.Contains(decision.SectionKinds, kind) {
			return &CheckError{Constraint: "series_section_templates_kind_check", Message: "unknown section kind " + kind}
		}
		if body = decision.CleanSectionText(body); body != "" {
			want = append(want, SectionTemplate{Kind: kind, Body: body})
		}
	}
	slices.SortFunc(want, kindOrder)
	return s.InTx(ctx, func(tx *Store) error {
		// One admin's save at a time per series, so the kinds audited as changed are exact.
		if _, err := tx.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('section-templates:' || $1, 0))`, series); err != nil {
			return fmt.Errorf("lock %s templates: %w", series, err)
		}
		had, err := tx.SectionTemplates(ctx, series)
		if err != nil {
			return err
		}
		var changed []string
		for _, kind := range decision.SectionKinds {
			find := func(ts []SectionTemplate) string {
				if i := slices.IndexFunc(ts, func(t SectionTemplate) bool { return t.Kind == kind }); i >= 0 {
					return ts[i].Body
				}
				return ""
			}
			if find(had) != find(want) {
				changed = append(changed, kind)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		if _, err := tx.db.Exec(ctx, `DELETE FROM series_section_templates WHERE series = $1`, series); err != nil {
			return fmt.Errorf("set %s templates: %w", series, mapError(err))
		}
		var updatedBy *int64
		if act.UserID != 0 {
			updatedBy = &act.UserID
		}
		for _, t := range want {
			_, err := tx.db.Exec(ctx, `
INSERT INTO series_section_templates (series, kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)`,
				series, t.Kind, t.Body, updatedBy, act.At)
			if err != nil {
				return fmt.Errorf("set %s template %s: %w", series, t.Kind, mapError(err))
			}
		}
		return tx.Audit(ctx, act, 0, EventSectionTemplatesChanged, map[string]string{"series": series, "kinds": strings.Join(changed, ",")})
	})
}

// StartDraftFromTemplate is StartDraft with the draft's Part I sections filled from its
// series' templates, each under its kind's heading. A series with no templates starts empty.
func (s *Store) StartDraftFromTemplate(ctx context.Context, act Act, series, title, token string) (string, bool, error) {
	return s.startDraft(ctx, act, newDraft{series: series, title: title, token: token,
		audit: map[string]string{"template": series},
		fill: func(ctx context.Context, tx *Store, id int64) error {
			ts, err := tx.SectionTemplates(ctx, series)
			if err != nil {
				return err
			}
			for i, t := range ts {
				_, err := tx.db.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ($1, 1, $2, $3, $4, $5)`,
					id, i+1, t.Kind, decision.SectionKindLabel(t.Kind), t.Body)
				if err != nil {
					return fmt.Errorf("section %s from the template: %w", t.Kind, mapError(err))
				}
			}
			return nil
		}})
}
