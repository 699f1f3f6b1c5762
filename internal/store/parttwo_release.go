package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// PartTwoSection is one section of a signed decision's Part II, as its owner chooses what to
// release: its place in Part II (from 1), and when it was released, if it was.
type PartTwoSection struct {
	Place      int        `db:"place"`
	Position   int        `db:"position"`
	Heading    string     `db:"heading"`
	Body       string     `db:"body"`
	ReleasedOn *time.Time `db:"released_on"`
}

// PartTwoSections lists a decision's Part II sections for a reader of its Part II (the rule
// is the database's part_two_reader): nothing for anyone else.
func (s *Store) PartTwoSections(ctx context.Context, acc Access, decisionID int64) ([]PartTwoSection, error) {
	rows, err := s.db.Query(ctx, `
SELECT row_number() OVER (ORDER BY s.position)::integer AS place, s.position, s.heading, s.body, r.released_on
FROM sections s JOIN decisions d ON d.id = s.decision_id
LEFT JOIN part_two_releases r ON r.decision_id = s.decision_id AND r.position = s.position
WHERE s.decision_id = @id AND s.part = 2 AND part_two_reader(d.id, @viewer::bigint)
ORDER BY s.position`, acc.args(pgx.NamedArgs{"id": decisionID}))
	if err != nil {
		return nil, fmt.Errorf("Part II of decision %d: %w", decisionID, err)
	}
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByName[PartTwoSection])
	if err != nil {
		return nil, fmt.Errorf("Part II of decision %d: %w", decisionID, err)
	}
	return ss, nil
}

// PartTwoRelease is what an owner releases of a published decision's Part II: sections by
// position, and, when some stay withheld, the new date to review them and why they stay.
type PartTwoRelease struct {
	Positions []int
	ReviewOn  time.Time // a date; zero when every section is released
	Reason    string
}

// ReleasePartTwo releases Part II sections of a published decision, as a signed version of it
// signed by who releases them (a decision maker of its series or an admin): in one transaction
// it records the content as signed as version 1 (the first time), the new version's canonical
// bytes (version 5, which hold the released text, the ground, the day and who released it),
// the releases (the database takes them only beside their version), checks the live content
// hashes to what was signed, and moves the review date of what stays withheld on, with the
// reason, or marks the withholding released when nothing does. It returns the version's number.
func (s *Store) ReleasePartTwo(ctx context.Context, act Act, withholdingID int64, in PartTwoRelease) (int, error) {
	var number int
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		w, err := tx.lockedWithholding(ctx, withholdingID)
		if err != nil {
			return err
		}
		id, ref, err := tx.lockedDecision(ctx, w.Slug)
		if err != nil {
			return err
		}
		if w.What != WithheldPartTwo || w.ReleasedAt != nil || w.Status != decision.StatusPublished {
			return fmt.Errorf("%w: not a withheld Part II of a published decision", ErrConflict)
		}
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		role := ""
		switch {
		case u.Has(decision.RoleDecisionMaker) && slices.Contains(u.Series, w.Series):
			role = "Decision maker"
		case u.Has(decision.RoleAdmin):
			role = "Admin"
		default:
			return refusal("Only the decision makers of its series and admins can release its Part II.")
		}
		sections, err := tx.PartTwoSections(ctx, Staff(u.ID, act.At), id)
		if err != nil {
			return err
		}
		var chosen []PartTwoSection
		left := 0
		for _, sec := range sections {
			switch {
			case slices.Contains(in.Positions, sec.Position) && sec.ReleasedOn != nil:
				return fmt.Errorf("%w: Part II section %d is already released", ErrConflict, sec.Place)
			case slices.Contains(in.Positions, sec.Position):
				chosen = append(chosen, sec)
			case sec.ReleasedOn == nil:
				left++
			}
		}
		switch {
		case len(chosen) == 0 || len(chosen) != len(in.Positions):
			return refusal("Select the sections of Part II to release.")
		case left > 0 && !in.ReviewOn.After(w.ReviewOn):
			return refusal("The new review date must be after " + w.ReviewOn.Format("2 January 2006") + ".")
		case left > 0 && strings.TrimSpace(in.Reason) == "":
			return refusal("Say why the rest of Part II stays withheld.")
		}
		current, err := tx.Content(ctx, id)
		if err != nil {
			return err
		}
		last, err := tx.lastVersion(ctx, id)
		if err != nil {
			return err
		}
		if last == 0 {
			if err := tx.recordFirstVersion(ctx, id, ref, current); err != nil {
				return err
			}
			last = 1
		}
		number = last + 1
		day := act.At.In(londonZone())
		ground := w.Ground
		cite := ground
		if g, ok := decision.GroundByCode(ground); ok {
			cite = g.Cite
		}
		next := current
		next.Released = slices.Clone(current.Released)
		headings := make([]string, len(chosen))
		for i, sec := range chosen {
			next.Released = append(next.Released, decision.ContentRelease{Section: sec.Place, Kind: partTwoKind(current.PartTwo, sec.Place),
				Heading: sec.Heading, Body: sec.Body, Ground: ground, ReleasedOn: day.Format(time.DateOnly), ReleasedBy: u.Name})
			headings[i] = "“" + sec.Heading + "”"
		}
		canonical := decision.Canonical(next)
		hash := decision.ContentHash(next)
		reason := "Part II released: " + strings.Join(headings, ", ") + " (withheld under " + cite + " until then)."
		_, err = tx.db.Exec(ctx, `
INSERT INTO decision_versions (decision_id, number, canonical, content_hash, canonical_version, reason,
	signed_by, signer_name, signer_role, signed_at, created_txid, releases_part_two)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, true)`,
			id, number, canonical, hash, decision.CanonicalVersion, reason, u.ID, u.Name, role, act.At)
		if err != nil {
			return signoffError("record version "+strconv.Itoa(number)+" of "+ref, err)
		}
		for _, sec := range chosen {
			_, err := tx.db.Exec(ctx, `
INSERT INTO part_two_releases (decision_id, position, version, ground, released_on, released_at, released_by, released_name)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, sec.Position, number, ground, day.Format(time.DateOnly), act.At, u.ID, u.Name)
			if err != nil {
				return fmt.Errorf("release Part II of %s: %w", ref, mapError(err))
			}
		}
		now, err := tx.Content(ctx, id)
		if err != nil {
			return err
		}
		if got := decision.ContentHash(now); got != hash {
			return fmt.Errorf("release Part II of %s: the live content hashes to %s, not the signed %s", ref, got, hash)
		}
		detail := map[string]string{"reference": ref, "version": strconv.Itoa(number), "content_sha256": hash,
			"sections": strings.Join(headings, ", "), "ground": ground, "released_by": u.Name}
		if left > 0 {
			if err := tx.ExtendWithholding(ctx, act, w.ID, in.ReviewOn, strings.TrimSpace(in.Reason)); err != nil {
				return err
			}
			detail["rest_review_on"] = in.ReviewOn.Format(time.DateOnly)
		} else if _, err := tx.db.Exec(ctx, `UPDATE withholdings SET released_at = $2 WHERE id = $1`, w.ID, act.At); err != nil {
			return fmt.Errorf("release Part II of %s: %w", ref, mapError(err))
		}
		// The new version gets its own signed decision document, made after this commits.
		if err := tx.enqueueSignedPDFVersion(ctx, id, number, act.At); err != nil {
			return err
		}
		return tx.Audit(ctx, act, id, EventPartTwoReleased, detail)
	})
	return number, err
}

// partTwoKind is the stored kind of the Part II section at place (from 1).
func partTwoKind(partTwo []decision.ContentSection, place int) string {
	if place < 1 || place > len(partTwo) {
		return decision.PartTwoKind
	}
	return partTwo[place-1].Kind
}
