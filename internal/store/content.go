package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// contentSQL reads what a signature covers. Organisations are named as the decision keeps them
// (kept_organisation_names): a rename after signing changes no signed bytes.
//
// contentSQL reads what a signature covers, Part II included. It is for hashing only: what it
// returns is never shown, and Part II leaves the store only as its hash through it.
const contentSQL = `
SELECT d.reference, coalesce(d.title, '') AS title, coalesce(d.summary, '') AS summary, coalesce(k.name, o.name, '') AS funder,
	d.part_two_salt, coalesce(i.part_two_sha256, '') AS part_two_sha256
FROM decisions d LEFT JOIN organisations o ON o.id = d.funder_id
LEFT JOIN kept_organisation_names k ON k.decision_id = d.id AND k.organisation_id = d.funder_id
LEFT JOIN decision_imports i ON i.decision_id = d.id WHERE d.id = @id`

const contentSectionsSQL = `
SELECT kind, heading, body FROM sections WHERE decision_id = @id AND part = @part ORDER BY position`

const contentFundingSQL = `
SELECT f.amount_pence, f.currency, f.fy_start, f.fy_end, f.basis, f.kind, f.label, f.period_text,
	coalesce(fk.name, fo.name) AS funder, coalesce(rk.name, ro.name) AS recipient
FROM funding_lines f` + fundingJoins + ` WHERE f.decision_id = @id ORDER BY f.position`

// contentLinksSQL reads the links the decision makes, with those an import recorded to
// decisions not yet held (migration 000055): signed with them, it is hashed with them.
const contentLinksSQL = `
SELECT l.kind, o.reference FROM decision_links l JOIN decisions o ON o.id = l.to_decision_id
WHERE l.from_decision_id = @id
UNION
SELECT p.kind, p.to_reference FROM import_pending_links p WHERE p.from_decision_id = @id`

// contentDocumentsSQL reads the supporting documents: the signed decision document is made
// from the signed content, so it cannot be part of it.
const contentDocumentsSQL = `
SELECT name, media_type, size_bytes, sha256 FROM documents WHERE decision_id = @id AND kind = 'supporting' ORDER BY position`

// contentApprovalsSQL reads the live approvals as the signature covers them (version 4), names
// as kept when each was given.
const contentApprovalsSQL = `
SELECT a.step_kind, a.approver_name, a.on_behalf_name, a.cover_starts_on, a.cover_ends_on, a.cover_set_by,
	a.interests, a.interest_nature, a.dispensation_by
FROM signoff_actions a WHERE a.decision_id = @id AND a.action = 'approved' AND a.cleared_at IS NULL ORDER BY a.id`

// contentReleasedSQL reads the Part II sections released since signing (version 5), each by
// its place in Part II.
const contentReleasedSQL = `
SELECT s.place AS section, s.kind, s.heading, s.body, r.ground, to_char(r.released_on, 'YYYY-MM-DD') AS released_on,
	r.released_name AS released_by
FROM part_two_releases r JOIN (
	SELECT position, kind, heading, body, row_number() OVER (ORDER BY position)::integer AS place
	FROM sections WHERE decision_id = @id AND part = 2) s ON s.position = r.position
WHERE r.decision_id = @id ORDER BY s.place`

func contentApproval(row pgx.CollectableRow) (decision.ContentApproval, error) {
	var a decision.ContentApproval
	var from, to *time.Time
	var setBy *string
	err := row.Scan(&a.Step, &a.Approver, &a.OnBehalfOf, &from, &to, &setBy, &a.Interests, &a.InterestNature, &a.DispensationBy)
	if from != nil && to != nil && setBy != nil {
		a.Cover = &decision.ContentCover{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), SetBy: *setBy}
	}
	return a, err
}

type contentHead struct {
	Reference string `db:"reference"`
	Title     string `db:"title"`
	Summary   string `db:"summary"`
	Funder    string `db:"funder"`
	Salt      string `db:"part_two_salt"`
	// PartTwoHash is Part II's hash as an import recorded it, when the source withheld Part II.
	PartTwoHash string `db:"part_two_sha256"`
}

// Content reads a decision's content as the canonical form takes it.
func (s *Store) Content(ctx context.Context, decisionID int64) (decision.Content, error) {
	var c decision.Content
	args := pgx.NamedArgs{"id": decisionID}
	b := &pgx.Batch{}
	b.Queue(contentSQL, args).Query(func(rows pgx.Rows) error {
		h, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[contentHead])
		c.Reference, c.Title, c.Summary, c.Funder, c.PartTwoSalt, c.PartTwoHash = h.Reference, h.Title, h.Summary, h.Funder, h.Salt, h.PartTwoHash
		return err
	})
	queueRows(b, `SELECT body FROM recommendations WHERE decision_id = @id ORDER BY position`, args, pgx.RowTo[string], &c.Recommendations)
	queueRows(b, contentSectionsSQL, pgx.NamedArgs{"id": decisionID, "part": 1}, pgx.RowToStructByName[decision.ContentSection], &c.Sections)
	queueRows(b, contentSectionsSQL, pgx.NamedArgs{"id": decisionID, "part": 2}, pgx.RowToStructByName[decision.ContentSection], &c.PartTwo)
	queueRows(b, contentFundingSQL, args, pgx.RowToStructByName[decision.ContentFunding], &c.Funding)
	queueRows(b, contentLinksSQL, args, pgx.RowToStructByName[decision.ContentLink], &c.Links)
	queueRows(b, contentDocumentsSQL, args, pgx.RowToStructByName[decision.ContentDocument], &c.Documents)
	queueRows(b, contentApprovalsSQL, args, contentApproval, &c.Approvals)
	queueRows(b, contentReleasedSQL, args, pgx.RowToStructByName[decision.ContentRelease], &c.Released)
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return decision.Content{}, fmt.Errorf("content of decision %d: %w", decisionID, mapError(err))
	}
	return c, nil
}

// AttestImported records as signed before the register existed the decisions of refs that are
// approved, published or withdrawn and have no signature: it hashes their content into an
// 'imported' signature and audits it with the signing record. Their pages say so, and
// `decisions verify` then covers them like any other. It never attests a decision it is not
// named: `decisions migrate up` names only the seeded references, so a decision that reached
// the table unsigned stays unsigned (and verify names it) instead of being vouched for.
func (s *Store) AttestImported(ctx context.Context, at time.Time, refs []string) (int, error) {
	rows, err := s.db.Query(ctx, `
SELECT d.id FROM decisions d
WHERE d.reference = ANY($1) AND d.status IN ('approved', 'published', 'withdrawn')
	AND NOT EXISTS (SELECT 1 FROM signatures g WHERE g.decision_id = d.id)
ORDER BY d.id`, refs)
	if err != nil {
		return 0, fmt.Errorf("decisions to attest: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("decisions to attest: %w", err)
	}
	attested := 0
	for _, id := range ids {
		err := s.InTx(ctx, func(tx *Store) error {
			c, err := tx.Content(ctx, id)
			if err != nil {
				return err
			}
			hash := decision.ContentHash(c)
			// Two instances migrating at once may both find the decision unsigned: the one that
			// loses adds no signature, so it must add no audit entry either.
			tag, err := tx.db.Exec(ctx, `
INSERT INTO signatures (decision_id, kind, outcome, signed_at, content_hash, canonical_version)
VALUES ($1, 'imported', 'approved', $2, $3, $4) ON CONFLICT (decision_id) DO NOTHING`, id, at, hash, decision.CanonicalVersion)
			if err != nil {
				return fmt.Errorf("attest decision %d: %w", id, mapError(err))
			}
			if tag.RowsAffected() == 0 {
				return nil
			}
			attested++
			detail, err := tx.signingRecord(ctx, id)
			if err != nil {
				return err
			}
			detail["reference"], detail["content_sha256"] = c.Reference, hash
			return tx.Audit(ctx, System(at), id, EventImported, detail)
		})
		if err != nil {
			return 0, err
		}
	}
	return attested, nil
}
