package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DecisionSummary is what a list of decisions shows of each.
type DecisionSummary struct {
	ID                int64      `db:"id"`
	Reference         string     `db:"reference"`
	Slug              string     `db:"slug"`
	Number            int        `db:"number"`
	Title             *string    `db:"title"`
	Summary           *string    `db:"summary"`
	DecisionMakerName *string    `db:"decision_maker_name"`
	DateSigned        *time.Time `db:"date_signed"`
	Status            string     `db:"status"`
	Synthetic         bool       `db:"synthetic"` // made up by seed-synthetic, not a real decision
}

// Decision is one decision's own fields.
type Decision struct {
	DecisionSummary
	Series            string     `db:"series"`
	TextSource        string     `db:"text_source"`
	Funder            *string    `db:"funder"`
	FunderSlug        *string    `db:"funder_slug"` // its organisation page
	DecisionMakerRole *string    `db:"decision_maker_role"`
	DatePublished     *time.Time `db:"date_published"`
	SourceURL         *string    `db:"source_url"`
	Provenance        string     `db:"provenance"`
	ProvenanceNote    *string    `db:"provenance_note"`
	UpdatedAt         time.Time  `db:"updated_at"`
	Version           int        `db:"version"`
	PublishAt         *time.Time `db:"publish_at"`
	DeferralReason    *string    `db:"deferral_reason"`
	WithdrawnAt       *time.Time `db:"withdrawn_at"`
	WithdrawalReason  *string    `db:"withdrawal_reason"`
	// HasPartTwo says whether the decision has a confidential Part II, which every reader may
	// know (the published page says so) even when they may not read it.
	HasPartTwo bool `db:"has_part_two"`
	// MadeHere says the decision was drafted and signed off in this register, not seeded from
	// the owner's published pages (whose background papers the register does not hold).
	MadeHere bool `db:"made_here"`
}

// Section is one numbered part of a decision's body.
type Section struct {
	Part     int    `db:"part"`
	Position int    `db:"position"`
	Kind     string `db:"kind"`
	Heading  string `db:"heading"`
	Body     string `db:"body"`
	// A Part II section released since signing (part_two_releases): the day, and the ground
	// it was withheld on until then. The public reads a released section.
	ReleasedOn     *time.Time `db:"released_on"`
	ReleasedGround *string    `db:"released_ground"`
}

// FundingLine is one amount a decision records.
type FundingLine struct {
	DecisionID  int64   `db:"decision_id"`
	Position    int     `db:"position"`
	Funder      *string `db:"funder"`
	Recipient   *string `db:"recipient"`
	AmountPence int64   `db:"amount_pence"`
	Currency    string  `db:"currency"`
	FYStart     *int    `db:"fy_start"`
	FYEnd       *int    `db:"fy_end"`
	Basis       string  `db:"basis"`
	Kind        string  `db:"kind"`
	Label       string  `db:"label"`
	PeriodText  *string `db:"period_text"`
	// The slugs of the funder's and recipient's organisation pages.
	FunderSlug    *string `db:"funder_slug"`
	RecipientSlug *string `db:"recipient_slug"`
}

// Link is a typed link between this decision and another, seen from this one.
type Link struct {
	Kind     string  `db:"kind"`
	Outgoing bool    `db:"outgoing"` // this decision is the link's "from" side
	Ref      string  `db:"reference"`
	Slug     string  `db:"slug"`
	Title    *string `db:"title"`
}

// ChainMember is one decision of a funding chain, with its place in the chain.
type ChainMember struct {
	DecisionSummary
	Depth int `db:"depth"`
}

// FieldStatus says how sure the register is of one field.
type FieldStatus struct {
	Field  string `db:"field"`
	Status string `db:"status"`
}

// Citation is a page that cites a decision. When that page is the source of a decision the
// register holds, Reference, Slug and Title are that decision's.
type Citation struct {
	URL       string  `db:"url"`
	Reference *string `db:"reference"`
	Slug      *string `db:"slug"`
	Title     *string `db:"title"`
}

// DecisionDetail is everything a decision page shows.
type DecisionDetail struct {
	Decision
	Recommendations []string
	Sections        []Section
	Funding         []FundingLine
	Links           []Link
	Chain           []ChainMember
	ChainFunding    []FundingLine
	Citations       []Citation
	Notes           []string
	FieldStatuses   []FieldStatus
	Documents       []Document // the signed decision document first, then the supporting papers
}

const summaryColumns = `d.id, d.reference, d.slug, d.number, d.title, d.summary, d.decision_maker_name,
	d.date_signed, d.status, d.synthetic`

// listingOrder puts the newest first, unknown dates after known ones, then the highest number.
const listingOrder = `d.date_signed DESC NULLS LAST, d.number DESC, d.id DESC`

const decisionBySlugSQL = `
SELECT ` + summaryColumns + `, d.series, d.text_source, coalesce(k.name, o.name) AS funder, om.slug AS funder_slug, d.decision_maker_role,
	d.date_published, d.source_url, d.provenance, d.provenance_note, d.updated_at, d.version, d.publish_at,
	d.deferral_reason, d.withdrawn_at, d.withdrawal_reason,
	(EXISTS (SELECT 1 FROM sections s WHERE s.decision_id = d.id AND s.part = 2)
		OR EXISTS (SELECT 1 FROM decision_imports i WHERE i.decision_id = d.id AND i.part_two_sha256 IS NOT NULL)) AS has_part_two,
	EXISTS (SELECT 1 FROM decision_drafters dd WHERE dd.decision_id = d.id) AS made_here
FROM decisions d LEFT JOIN organisations o ON o.id = d.funder_id
LEFT JOIN organisations om ON om.id = coalesce(o.merged_into, o.id)
LEFT JOIN kept_organisation_names k ON k.decision_id = d.id AND k.organisation_id = d.funder_id
WHERE d.slug = @slug AND ` + visibleD

const recommendationsSQL = `
SELECT r.body FROM recommendations r JOIN decisions d ON d.id = r.decision_id
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY r.position`

// sectionsSQL returns Part II only to those allowed to read it: the rule lives in the
// database (part_two_reader), so no caller can forget it.
const sectionsSQL = `
SELECT s.part, s.position, s.kind, s.heading, s.body, r.released_on, r.ground AS released_ground
FROM sections s JOIN decisions d ON d.id = s.decision_id
LEFT JOIN part_two_releases r ON r.decision_id = s.decision_id AND r.position = s.position AND s.part = 2
WHERE d.slug = @slug AND ` + visibleD + ` AND ` + partVisible + `
ORDER BY s.part, s.position`

// fundingColumns name each organisation as the decision keeps it (kept_organisation_names, when
// renamed since), and give the slug of its page (that of the organisation it was merged into).
const fundingColumns = `f.decision_id, f.position, coalesce(fk.name, fo.name) AS funder, coalesce(rk.name, ro.name) AS recipient,
	fm.slug AS funder_slug, rm.slug AS recipient_slug, f.amount_pence,
	f.currency, f.fy_start, f.fy_end, f.basis, f.kind, f.label, f.period_text`

const fundingJoins = `
LEFT JOIN organisations fo ON fo.id = f.funder_id
LEFT JOIN organisations ro ON ro.id = f.recipient_id
LEFT JOIN organisations fm ON fm.id = coalesce(fo.merged_into, fo.id)
LEFT JOIN organisations rm ON rm.id = coalesce(ro.merged_into, ro.id)
LEFT JOIN kept_organisation_names fk ON fk.decision_id = f.decision_id AND fk.organisation_id = f.funder_id
LEFT JOIN kept_organisation_names rk ON rk.decision_id = f.decision_id AND rk.organisation_id = f.recipient_id`

const fundingSQL = `
SELECT ` + fundingColumns + `
FROM funding_lines f JOIN decisions d ON d.id = f.decision_id` + fundingJoins + `
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY f.position`

// linkedSQL reads the decision at the other end of a link, aliased d inside its own subquery so
// that visibleD, the one rule for who sees a decision, filters it too (the outer d is the
// decision whose links these are).
const linkedSQL = `SELECT d.reference, d.slug, d.title, d.series, d.ref_year, d.number FROM decisions d WHERE d.id =`

// linksSQL lists related decisions by series, year and number, earlier decisions first: as
// text, "PCD 1047" would sort before "PCD 914".
const linksSQL = `
SELECT kind, outgoing, reference, slug, title FROM (
	SELECT l.kind, true AS outgoing, o.reference, o.slug, o.title, o.series, o.ref_year, o.number
	FROM decision_links l JOIN decisions d ON d.id = l.from_decision_id
	CROSS JOIN LATERAL (` + linkedSQL + ` l.to_decision_id AND ` + visibleD + `) o
	WHERE d.slug = @slug AND ` + visibleD + `
	UNION ALL
	SELECT l.kind, false AS outgoing, o.reference, o.slug, o.title, o.series, o.ref_year, o.number
	FROM decision_links l JOIN decisions d ON d.id = l.to_decision_id
	CROSS JOIN LATERAL (` + linkedSQL + ` l.from_decision_id AND ` + visibleD + `) o
	WHERE d.slug = @slug AND ` + visibleD + `
) links
ORDER BY series, ref_year NULLS FIRST, number, kind`

// chainCTE walks "continues" links both ways from the decision with slug @slug, through
// decisions the reader may see: depth below zero for earlier decisions, above zero for later
// ones. The depth bound stops a bad cycle.
const chainCTE = `
WITH RECURSIVE
start AS (SELECT d.id FROM decisions d WHERE d.slug = @slug AND ` + visibleD + `),
earlier(id, depth) AS (
	SELECT id, 0 FROM start
	UNION
	SELECT l.to_decision_id, e.depth - 1
	FROM decision_links l JOIN earlier e ON l.from_decision_id = e.id JOIN decisions d ON d.id = l.to_decision_id
	WHERE l.kind = 'continues' AND e.depth > -500 AND ` + visibleD + `
),
later(id, depth) AS (
	SELECT id, 0 FROM start
	UNION
	SELECT l.from_decision_id, a.depth + 1
	FROM decision_links l JOIN later a ON l.to_decision_id = a.id JOIN decisions d ON d.id = l.from_decision_id
	WHERE l.kind = 'continues' AND a.depth < 500 AND ` + visibleD + `
),
chain AS (
	SELECT id, min(depth) AS depth FROM (SELECT * FROM earlier UNION ALL SELECT * FROM later) c GROUP BY id
)`

const chainSQL = chainCTE + `
SELECT ` + summaryColumns + `, c.depth
FROM chain c JOIN decisions d ON d.id = c.id
WHERE (SELECT count(*) FROM chain) > 1
ORDER BY c.depth, d.number`

const chainFundingSQL = chainCTE + `
SELECT ` + fundingColumns + `
FROM chain c JOIN funding_lines f ON f.decision_id = c.id` + fundingJoins + `
WHERE (SELECT count(*) FROM chain) > 1
ORDER BY f.decision_id, f.position`

// citationsSQL matches each citing page to the decision whose source it is, ignoring the
// scheme and a leading "www." (the sources spell london.gov.uk both ways). The cited decision is
// aliased d inside its subquery, so visibleD filters it too.
const citationsSQL = `
SELECT c.url, o.reference, o.slug, o.title
FROM decision_citations c JOIN decisions d ON d.id = c.decision_id
LEFT JOIN LATERAL (
	SELECT d.reference, d.slug, d.title FROM decisions d
	WHERE d.source_url IS NOT NULL AND d.id <> c.decision_id AND ` + visibleD + `
		AND regexp_replace(d.source_url, '^https?://(www\.)?', '') = regexp_replace(c.url, '^https?://(www\.)?', '')
	ORDER BY d.number LIMIT 1
) o ON true
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY c.position`

const notesSQL = `
SELECT n.body FROM decision_notes n JOIN decisions d ON d.id = n.decision_id
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY n.position`

const fieldStatusesSQL = `
SELECT f.field, f.status FROM field_statuses f JOIN decisions d ON d.id = f.decision_id
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY f.field`

// DecisionBySlug loads everything a decision page shows to the reader, in one round trip,
// from one snapshot. A decision the reader may not see is ErrNotFound.
func (s *Store) DecisionBySlug(ctx context.Context, acc Access, slug string) (DecisionDetail, error) {
	var dd DecisionDetail
	err := s.inSnapshot(ctx, func(tx *Store) error {
		var err error
		dd, err = tx.decisionBySlug(ctx, acc, slug)
		return err
	})
	return dd, err
}

func (s *Store) decisionBySlug(ctx context.Context, acc Access, slug string) (DecisionDetail, error) {
	var dd DecisionDetail
	args := acc.args(pgx.NamedArgs{"slug": slug})
	b := &pgx.Batch{}
	b.Queue(decisionBySlugSQL, args).Query(func(rows pgx.Rows) error {
		d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Decision])
		dd.Decision = d
		return err
	})
	queueRows(b, recommendationsSQL, args, pgx.RowTo[string], &dd.Recommendations)
	queueRows(b, sectionsSQL, args, pgx.RowToStructByName[Section], &dd.Sections)
	queueRows(b, fundingSQL, args, pgx.RowToStructByName[FundingLine], &dd.Funding)
	queueRows(b, linksSQL, args, pgx.RowToStructByName[Link], &dd.Links)
	queueRows(b, chainSQL, args, pgx.RowToStructByName[ChainMember], &dd.Chain)
	queueRows(b, chainFundingSQL, args, pgx.RowToStructByName[FundingLine], &dd.ChainFunding)
	queueRows(b, citationsSQL, args, pgx.RowToStructByName[Citation], &dd.Citations)
	queueRows(b, notesSQL, args, pgx.RowTo[string], &dd.Notes)
	queueRows(b, fieldStatusesSQL, args, pgx.RowToStructByName[FieldStatus], &dd.FieldStatuses)
	queueRows(b, documentsSQL, args, pgx.RowToStructByName[Document], &dd.Documents)
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return DecisionDetail{}, fmt.Errorf("decision %q: %w", slug, mapError(err))
	}
	return dd, nil
}

// queueRows queues a query whose rows are collected into *dst.
func queueRows[T any](b *pgx.Batch, sql string, args pgx.NamedArgs, fn pgx.RowToFunc[T], dst *[]T) {
	b.Queue(sql, args).Query(func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, fn)
		*dst = out
		return err
	})
}

// SlugByReference finds the slug of the decision with a canonical reference ("PCD 1682"),
// among those the reader may see.
func (s *Store) SlugByReference(ctx context.Context, acc Access, reference string) (string, error) {
	var slug string
	err := s.db.QueryRow(ctx, `SELECT d.slug FROM decisions d WHERE d.reference = @reference AND `+visibleD,
		acc.args(pgx.NamedArgs{"reference": reference})).Scan(&slug)
	if err != nil {
		return "", fmt.Errorf("decision %q: %w", reference, mapError(err))
	}
	return slug, nil
}

// SlugsByNumber returns the slugs of at most limit decisions the reader may see numbered n, in
// any series, the PCD one first.
func (s *Store) SlugsByNumber(ctx context.Context, acc Access, n, limit int) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT d.slug FROM decisions d WHERE d.number = @number AND `+visibleD+`
ORDER BY d.series <> 'PCD', d.series, d.ref_year DESC NULLS FIRST LIMIT @limit`,
		acc.args(pgx.NamedArgs{"number": n, "limit": limit}))
	if err != nil {
		return nil, fmt.Errorf("decisions numbered %d: %w", n, err)
	}
	slugs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("decisions numbered %d: %w", n, err)
	}
	return slugs, nil
}

// SlugsByReference maps those of the canonical references ("PCD 1682") that the register
// holds, and the reader may see, to their slugs.
func (s *Store) SlugsByReference(ctx context.Context, acc Access, references []string) (map[string]string, error) {
	out := map[string]string{}
	if len(references) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT d.reference, d.slug FROM decisions d WHERE d.reference = ANY(@references) AND `+visibleD,
		acc.args(pgx.NamedArgs{"references": references}))
	if err != nil {
		return nil, fmt.Errorf("slugs by reference: %w", err)
	}
	var ref, slug string
	_, err = pgx.ForEachRow(rows, []any{&ref, &slug}, func() error {
		out[ref] = slug
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("slugs by reference: %w", err)
	}
	return out, nil
}

// ListParams selects a page of decisions.
type ListParams struct {
	Words string // matched, case-insensitively, in titles and summaries; empty for all
	// Reference, when set, is a canonical reference ("PCD 1682") typed with the words: its
	// decision is listed first, whether or not the words match it.
	Reference string
	Limit     int
	Offset    int
}

// DecisionPage is one page of a list and the size of the whole list.
type DecisionPage struct {
	Decisions []DecisionSummary
	Funding   []FundingLine // the funding lines of the decisions on the page
	Total     int
	Dated     int // how many of the Total have a known date signed
}

const listWhere = `
WHERE (@pattern = '' OR d.title ILIKE @pattern ESCAPE '\' OR d.summary ILIKE @pattern ESCAPE '\') AND ` + visibleD

const listSQL = `
SELECT ` + summaryColumns + `
FROM decisions d` + listWhere + `
ORDER BY ` + listingOrder + `
LIMIT @limit OFFSET @offset`

// countSQL counts the matches and, of them, those with a known date signed, so a page can say
// what its order really is.
const countSQL = `
SELECT count(*), count(d.date_signed) FROM decisions d` + listWhere

// A reference typed before the words (@reference) matches its decision too, which comes first. These
// are separate statements so that the plain list keeps its index order.
const withReferenceWhere = `
WHERE (d.title ILIKE @pattern ESCAPE '\' OR d.summary ILIKE @pattern ESCAPE '\' OR d.reference = @reference) AND ` + visibleD

const listWithReferenceSQL = `
SELECT ` + summaryColumns + `
FROM decisions d` + withReferenceWhere + `
ORDER BY d.reference = @reference DESC, ` + listingOrder + `
LIMIT @limit OFFSET @offset`

const countWithReferenceSQL = `
SELECT count(*), count(d.date_signed) FROM decisions d` + withReferenceWhere

const fundingForSQL = `
SELECT ` + fundingColumns + `
FROM funding_lines f` + fundingJoins + `
WHERE f.decision_id = ANY($1) ORDER BY f.decision_id, f.position`

// ListDecisions returns one page of the decisions the reader may see, newest first (by date
// signed, unknown dates last, then by number), with their funding lines.
func (s *Store) ListDecisions(ctx context.Context, acc Access, p ListParams) (DecisionPage, error) {
	pattern := ""
	if p.Words != "" {
		pattern = "%" + likeEscaper.Replace(p.Words) + "%"
	}
	args := acc.args(pgx.NamedArgs{"pattern": pattern, "reference": p.Reference, "limit": p.Limit, "offset": p.Offset})
	var page DecisionPage
	b := &pgx.Batch{}
	countQ, listQ := countSQL, listSQL
	if p.Reference != "" {
		countQ, listQ = countWithReferenceSQL, listWithReferenceSQL
	}
	b.Queue(countQ, args).QueryRow(func(row pgx.Row) error { return row.Scan(&page.Total, &page.Dated) })
	b.Queue(listQ, args).Query(func(rows pgx.Rows) error {
		var err error
		page.Decisions, err = pgx.CollectRows(rows, pgx.RowToStructByName[DecisionSummary])
		return err
	})
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return DecisionPage{}, fmt.Errorf("list decisions: %w", err)
	}
	ids := make([]int64, len(page.Decisions))
	for i, d := range page.Decisions {
		ids[i] = d.ID
	}
	rows, err := s.db.Query(ctx, fundingForSQL, ids)
	if err != nil {
		return DecisionPage{}, fmt.Errorf("funding for list: %w", err)
	}
	page.Funding, err = pgx.CollectRows(rows, pgx.RowToStructByName[FundingLine])
	if err != nil {
		return DecisionPage{}, fmt.Errorf("funding for list: %w", err)
	}
	return page, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
