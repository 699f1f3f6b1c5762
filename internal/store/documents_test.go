package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

var (
	paperHash  = strings.Repeat("a1", 32)
	otherHash  = strings.Repeat("b2", 32)
	signedHash = strings.Repeat("c3", 32)
)

func newDocument(name, sha, text string) store.NewDocument {
	return store.NewDocument{Name: name, MediaType: "application/pdf", SHA256: sha, Size: 819, Text: text}
}

// TestDocumentsKeptOnceSigned: drafters attach and remove documents while the decision is a
// draft; each enters the content hash and the search index (at the lowest weight); once it is
// signed neither the application nor the database lets one change, but the signed decision
// document can still be added.
func TestDocumentsKeptOnceSigned(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Now()
	slug := db.awaiting(9201)
	version := func() int {
		d, err := db.st.DecisionBySlug(ctx, store.Staff(db.drafter.ID, now), slug)
		if err != nil {
			t.Fatal(err)
		}
		return d.Version
	}
	act := db.drafter.Act(now)
	before := db.hash(t, slug)
	if err := db.st.AddDocument(ctx, act, slug, store.Base{Version: version()}, newDocument("Business case", paperHash, "The zephyrine evaluation")); err != nil {
		t.Fatal(err)
	}
	if err := db.st.AddDocument(ctx, act, slug, store.Base{Version: version()}, newDocument("Same bytes again", paperHash, "")); !errors.Is(err, store.ErrDuplicateDocument) {
		t.Errorf("the same file twice: %v, want ErrDuplicateDocument", err)
	}
	if err := db.st.AddDocument(ctx, act, slug, store.Base{Version: version() - 1}, newDocument("Stale", otherHash, "")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a stale version: %v, want ErrConflict", err)
	}
	if err := db.st.AddDocument(ctx, db.maker.Act(now), slug, store.Base{Version: version()}, newDocument("Not a drafter", otherHash, "")); !errors.Is(err, decision.ErrNotDrafter) {
		t.Errorf("someone outside the team: %v, want ErrNotDrafter", err)
	}
	if err := db.st.AddDocument(ctx, act, slug, store.Base{Version: version()}, newDocument("Annex", otherHash, "")); err != nil {
		t.Fatal(err)
	}
	if err := db.st.RemoveDocument(ctx, act, slug, store.Base{Version: version()}, otherHash); err != nil {
		t.Fatal(err)
	}
	if err := db.st.RemoveDocument(ctx, act, slug, store.Base{Version: version()}, otherHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing it twice: %v, want ErrNotFound", err)
	}
	hash := db.hash(t, slug)
	if hash == before {
		t.Error("attaching a document left the content hash as it was")
	}
	canon, err := db.st.Canonical(ctx, store.Staff(db.maker.ID, now), slug)
	if err != nil || !strings.Contains(string(canon), `"documents":[{"name":"Business case","media_type":"application/pdf","size":819,"sha256":"`+paperHash+`"}]`) {
		t.Errorf("canonical bytes = %s, %v; want the document in them", canon, err)
	}
	var indexed, weightD bool
	if err := db.pool.QueryRow(ctx, `SELECT search_vector @@ to_tsquery('english', 'zephyrine'),
		search_vector @@ to_tsquery('english', 'zephyrine:D') FROM decisions WHERE slug = $1`, slug).Scan(&indexed, &weightD); err != nil || !indexed || !weightD {
		t.Errorf("a word only in the document: indexed %v, at weight D %v (%v)", indexed, weightD, err)
	}

	for i, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now.Add(time.Duration(i)*time.Second)), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
	if err := db.st.Sign(ctx, db.maker.Act(now), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: now, SeenHash: hash}); err != nil {
		t.Fatal(err)
	}

	// The application refuses.
	if err := db.st.AddDocument(ctx, act, slug, store.Base{Version: version()}, newDocument("Late", otherHash, "")); !errors.Is(err, store.ErrNotEditable) {
		t.Errorf("AddDocument after signing: %v, want ErrNotEditable", err)
	}
	if err := db.st.RemoveDocument(ctx, act, slug, store.Base{Version: version()}, paperHash); !errors.Is(err, store.ErrNotEditable) {
		t.Errorf("RemoveDocument after signing: %v, want ErrNotEditable", err)
	}
	// The signed decision document goes in after signing; only one per signed version.
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	signedDoc := newDocument("Signed decision document", signedHash, "PCD 9201 signed")
	if err := db.st.AddSignedDocument(ctx, store.System(now), id, 1, signedDoc); err != nil {
		t.Fatalf("AddSignedDocument: %v", err)
	}
	signedDoc.SHA256 = otherHash
	if err := db.st.AddSignedDocument(ctx, store.System(now), id, 1, signedDoc); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second signed document: %v, want ErrConflict", err)
	}
	// The database refuses, whatever the application does.
	for _, tt := range []struct{ name, sql string }{
		{"supporting document added", `INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, added_at)
			SELECT id, 9, 'supporting', 'Late', 'text/csv', 1, repeat('d', 64), now() FROM decisions WHERE slug = 'pcd-9201'`},
		{"document renamed", `UPDATE documents SET name = 'Renamed' WHERE sha256 = '` + paperHash + `'`},
		{"document bytes swapped", `UPDATE documents SET sha256 = repeat('e', 64) WHERE sha256 = '` + paperHash + `'`},
		{"document removed", `DELETE FROM documents WHERE sha256 = '` + paperHash + `'`},
		{"signed document replaced", `UPDATE documents SET sha256 = repeat('e', 64) WHERE kind = 'signed'`},
		{"signed document removed", `DELETE FROM documents WHERE kind = 'signed'`},
		{"documents truncated", `TRUNCATE documents`},
	} {
		_, err := db.pool.Exec(ctx, tt.sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: %v, want SQLSTATE 42501", tt.name, err)
		}
	}

	// The public sees both documents, the signed one first, and finds the decision by a word
	// only its paper holds; the signed document is not part of the hash, which still matches.
	pub := store.Public(now.Add(time.Minute))
	docs, err := db.st.Documents(ctx, pub, slug)
	if err != nil || len(docs) != 2 || docs[0].Kind != store.DocumentSigned || docs[1].SHA256 != paperHash {
		t.Errorf("public Documents = %+v, %v", docs, err)
	}
	if f, err := db.st.DocumentByHash(ctx, pub, slug, paperHash); err != nil || !f.Public || f.Name != "Business case" {
		t.Errorf("public DocumentByHash = %+v, %v", f, err)
	}
	q, _ := search.Parse(search.Params{Q: "zephyrine"}, false)
	if page, err := db.st.Search(ctx, pub, q, 10); err != nil || len(page.Results) != 1 || page.Results[0].Reference != "PCD 9201" {
		t.Errorf("public search for a word in the document = %+v, %v", page.Results, err)
	}
	if v, err := db.st.Verify(ctx, pub, slug); err != nil || !v.Checkable || !v.Matches || v.Signature.CanonicalVersion != decision.CanonicalVersion {
		t.Errorf("Verify = %+v, %v; want a match under the current version", v, err)
	}
	if rep, err := db.st.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 || rep.Decisions != 11 {
		t.Errorf("VerifySignatures = %+v, %v", rep, err)
	}

	// A document changed behind the triggers' backs is caught by verify.
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		for _, q := range []string{`ALTER TABLE documents DISABLE TRIGGER USER`,
			`UPDATE documents SET size_bytes = 820 WHERE sha256 = '` + paperHash + `'`,
			`ALTER TABLE documents ENABLE TRIGGER USER`} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := db.st.VerifySignatures(ctx); err != nil || rep.Mismatches != 1 || rep.BadReference != "PCD 9201" {
		t.Errorf("VerifySignatures after tampering = %+v, %v; want PCD 9201 named", rep, err)
	}
}

// TestDraftDocumentsHidden: the public never sees a draft's documents, nor finds the draft by
// their words.
func TestDraftDocumentsHidden(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Now()
	slug := db.awaiting(9202)
	d, err := db.st.DecisionBySlug(ctx, store.Staff(db.drafter.ID, now), slug)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.st.AddDocument(ctx, db.drafter.Act(now), slug, store.Base{Version: d.Version}, newDocument("Draft paper", paperHash, "quokkasecret")); err != nil {
		t.Fatal(err)
	}
	pub := store.Public(now)
	if docs, err := db.st.Documents(ctx, pub, slug); err != nil || len(docs) != 0 {
		t.Errorf("public Documents of a draft = %+v, %v", docs, err)
	}
	if f, err := db.st.DocumentByHash(ctx, pub, slug, paperHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("public DocumentByHash of a draft = %+v, %v; want ErrNotFound", f, err)
	}
	if f, err := db.st.DocumentByHash(ctx, store.Staff(db.drafter.ID, now), slug, paperHash); err != nil || f.Public {
		t.Errorf("staff DocumentByHash of a draft = %+v, %v; want it, marked not public", f, err)
	}
	q, _ := search.Parse(search.Params{Q: "quokkasecret"}, false)
	if page, err := db.st.Search(ctx, pub, q, 10); err != nil || page.Count != 0 {
		t.Errorf("public search for a draft document's word = %+v, %v", page.Results, err)
	}
}

// TestCanonicalV1StillVerifies: a decision signed under version 1 of the canonical form (before
// documents were hashed) keeps verifying under version 1, on its page and in `decisions verify`.
func TestCanonicalV1StillVerifies(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	now := time.Now()
	addDraft(t, pool)
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = 'pcd-99000'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := st.Content(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := decision.ContentHashAs(1, c)
	if v1 == decision.ContentHash(c) {
		t.Fatal("versions 1 and 2 hash alike")
	}
	err = st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, signed_at, content_hash, canonical_version)
			VALUES ($1, 'imported', 'approved', $2, $3, 1)`, id, now, v1); err != nil {
			return err
		}
		return tx.Audit(ctx, store.System(now), id, store.EventImported, map[string]string{"content_sha256": v1})
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.Verify(ctx, staff, "pcd-99000")
	if err != nil || !v.Checkable || !v.Matches || v.CurrentHash != v1 {
		t.Errorf("Verify = %+v, %v; want a match under version 1", v, err)
	}
	canon, err := st.Canonical(ctx, staff, "pcd-99000")
	if err != nil || !strings.HasPrefix(string(canon), `{"format":"decision-register/canonical/v1"`) || strings.Contains(string(canon), "documents") {
		t.Errorf("Canonical = %s, %v; want version 1's bytes", canon, err)
	}
	if rep, err := st.VerifySignatures(ctx); err != nil || rep.Decisions != 11 || rep.Mismatches != 0 {
		t.Errorf("VerifySignatures = %+v, %v; want all 11 to hold", rep, err)
	}
	// A version this program does not know is reported, not guessed at.
	if err := st.Exec(ctx, `ALTER TABLE signatures DISABLE TRIGGER USER; UPDATE signatures SET canonical_version = 9 WHERE decision_id = `+
		draft+`; ALTER TABLE signatures ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.VerifySignatures(ctx); err != nil || rep.Mismatches != 1 || !strings.Contains(rep.Problem, "canonical version 9") {
		t.Errorf("VerifySignatures with version 9 = %+v, %v", rep, err)
	}
}

// TestDocumentSchema: the database refuses documents that break its rules.
func TestDocumentSchema(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	addDraft(t, pool)
	insert := `INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, added_at)
		SELECT id, $1, $2, $3, $4, $5, $6, now() FROM decisions WHERE slug = 'pcd-99000'`
	ok := []any{1, "supporting", "Paper", "application/pdf", 10, paperHash}
	if _, err := pool.Exec(ctx, insert, ok...); err != nil {
		t.Fatalf("a good document: %v", err)
	}
	for _, tt := range []struct {
		name string
		args []any
		code string
	}{
		{"unknown kind", []any{2, "appendix", "Paper", "application/pdf", 10, otherHash}, "23514"},
		{"unknown type", []any{2, "supporting", "Paper", "text/html", 10, otherHash}, "23514"},
		{"empty name", []any{2, "supporting", " ", "application/pdf", 10, otherHash}, "23514"},
		{"empty file", []any{2, "supporting", "Paper", "application/pdf", 0, otherHash}, "23514"},
		{"not a hash", []any{2, "supporting", "Paper", "application/pdf", 10, "ABC"}, "23514"},
		{"same bytes twice", []any{2, "supporting", "Paper", "application/pdf", 10, paperHash}, "23505"},
		{"same position", []any{1, "supporting", "Paper", "application/pdf", 10, otherHash}, "23505"},
	} {
		_, err := pool.Exec(ctx, insert, tt.args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != tt.code {
			t.Errorf("%s: %v, want SQLSTATE %s", tt.name, err, tt.code)
		}
	}
	if _, err := pool.Exec(ctx, `DELETE FROM decisions WHERE slug = 'pcd-99000'`); err == nil {
		t.Error("a decision with documents was deleted: its documents must hold it (ON DELETE RESTRICT)")
	}
}
