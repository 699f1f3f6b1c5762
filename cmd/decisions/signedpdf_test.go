package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
)

// TestSignedPDFMissing: decisions signed in the register before their documents existed get
// one each from `signed-pdf --missing`, once; synthetic and imported decisions get none.
func TestSignedPDFMissing(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, st := openPool(t, dbURL)
	ctx := context.Background()
	now := time.Now()
	maker, err := st.CreateUser(ctx, store.System(now), "signer@example.org", "Sam Signer", "$argon2id$unused",
		store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[int]string{}
	for number, synthetic := range map[int]bool{9201: false, 9202: true} {
		// Written and signed in one transaction: the database refuses an unsigned published
		// decision at commit.
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status, synthetic)
VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Knife crime outreach', 'To accept a grant.', 'published', $2)
RETURNING id`, number, synthetic).Scan(&id)
			if err != nil {
				return err
			}
			for _, q := range []string{
				`INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ($1, 1, 1, 'introduction_and_background', 'Introduction and background', 'Why.')`,
				`INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label) VALUES ($1, 1, 4250000, 'grant_accepted', 'Grant')`,
			} {
				if _, err := tx.Exec(ctx, q, id); err != nil {
					return err
				}
			}
			c, err := store.OnTx(tx).Content(ctx, id)
			if err != nil {
				return err
			}
			hashes[number] = decision.ContentHash(c)
			_, err = tx.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
	content_hash, canonical_version) VALUES ($1, 'signed', 'approved', $2, 'Sam Signer', 'none', $3, $4, $5)`,
				id, maker, now, hashes[number], decision.CanonicalVersion)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	documents := t.TempDir()
	signedPDF := func(args ...string) (string, error) {
		var out bytes.Buffer
		env := map[string]string{"DATABASE_URL": dbURL, "CHROMIUM_PATH": os.Getenv("CHROMIUM_PATH"), "DOCUMENTS_URL": documents}
		err := run(ctx, append([]string{"decisions", "signed-pdf"}, args...), func(k string) string { return env[k] }, nil, &out)
		return out.String(), err
	}
	if out, err := signedPDF(); err == nil {
		t.Errorf("signed-pdf without --missing succeeded:\n%s", out)
	}
	out, err := signedPDF("--missing")
	if err != nil || !strings.Contains(out, "1 signed version waiting for a signed decision document") {
		t.Fatalf("signed-pdf --missing = %v:\n%s\nwant one version done", err, out)
	}
	out, err = signedPDF("--missing")
	if err != nil || !strings.Contains(out, "0 signed versions waiting") {
		t.Fatalf("signed-pdf --missing again = %v:\n%s\nwant nothing left to do", err, out)
	}
	blobs, err := blobstore.Open(ctx, documents)
	if err != nil {
		t.Fatal(err)
	}
	defer blobs.Close()
	rows, err := pool.Query(ctx, `SELECT d.reference, doc.sha256 FROM documents doc JOIN decisions d ON d.id = doc.decision_id
WHERE doc.kind = 'signed'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var ref, sha string
		if err := rows.Scan(&ref, &sha); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
		r, err := blobs.Open(ctx, sha)
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if text := pdftest.Text(t, pdf); !strings.Contains(text, hashes[9201]) || !strings.Contains(text, "£42,500") {
			t.Errorf("%s's signed document lacks its hash or its amount:\n%s", ref, text)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(refs, ",") != "PCD 9201" {
		t.Errorf("signed documents were made for %v, want PCD 9201 alone (not the synthetic one, nor the imported)", refs)
	}
}
