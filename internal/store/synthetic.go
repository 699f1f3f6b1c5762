package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// SyntheticDecision is one generated decision with everything that hangs off it, as
// `decisions seed-synthetic` loads it. Organisations are named; links point at decisions of
// the same run by their index in it, or at decisions already loaded by reference.
type SyntheticDecision struct {
	Series            string
	Number            int
	Title             string
	Summary           string
	Funder            string // an organisation's name
	DecisionMakerName string
	DecisionMakerRole string
	DateSigned        *time.Time
	DatePublished     *time.Time
	Status            string // draft, approved (deferred), published or rejected
	PublishAt         *time.Time
	DeferralReason    *string
	SignedAt          *time.Time // when the signature was made: set for every signed status
	Recommendations   []string
	Sections          []decision.ContentSection // Part I
	PartTwo           []decision.ContentSection
	Funding           []decision.ContentFunding // funders and recipients by name
	Continues         string                    // the reference of the decision this one continues, or ""
	PartTwoSalt       string                    // 32 hex digits, as the decisions table keeps it
}

// Ref is the decision's reference.
func (d SyntheticDecision) Ref() decision.Ref {
	return decision.Ref{Series: d.Series, Number: d.Number}
}

// Content is what a signature on the decision covers, exactly as Store.Content reads it back.
func (d SyntheticDecision) Content() decision.Content {
	c := decision.Content{
		Reference:       d.Ref().String(),
		Title:           d.Title,
		Summary:         d.Summary,
		Funder:          d.Funder,
		Recommendations: d.Recommendations,
		Sections:        d.Sections,
		PartTwo:         d.PartTwo,
		PartTwoSalt:     d.PartTwoSalt,
		Funding:         d.Funding,
	}
	if d.Continues != "" {
		c.Links = []decision.ContentLink{{Kind: "continues", Reference: d.Continues}}
	}
	return c
}

// SyntheticState is what the database already holds, as seed-synthetic needs to know it.
type SyntheticState struct {
	Decisions    int            // decisions of every kind
	Synthetic    int            // decisions made by earlier runs
	PeopleWork   int            // decisions drafted by people, and staff accounts
	LastNumber   map[string]int // the highest number used in each series, by anyone
	Organisation map[string]int64
}

// SyntheticState reports what the database holds before a synthetic run.
func (s *Store) SyntheticState(ctx context.Context) (_ SyntheticState, err error) {
	defer wrap(&err, "synthetic state")
	st := SyntheticState{LastNumber: map[string]int{}, Organisation: map[string]int64{}}
	err = s.db.QueryRow(ctx, `
SELECT (SELECT count(*) FROM decisions), (SELECT count(*) FROM decisions WHERE synthetic),
	(SELECT count(*) FROM decisions WHERE NOT synthetic AND drafted_by IS NOT NULL) + (SELECT count(*) FROM users)`).
		Scan(&st.Decisions, &st.Synthetic, &st.PeopleWork)
	if err != nil {
		return SyntheticState{}, err
	}
	rows, err := s.db.Query(ctx, `SELECT series, max(number) FROM decisions GROUP BY series`)
	if err != nil {
		return SyntheticState{}, err
	}
	var series string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&series, &n}, func() error { st.LastNumber[series] = n; return nil }); err != nil {
		return SyntheticState{}, err
	}
	return st, nil
}

// EnsureOrganisations adds the organisations not yet held and returns every one's id by name.
func (s *Store) EnsureOrganisations(ctx context.Context, names []string) (map[string]int64, error) {
	if _, err := s.db.Exec(ctx, `
INSERT INTO organisations (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, names); err != nil {
		return nil, fmt.Errorf("add organisations: %w", mapError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT name, id FROM organisations WHERE name = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	out := map[string]int64{}
	var name string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error { out[name] = id; return nil }); err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return out, nil
}

// LoadSynthetic loads a batch of synthetic decisions in one transaction with COPY. Each signed
// decision (published, deferred or rejected) gets an 'imported' signature over its canonical
// content hash and an audit entry recording that hash, chained in Go from the trail's head,
// which it locks last: `decisions verify` checks them like any other.
// orgs maps every organisation named in the batch to its id.
func (s *Store) LoadSynthetic(ctx context.Context, batch []SyntheticDecision, orgs map[string]int64, at time.Time) error {
	_, _, err := s.loadSynthetic(ctx, batch, orgs, at, true)
	return err
}

// LoadSyntheticUnderived loads a batch as LoadSynthetic does, but leaves the decisions' search
// document, total, financial years and funders empty, for a bulk load to fill (DeriveRange):
// it returns the lowest and highest id the batch's decisions got.
func (s *Store) LoadSyntheticUnderived(ctx context.Context, batch []SyntheticDecision, orgs map[string]int64, at time.Time) (lo, hi int64, err error) {
	return s.loadSynthetic(ctx, batch, orgs, at, false)
}

func (s *Store) loadSynthetic(ctx context.Context, batch []SyntheticDecision, orgs map[string]int64, at time.Time, derive bool) (lo, hi int64, err error) {
	at = at.UTC().Truncate(time.Microsecond)
	err = s.InTx(ctx, func(tx *Store) error {
		conn, ok := tx.db.(pgx.Tx)
		if !ok {
			return fmt.Errorf("load synthetic decisions: not in a transaction")
		}
		orgID := func(name *string) any {
			if name == nil {
				return nil
			}
			return orgs[*name]
		}
		// Index each decision once, when its parts are in (migration 000021), not per statement.
		if _, err := conn.Exec(ctx, `SELECT set_config('decisions.defer_search', 'on', true)`); err != nil {
			return fmt.Errorf("defer search indexing: %w", err)
		}
		refs := make([]string, len(batch))
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"decisions"}, []string{"series", "number", "reference", "slug",
			"title", "summary", "text_source", "funder_id", "decision_maker_name", "decision_maker_role", "date_signed",
			"date_published", "status", "publish_at", "deferral_reason", "provenance", "created_at", "updated_at", "synthetic",
			"part_two_salt"},
			pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
				d := batch[i]
				refs[i] = d.Ref().String()
				return []any{d.Series, d.Number, refs[i], d.Ref().Slug(), d.Title, d.Summary, "published",
					orgID(&d.Funder), d.DecisionMakerName, d.DecisionMakerRole, d.DateSigned, d.DatePublished, d.Status,
					d.PublishAt, d.DeferralReason, "verified", at, at, true, d.PartTwoSalt}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy decisions: %w", mapError(err))
		}
		small, err := registerIsSmall(ctx, conn, len(batch))
		if err != nil {
			return err
		}
		// The guard on each part row looks the decision up in signatures.
		if err := analyzeWhileSmall(ctx, conn, small, "decisions, signatures, decision_links, audit_log"); err != nil {
			return err
		}
		ids := map[string]int64{}
		continued := []string{}
		for _, d := range batch {
			if d.Continues != "" {
				continued = append(continued, d.Continues)
			}
		}
		rows, err := conn.Query(ctx, `SELECT reference, id FROM decisions WHERE reference = ANY($1) OR reference = ANY($2)`, refs, continued)
		if err != nil {
			return fmt.Errorf("synthetic ids: %w", err)
		}
		var ref string
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&ref, &id}, func() error { ids[ref] = id; return nil }); err != nil {
			return fmt.Errorf("synthetic ids: %w", err)
		}

		var recs, secs, funds, links, sigs [][]any
		var audits []AuditEntry
		for i, d := range batch {
			did := ids[refs[i]]
			if i == 0 || did < lo {
				lo = did
			}
			hi = max(hi, did)
			for p, r := range d.Recommendations {
				recs = append(recs, []any{did, p + 1, r})
			}
			for p, sec := range d.Sections {
				secs = append(secs, []any{did, 1, p + 1, sec.Kind, sec.Heading, sec.Body})
			}
			for p, sec := range d.PartTwo {
				secs = append(secs, []any{did, 2, p + 1, sec.Kind, sec.Heading, sec.Body})
			}
			for p, f := range d.Funding {
				funds = append(funds, []any{did, p + 1, orgID(f.Funder), orgID(f.Recipient), f.AmountPence, f.Currency,
					f.FYStart, f.FYEnd, f.Basis, f.Kind, f.Label, f.PeriodText})
			}
			if d.Continues != "" {
				to, ok := ids[d.Continues]
				if !ok {
					return fmt.Errorf("synthetic %s continues %s, which is not held", refs[i], d.Continues)
				}
				links = append(links, []any{did, to, "continues"})
			}
			if d.SignedAt == nil {
				continue
			}
			outcome := "approved"
			if d.Status == "rejected" {
				outcome = "rejected"
			}
			hash := decision.ContentHash(d.Content())
			sigs = append(sigs, []any{did, "imported", outcome, *d.SignedAt, hash, decision.CanonicalVersion})
			rec := signingRow{Kind: "imported", Outcome: outcome, SignedAt: *d.SignedAt, CanonicalVersion: decision.CanonicalVersion,
				MakerName: &d.DecisionMakerName, MakerRole: &d.DecisionMakerRole, DateSigned: d.DateSigned,
				PublishAt: d.PublishAt, DeferralReason: d.DeferralReason, DatePublished: d.DatePublished}.record()
			rec["reference"], rec["content_sha256"], rec["synthetic"] = refs[i], hash, "true"
			detail, _ := json.Marshal(rec)
			audits = append(audits, AuditEntry{At: at, Actor: "system", DecisionID: &did, Event: EventImported, Detail: string(detail)})
		}
		indexed := ids
		if !derive {
			indexed = nil
		}
		err = copyParts(ctx, conn, small, indexed, []copyTable{
			{"recommendations", []string{"decision_id", "position", "body"}, recs},
			{"sections", []string{"decision_id", "part", "position", "kind", "heading", "body"}, secs},
			{"funding_lines", fundingCopyColumns, funds},
			{"decision_links", []string{"from_decision_id", "to_decision_id", "kind"}, links},
		}, sigs)
		if err != nil {
			return err
		}
		return copySyntheticAudit(ctx, conn, audits)
	})
	return lo, hi, err
}

// copyTable is one table's rows for a bulk load, in its columns' order.
type copyTable struct {
	table string
	cols  []string
	rows  [][]any
}

// fundingCopyColumns are the funding_lines columns a bulk load's rows give, in order.
var fundingCopyColumns = []string{"decision_id", "position", "funder_id", "recipient_id", "amount_pence", "currency",
	"fy_start", "fy_end", "basis", "kind", "label", "period_text"}

// copyParts copies a bulk load's rows that hang off its decisions (ids, by reference), table by
// table, then indexes the decisions for search once each (unless ids is nil: a bulk load
// derives them afterwards), and copies their signatures last
// (columns decision_id, kind, outcome, signed_at, content_hash, canonical_version): the content
// triggers refuse part rows of a signed decision.
func copyParts(ctx context.Context, conn pgx.Tx, small bool, ids map[string]int64, tables []copyTable, sigs [][]any) error {
	for _, c := range tables {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, mapError(err))
		}
	}
	if err := analyzeWhileSmall(ctx, conn, small, "recommendations, sections, funding_lines, organisations"); err != nil {
		return err
	}
	if ids != nil {
		if err := refreshSearch(ctx, conn, ids); err != nil {
			return err
		}
	}
	if len(sigs) == 0 {
		return nil
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"signatures"},
		[]string{"decision_id", "kind", "outcome", "signed_at", "content_hash", "canonical_version"}, pgx.CopyFromRows(sigs))
	if err != nil {
		return fmt.Errorf("copy signatures: %w", mapError(err))
	}
	return nil
}

// copySyntheticAudit appends a batch's audit entries, chained from the trail's head, which it
// locks last, as every transaction does (docs/architecture.md, "Lock order"): the entries name
// only the batch's own new decisions.
func copySyntheticAudit(ctx context.Context, conn pgx.Tx, audits []AuditEntry) error {
	if len(audits) == 0 {
		return nil
	}
	var head string
	if err := conn.QueryRow(ctx, `SELECT hash FROM audit_head FOR UPDATE`).Scan(&head); err != nil {
		return fmt.Errorf("audit chain head: %w", err)
	}
	rows := make([][]any, len(audits))
	for i, e := range audits {
		e.PrevHash = head
		e.Hash = EntryHash(e)
		head = e.Hash
		rows[i] = []any{e.At, nil, e.Actor, *e.DecisionID, e.Event, e.Detail, e.PrevHash, e.Hash}
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"at", "actor_id", "actor", "decision_id", "event", "detail", "prev_hash", "hash"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy audit_log: %w", mapError(err))
	}
	if _, err := conn.Exec(ctx, `UPDATE audit_head SET hash = $1, entries = entries + $2`, head, len(audits)); err != nil {
		return fmt.Errorf("audit chain head: %w", err)
	}
	return nil
}

// registerIsSmall reports whether the register holds few batches, by the planner's own count
// (read once a batch, before the batch's first ANALYZE moves it).
func registerIsSmall(ctx context.Context, conn pgx.Tx, batch int) (bool, error) {
	var tuples float64
	if err := conn.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'decisions'::regclass`).Scan(&tuples); err != nil {
		return false, fmt.Errorf("decisions' statistics: %w", err)
	}
	return tuples < float64(4*batch), nil
}

// analyzeWhileSmall refreshes the planner's statistics of tables while the register holds
// few batches. Planned from the statistics of emptier tables (and those plans kept by the
// session), the guard on each part row and the indexing scanned whole tables for each
// decision: the first 20,000 decisions took 82 s, each 10,000 after that 10 s, and a batch's
// sections took longer with each batch. Later batches barely move the statistics, and
// autovacuum keeps up with them.
func analyzeWhileSmall(ctx context.Context, conn pgx.Tx, small bool, tables string) error {
	if !small {
		return nil
	}
	// Rows this transaction added count: ANALYZE samples them as live.
	if _, err := conn.Exec(ctx, `ANALYZE `+tables); err != nil {
		return fmt.Errorf("analyze for indexing: %w", err)
	}
	return nil
}

// refreshSearch builds the search document of the batch's decisions and counts them in the
// organisations' totals, once each, and turns per-statement indexing back on for the rest of
// the transaction.
func refreshSearch(ctx context.Context, conn pgx.Tx, ids map[string]int64) error {
	all := make([]int64, 0, len(ids))
	for _, id := range ids {
		all = append(all, id)
	}
	if _, err := conn.Exec(ctx, `SELECT refresh_decision_search($1), refresh_organisation_totals($1), set_config('decisions.defer_search', 'off', true)`, all); err != nil {
		return fmt.Errorf("index synthetic decisions: %w", err)
	}
	return nil
}
