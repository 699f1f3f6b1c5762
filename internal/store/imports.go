package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// EventImportRun is the audit entry of one `decisions import` run, with its counts.
const EventImportRun = "import_run"

// ImportedDecision is one decision signed outside the register, as `decisions import` loads it:
// its content, what is known of its signing, and where it came from. Unknown values are nil.
type ImportedDecision struct {
	Ref               decision.Ref
	Title             *string
	Summary           *string
	TextSource        string // published or paraphrase
	Funder            *string
	DecisionMakerName *string
	DecisionMakerRole *string
	DateSigned        *time.Time
	DatePublished     *time.Time
	SourceURL         *string // the decision's page at its source
	Synthetic         bool    // made up by seed-synthetic in the source register
	Recommendations   []string
	Sections          []decision.ContentSection // Part I
	PartTwoHash       string                    // Part II's hash when the source withheld Part II, or ""
	Funding           []decision.ContentFunding
	Links             []decision.ContentLink // to decisions held, in this batch, or not yet imported
	Documents         []NewDocument          // supporting documents, their bytes already in the blob store
	SignedAt          time.Time              // when the imported signature was made
	CanonicalVersion  int                    // the version its content hash is taken under
	ContentHash       string                 // the hash of Content() under CanonicalVersion

	Source        string  // the file it came from, as named in the run
	SourceID      string  // the source's identifier for it
	SourceAddress *string // its address at the source (another register's page), when it has one
	RecordSHA256  string  // the record as read, to know a changed source record on a later run
}

// Content is what the imported signature covers, exactly as Store.Content reads it back.
func (d ImportedDecision) Content() decision.Content {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	docs := make([]decision.ContentDocument, len(d.Documents))
	for i, doc := range d.Documents {
		docs[i] = decision.ContentDocument{Name: doc.Name, MediaType: doc.MediaType, Size: doc.Size, SHA256: doc.SHA256}
	}
	return decision.Content{Reference: d.Ref.String(), Title: deref(d.Title), Summary: deref(d.Summary),
		Funder: deref(d.Funder), Recommendations: d.Recommendations, Sections: d.Sections, PartTwoHash: d.PartTwoHash,
		Funding: d.Funding, Links: d.Links, Documents: docs}
}

// HeldDecision is what the register holds under a reference an import names.
type HeldDecision struct {
	Reference    string  `db:"reference"`
	ContentHash  *string `db:"content_hash"`  // its signature's, if signed
	RecordSHA256 *string `db:"record_sha256"` // the source record it was imported from, if imported
	Source       *string `db:"source"`
}

// HeldDecisions reports which of refs the register holds, by reference.
func (s *Store) HeldDecisions(ctx context.Context, refs []string) (_ map[string]HeldDecision, err error) {
	defer wrap(&err, "decisions held")
	rows, err := s.db.Query(ctx, `
SELECT d.reference, g.content_hash, i.record_sha256, i.source
FROM decisions d LEFT JOIN signatures g ON g.decision_id = d.id LEFT JOIN decision_imports i ON i.decision_id = d.id
WHERE d.reference = ANY($1)`, refs)
	if err != nil {
		return nil, err
	}
	held, err := pgx.CollectRows(rows, pgx.RowToStructByName[HeldDecision])
	if err != nil {
		return nil, err
	}
	out := make(map[string]HeldDecision, len(held))
	for _, h := range held {
		out[h.Reference] = h
	}
	return out, nil
}

// ImportRun is one run of `decisions import`.
type ImportRun struct {
	ID         int64
	Source     string
	ImportedBy string
	StartedAt  time.Time
}

// ImportCounts are what a run did.
type ImportCounts struct {
	Imported  int // decisions added
	Unchanged int // already held as the source has them
	Refused   int // not imported: problems with the record, or a changed source record
	Pending   int // links still waiting for their decision at the end of the run
}

// StartImportRun records the start of a run.
func (s *Store) StartImportRun(ctx context.Context, source, by string, at time.Time) (_ ImportRun, err error) {
	defer wrap(&err, "start import run")
	run := ImportRun{Source: source, ImportedBy: by, StartedAt: at.UTC().Truncate(time.Microsecond)}
	err = s.db.QueryRow(ctx, `INSERT INTO import_runs (source, imported_by, started_at) VALUES ($1, $2, $3) RETURNING id`,
		source, by, run.StartedAt).Scan(&run.ID)
	return run, mapError(err)
}

// FinishImportRun records a run's end and counts, and audits the run as one entry.
func (s *Store) FinishImportRun(ctx context.Context, run ImportRun, c ImportCounts, at time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, `
UPDATE import_runs SET finished_at = $2, imported = $3, unchanged = $4, refused = $5 WHERE id = $1`,
			run.ID, at, c.Imported, c.Unchanged, c.Refused); err != nil {
			return fmt.Errorf("finish import run: %w", mapError(err))
		}
		if err := tx.db.QueryRow(ctx, `SELECT count(*) FROM import_pending_links`).Scan(&c.Pending); err != nil {
			return fmt.Errorf("pending links: %w", err)
		}
		return tx.Audit(ctx, Act{Name: run.ImportedBy, At: at}, 0, EventImportRun, map[string]string{
			"run": strconv.FormatInt(run.ID, 10), "source": run.Source,
			"started_at": run.StartedAt.UTC().Format(time.RFC3339Nano),
			"imported":   strconv.Itoa(c.Imported), "unchanged": strconv.Itoa(c.Unchanged),
			"refused": strconv.Itoa(c.Refused), "pending_links": strconv.Itoa(c.Pending)})
	})
}

// PendingLinks counts the links imported decisions make to decisions not yet held.
func (s *Store) PendingLinks(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM import_pending_links`).Scan(&n)
	return n, err
}

// LoadImported loads a batch of imported decisions in one transaction, with COPY: all of them
// or none. Each gets an 'imported' signature over its content hash and an 'imported' audit
// entry with its signing record and provenance, as the seeded decisions do. A link to a
// decision not held waits in import_pending_links; the links waiting for the batch's decisions
// are made. The caller has checked the batch (references new and distinct, links without loops).
func (s *Store) LoadImported(ctx context.Context, run ImportRun, batch []ImportedDecision, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	return s.InTx(ctx, func(tx *Store) error {
		conn, ok := tx.db.(pgx.Tx)
		if !ok {
			return fmt.Errorf("load imported decisions: not in a transaction")
		}
		var names []string
		for _, d := range batch {
			if d.Funder != nil {
				names = append(names, *d.Funder)
			}
			for _, f := range d.Funding {
				for _, n := range []*string{f.Funder, f.Recipient} {
					if n != nil {
						names = append(names, *n)
					}
				}
			}
		}
		// In one order, so batches loading at once wait for each other's new names, never deadlock.
		slices.Sort(names)
		orgs, err := tx.EnsureOrganisations(ctx, slices.Compact(names))
		if err != nil {
			return err
		}
		orgID := func(name *string) any {
			if name == nil {
				return nil
			}
			return orgs[*name]
		}
		if _, err := conn.Exec(ctx, `SELECT set_config('decisions.defer_search', 'on', true)`); err != nil {
			return fmt.Errorf("defer search indexing: %w", err)
		}
		refs := make([]string, len(batch))
		targets := []string{}
		for i, d := range batch {
			refs[i] = d.Ref.String()
			for _, l := range d.Links {
				targets = append(targets, l.Reference)
			}
		}
		_, err = conn.CopyFrom(ctx, pgx.Identifier{"decisions"}, []string{"series", "ref_year", "number", "reference", "slug",
			"title", "summary", "text_source", "funder_id", "decision_maker_name", "decision_maker_role", "date_signed",
			"date_published", "status", "source_url", "provenance", "created_at", "updated_at", "synthetic"},
			pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
				d := batch[i]
				var year any
				if d.Ref.Year != 0 {
					year = d.Ref.Year
				}
				return []any{d.Ref.Series, year, d.Ref.Number, refs[i], d.Ref.Slug(), d.Title, d.Summary, d.TextSource,
					orgID(d.Funder), d.DecisionMakerName, d.DecisionMakerRole, d.DateSigned, d.DatePublished,
					decision.StatusPublished, d.SourceURL, "verified", at, at, d.Synthetic}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy decisions: %w", mapError(err))
		}
		small, err := registerIsSmall(ctx, conn, len(batch))
		if err != nil {
			return err
		}
		if err := analyzeWhileSmall(ctx, conn, small, "decisions, signatures, decision_links, audit_log"); err != nil {
			return err
		}
		ids := map[string]int64{}
		rows, err := conn.Query(ctx, `SELECT reference, id FROM decisions WHERE reference = ANY($1) OR reference = ANY($2)`, refs, targets)
		if err != nil {
			return fmt.Errorf("imported ids: %w", err)
		}
		var ref string
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&ref, &id}, func() error { ids[ref] = id; return nil }); err != nil {
			return fmt.Errorf("imported ids: %w", err)
		}
		batchIDs := map[string]int64{}
		for _, r := range refs {
			batchIDs[r] = ids[r]
		}

		var recs, secs, funds, links, pending, docs, provs, sigs [][]any
		var audits []AuditEntry
		for i, d := range batch {
			did := ids[refs[i]]
			for p, r := range d.Recommendations {
				recs = append(recs, []any{did, p + 1, r})
			}
			for p, sec := range d.Sections {
				secs = append(secs, []any{did, 1, p + 1, sec.Kind, sec.Heading, sec.Body})
			}
			for p, f := range d.Funding {
				funds = append(funds, []any{did, p + 1, orgID(f.Funder), orgID(f.Recipient), f.AmountPence, f.Currency,
					f.FYStart, f.FYEnd, f.Basis, f.Kind, f.Label, f.PeriodText})
			}
			for _, l := range d.Links {
				if to, ok := ids[l.Reference]; ok {
					links = append(links, []any{did, to, l.Kind})
				} else {
					pending = append(pending, []any{did, l.Kind, l.Reference})
				}
			}
			for p, doc := range d.Documents {
				docs = append(docs, []any{did, p + 1, DocumentSupporting, doc.Name, doc.MediaType, doc.Size, doc.SHA256, doc.Text, at})
			}
			var partTwo any
			if d.PartTwoHash != "" {
				partTwo = d.PartTwoHash
			}
			provs = append(provs, []any{did, run.ID, d.Source, d.SourceID, d.SourceAddress, d.RecordSHA256, partTwo, at, run.ImportedBy})
			sigs = append(sigs, []any{did, "imported", "approved", d.SignedAt, d.ContentHash, d.CanonicalVersion})
			rec := signingRow{Kind: "imported", Outcome: "approved", SignedAt: d.SignedAt, CanonicalVersion: d.CanonicalVersion,
				MakerName: d.DecisionMakerName, MakerRole: d.DecisionMakerRole, DateSigned: d.DateSigned,
				DatePublished: d.DatePublished}.record()
			rec["reference"], rec["content_sha256"] = refs[i], d.ContentHash
			rec["import_run"], rec["source"], rec["source_id"] = strconv.FormatInt(run.ID, 10), d.Source, d.SourceID
			if d.Synthetic {
				rec["synthetic"] = "true"
			}
			detail, _ := json.Marshal(rec)
			audits = append(audits, AuditEntry{At: at, Actor: run.ImportedBy, DecisionID: &did, Event: EventImported, Detail: string(detail)})
		}
		err = copyParts(ctx, conn, small, batchIDs, []copyTable{
			{"recommendations", []string{"decision_id", "position", "body"}, recs},
			{"sections", []string{"decision_id", "part", "position", "kind", "heading", "body"}, secs},
			{"funding_lines", fundingCopyColumns, funds},
			{"decision_links", []string{"from_decision_id", "to_decision_id", "kind"}, links},
			{"documents", []string{"decision_id", "position", "kind", "name", "media_type", "size_bytes", "sha256",
				"extracted_text", "added_at"}, docs},
			{"import_pending_links", []string{"from_decision_id", "kind", "to_reference"}, pending},
			{"decision_imports", []string{"decision_id", "run_id", "source", "source_id", "source_url", "record_sha256",
				"part_two_sha256", "imported_at", "imported_by"}, provs},
		}, sigs)
		if err != nil {
			return err
		}
		if err := tx.resolvePendingLinks(ctx, refs); err != nil {
			return err
		}
		return copySyntheticAudit(ctx, conn, audits)
	})
}

// resolvePendingLinksSQL makes the links signed decisions made to decisions before they were
// held: the same links, now to a row (the trigger lets exactly this through). $1 limits it to
// the targets named, or NULL for every target held.
const resolvePendingLinksSQL = `
WITH made AS (
	INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
	SELECT p.from_decision_id, t.id, p.kind FROM import_pending_links p JOIN decisions t ON t.reference = p.to_reference
	WHERE $1::text[] IS NULL OR p.to_reference = ANY($1)
	RETURNING from_decision_id, to_decision_id, kind)
SELECT count(*) FROM made`

func (s *Store) resolvePendingLinks(ctx context.Context, refs []string) error {
	var made int
	if err := s.db.QueryRow(ctx, resolvePendingLinksSQL, refs).Scan(&made); err != nil {
		return fmt.Errorf("resolve pending links: %w", mapError(err))
	}
	if made == 0 {
		return nil
	}
	_, err := s.db.Exec(ctx, `
DELETE FROM import_pending_links p USING decisions t
WHERE t.reference = p.to_reference AND ($1::text[] IS NULL OR p.to_reference = ANY($1))`, refs)
	if err != nil {
		return fmt.Errorf("resolve pending links: %w", mapError(err))
	}
	return nil
}

// ResolvePendingLinks makes every pending link whose decision is now held: batches loaded at
// once cannot see each other's decisions, so a run ends with this.
func (s *Store) ResolvePendingLinks(ctx context.Context) error {
	return s.InTx(ctx, func(tx *Store) error { return tx.resolvePendingLinks(ctx, nil) })
}
