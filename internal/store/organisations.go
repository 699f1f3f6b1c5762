package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EventOrganisationChanged records a change to an organisation's record (its org-id).
const EventOrganisationChanged = "organisation_changed"

// Organisation is a funder or recipient the register names, with its org-id.guide identifier
// when one has been recorded.
type Organisation struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	OrgID *string `db:"org_id"`
}

// Organisations lists every organisation, by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, org_id FROM organisations ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Organisation])
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return orgs, nil
}

// SetOrgID records (or, with "", clears) the org-id of the organisation named exactly name,
// and audits it. An unknown name is ErrNotFound; an org-id another organisation holds is
// ErrConflict; one of the wrong form is a CheckError.
func (s *Store) SetOrgID(ctx context.Context, act Act, name, orgID string) error {
	var id *string
	if orgID != "" {
		id = &orgID
	}
	return s.InTx(ctx, func(tx *Store) error {
		var prev *string
		err := tx.db.QueryRow(ctx, `SELECT org_id FROM organisations WHERE name = $1 FOR UPDATE`, name).Scan(&prev)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("organisation %s: %w", name, err)
		}
		if _, err := tx.db.Exec(ctx, `UPDATE organisations SET org_id = $2 WHERE name = $1`, name, id); err != nil {
			return fmt.Errorf("org-id of %s: %w", name, mapError(err))
		}
		was := ""
		if prev != nil {
			was = *prev
		}
		return tx.Audit(ctx, act, 0, EventOrganisationChanged, map[string]string{"organisation": name, "org_id": orgID, "was": was})
	})
}
