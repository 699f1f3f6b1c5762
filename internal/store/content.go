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
SELECT d.id, d.reference, coalesce(d.title, '') AS title, coalesce(d.summary, '') AS summary, coalesce(k.name, o.name, '') AS funder,
	d.part_two_salt, coalesce(i.part_two_sha256, '') AS part_two_sha256
FROM decisions d LEFT JOIN organisations o ON o.id = d.funder_id
LEFT JOIN kept_organisation_names k ON k.decision_id = d.id AND k.organisation_id = d.funder_id
LEFT JOIN decision_imports i ON i.decision_id = d.id WHERE d.id = ANY(@ids)`

// The queries below read the parts of the decisions @ids, each row led by its decision's id,
// in each decision's own order.
const contentRecommendationsSQL = `
SELECT decision_id, body FROM recommendations WHERE decision_id = ANY(@ids) ORDER BY decision_id, position`

const contentSectionsSQL = `
SELECT decision_id, part, kind, heading, body FROM sections WHERE decision_id = ANY(@ids) ORDER BY decision_id, part, position`

const contentFundingSQL = `
SELECT f.decision_id, f.amount_pence, f.currency, f.fy_start, f.fy_end, f.basis, f.kind, f.label, f.period_text,
	coalesce(fk.name, fo.name) AS funder, coalesce(rk.name, ro.name) AS recipient
FROM funding_lines f` + fundingJoins + ` WHERE f.decision_id = ANY(@ids) ORDER BY f.decision_id, f.position`

// contentLinksSQL reads the links the decisions make, with those an import recorded to
// decisions not yet held (migration 000055): signed with them, it is hashed with them.
const contentLinksSQL = `
SELECT l.from_decision_id AS decision_id, l.kind, o.reference FROM decision_links l JOIN decisions o ON o.id = l.to_decision_id
WHERE l.from_decision_id = ANY(@ids)
UNION
SELECT p.from_decision_id, p.kind, p.to_reference FROM import_pending_links p WHERE p.from_decision_id = ANY(@ids)`

// contentDocumentsSQL reads the supporting documents: the signed decision document is made
// from the signed content, so it cannot be part of it.
const contentDocumentsSQL = `
SELECT decision_id, name, media_type, size_bytes, sha256 FROM documents
WHERE decision_id = ANY(@ids) AND kind = 'supporting' ORDER BY decision_id, position`

// contentApprovalsSQL reads the live approvals as the signature covers them (version 4), names
// as kept when each was given.
const contentApprovalsSQL = `
SELECT a.decision_id, a.step_kind, a.approver_name, a.on_behalf_name, a.cover_starts_on, a.cover_ends_on, a.cover_set_by,
	a.interests, a.interest_nature, a.dispensation_by
FROM signoff_actions a WHERE a.decision_id = ANY(@ids) AND a.action = 'approved' AND a.cleared_at IS NULL ORDER BY a.decision_id, a.id`

// contentReleasedSQL reads the Part II sections released since signing (version 5), each by
// its place in Part II.
const contentReleasedSQL = `
SELECT r.decision_id, s.place AS section, s.kind, s.heading, s.body, r.ground, to_char(r.released_on, 'YYYY-MM-DD') AS released_on,
	r.released_name AS released_by
FROM part_two_releases r JOIN (
	SELECT decision_id, position, kind, heading, body, row_number() OVER (PARTITION BY decision_id ORDER BY position)::integer AS place
	FROM sections WHERE decision_id = ANY(@ids) AND part = 2) s ON s.decision_id = r.decision_id AND s.position = r.position
WHERE r.decision_id = ANY(@ids) ORDER BY r.decision_id, s.place`

type contentHead struct {
	ID        int64  `db:"id"`
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
	cs, err := s.Contents(ctx, []int64{decisionID})
	if err != nil {
		return decision.Content{}, err
	}
	c, ok := cs[decisionID]
	if !ok {
		return decision.Content{}, fmt.Errorf("content of decision %d: %w", decisionID, ErrNotFound)
	}
	return c, nil
}

// Contents reads the content of each decision of ids that exists, by id, in one round trip of
// eight queries however many there are (signing reads one; "Your work" one per open correction).
func (s *Store) Contents(ctx context.Context, ids []int64) (map[int64]decision.Content, error) {
	cs := make(map[int64]*decision.Content, len(ids))
	args := pgx.NamedArgs{"ids": ids}
	b := &pgx.Batch{}
	b.Queue(contentSQL, args).Query(func(rows pgx.Rows) error {
		heads, err := pgx.CollectRows(rows, pgx.RowToStructByName[contentHead])
		for _, h := range heads {
			// Every list empty, not nil, as the canonical form is written for a decision without any.
			cs[h.ID] = &decision.Content{Reference: h.Reference, Title: h.Title, Summary: h.Summary, Funder: h.Funder,
				PartTwoSalt: h.Salt, PartTwoHash: h.PartTwoHash, Recommendations: []string{}, Sections: []decision.ContentSection{},
				PartTwo: []decision.ContentSection{}, Funding: []decision.ContentFunding{}, Links: []decision.ContentLink{},
				Documents: []decision.ContentDocument{}, Approvals: []decision.ContentApproval{}, Released: []decision.ContentRelease{}}
		}
		return err
	})
	// Each part's rows are led by their decision's id: add puts a row's part on its content.
	each := func(sql string, scan func(pgx.Rows, *int64) (func(*decision.Content), error)) {
		b.Queue(sql, args).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				add, err := scan(rows, &id)
				if err != nil {
					return err
				}
				if c, ok := cs[id]; ok {
					add(c)
				}
			}
			return rows.Err()
		})
	}
	each(contentRecommendationsSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var body string
		err := rows.Scan(id, &body)
		return func(c *decision.Content) { c.Recommendations = append(c.Recommendations, body) }, err
	})
	each(contentSectionsSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var part int
		var sec decision.ContentSection
		err := rows.Scan(id, &part, &sec.Kind, &sec.Heading, &sec.Body)
		return func(c *decision.Content) {
			if part == 2 {
				c.PartTwo = append(c.PartTwo, sec)
			} else {
				c.Sections = append(c.Sections, sec)
			}
		}, err
	})
	each(contentFundingSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var f decision.ContentFunding
		err := rows.Scan(id, &f.AmountPence, &f.Currency, &f.FYStart, &f.FYEnd, &f.Basis, &f.Kind, &f.Label, &f.PeriodText, &f.Funder, &f.Recipient)
		return func(c *decision.Content) { c.Funding = append(c.Funding, f) }, err
	})
	each(contentLinksSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var l decision.ContentLink
		err := rows.Scan(id, &l.Kind, &l.Reference)
		return func(c *decision.Content) { c.Links = append(c.Links, l) }, err
	})
	each(contentDocumentsSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var d decision.ContentDocument
		err := rows.Scan(id, &d.Name, &d.MediaType, &d.Size, &d.SHA256)
		return func(c *decision.Content) { c.Documents = append(c.Documents, d) }, err
	})
	each(contentApprovalsSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var a decision.ContentApproval
		var from, to *time.Time
		var setBy *string
		err := rows.Scan(id, &a.Step, &a.Approver, &a.OnBehalfOf, &from, &to, &setBy, &a.Interests, &a.InterestNature, &a.DispensationBy)
		if from != nil && to != nil && setBy != nil {
			a.Cover = &decision.ContentCover{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), SetBy: *setBy}
		}
		return func(c *decision.Content) { c.Approvals = append(c.Approvals, a) }, err
	})
	each(contentReleasedSQL, func(rows pgx.Rows, id *int64) (func(*decision.Content), error) {
		var r decision.ContentRelease
		err := rows.Scan(id, &r.Section, &r.Kind, &r.Heading, &r.Body, &r.Ground, &r.ReleasedOn, &r.ReleasedBy)
		return func(c *decision.Content) { c.Released = append(c.Released, r) }, err
	})
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("content of %d decisions: %w", len(ids), mapError(err))
	}
	out := make(map[int64]decision.Content, len(cs))
	for id, c := range cs {
		out[id] = *c
	}
	return out, nil
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
