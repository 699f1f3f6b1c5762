package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// Document kinds: papers the drafters attach, and the register's own signed decision document.
const (
	DocumentSupporting = "supporting"
	DocumentSigned     = "signed"
)

// ErrDuplicateDocument means the decision already holds a document with the same bytes.
var ErrDuplicateDocument = errors.New("the decision already holds this document")

// Document is one document of a decision, as readers see it. Its bytes are in the blob store
// under SHA256.
type Document struct {
	DecisionID int64     `db:"decision_id"`
	Position   int       `db:"position"`
	Kind       string    `db:"kind"`
	Name       string    `db:"name"`
	MediaType  string    `db:"media_type"`
	Size       int64     `db:"size_bytes"`
	SHA256     string    `db:"sha256"`
	AddedAt    time.Time `db:"added_at"`
}

// NewDocument is a document to attach: the name readers see, and what document.Receive found
// in the file (its bytes are stored by then).
type NewDocument struct {
	Name      string
	MediaType string
	SHA256    string
	Size      int64
	Text      string // extracted for search
}

const documentColumns = `doc.decision_id, doc.position, doc.kind, doc.name, doc.media_type, doc.size_bytes, doc.sha256, doc.added_at`

// documentsSQL lists a decision's documents for a reader who may see the decision: the signed
// decision document first, then the supporting papers in the order they were attached.
const documentsSQL = `
SELECT ` + documentColumns + `
FROM documents doc JOIN decisions d ON d.id = doc.decision_id
WHERE d.slug = @slug AND ` + visibleD + `
ORDER BY doc.kind = 'signed' DESC, doc.position`

// Documents lists the documents of a decision the reader may see.
func (s *Store) Documents(ctx context.Context, acc Access, slug string) ([]Document, error) {
	rows, err := s.db.Query(ctx, documentsSQL, acc.args(pgx.NamedArgs{"slug": slug}))
	if err != nil {
		return nil, fmt.Errorf("documents of %s: %w", slug, err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Document])
	if err != nil {
		return nil, fmt.Errorf("documents of %s: %w", slug, err)
	}
	return docs, nil
}

// DocumentFile is a document found for download, and whether the public may read it, which
// decides how it may be cached.
type DocumentFile struct {
	Document
	Public bool
}

// DocumentByHash finds the document with a hash of a decision the reader may see.
func (s *Store) DocumentByHash(ctx context.Context, acc Access, slug, sha string) (DocumentFile, error) {
	args := acc.args(pgx.NamedArgs{"slug": slug, "sha": sha})
	rows, err := s.db.Query(ctx, `
SELECT `+documentColumns+`,
	(d.status = 'published' OR (d.status = 'approved' AND d.publish_at <= @now AND NOT d.release_held)) AS public
FROM documents doc JOIN decisions d ON d.id = doc.decision_id
WHERE d.slug = @slug AND doc.sha256 = @sha AND `+visibleD, args)
	if err != nil {
		return DocumentFile{}, fmt.Errorf("document %s of %s: %w", sha, slug, err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DocumentFile])
	if err != nil {
		return DocumentFile{}, fmt.Errorf("document %s of %s: %w", sha, slug, mapError(err))
	}
	return f, nil
}

const insertDocumentSQL = `
INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, extracted_text, added_at, added_by,
	signed_version)
SELECT $1, coalesce(max(position), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM documents WHERE decision_id = $1`

// insertDocument adds a document of kind; signedVersion is the version a signed decision
// document prints, nil for a supporting one.
func (s *Store) insertDocument(ctx context.Context, act Act, decisionID int64, kind string, signedVersion *int, d NewDocument) error {
	var by *int64
	if act.UserID != 0 {
		by = &act.UserID
	}
	_, err := s.db.Exec(ctx, insertDocumentSQL, decisionID, kind, decision.CleanText(d.Name), d.MediaType, d.Size,
		d.SHA256, d.Text, act.At, by, signedVersion)
	err = mapError(err)
	if errors.Is(err, ErrConflict) {
		return ErrDuplicateDocument
	}
	if err != nil {
		return fmt.Errorf("add document to decision %d: %w", decisionID, err)
	}
	return nil
}

// AddDocument attaches a supporting document to a draft, as an edit (see edit): it moves the
// version on and clears live approvals, since the document is part of what is signed.
func (s *Store) AddDocument(ctx context.Context, act Act, slug string, base Base, d NewDocument) error {
	return s.edit(ctx, act, slug, base, PartDocuments, "documents", func(tx *Store, id int64) error {
		if err := tx.insertDocument(ctx, act, id, DocumentSupporting, nil, d); err != nil {
			return err
		}
		return tx.Audit(ctx, act, id, EventDocumentAdded, map[string]string{"name": decision.CleanText(d.Name), "sha256": d.SHA256})
	})
}

// RemoveDocument takes a supporting document off a draft. Its bytes stay in the blob store:
// another decision may hold the same file.
func (s *Store) RemoveDocument(ctx context.Context, act Act, slug string, base Base, sha string) error {
	return s.edit(ctx, act, slug, base, PartDocuments, "documents", func(tx *Store, id int64) error {
		var name string
		err := tx.db.QueryRow(ctx, `DELETE FROM documents WHERE decision_id = $1 AND sha256 = $2 AND kind = 'supporting' RETURNING name`,
			id, sha).Scan(&name)
		if err != nil {
			return fmt.Errorf("remove document %s from %s: %w", sha, slug, mapError(err))
		}
		return tx.Audit(ctx, act, id, EventDocumentRemoved, map[string]string{"name": name, "sha256": sha})
	})
}

// AddSignedDocument attaches the register's signed decision document (kind 'signed') of a
// signed version to a decision: the one document the database lets in after signing, since it
// is made from the signed content and holds its hash. A version has at most one: a second is
// ErrConflict.
func (s *Store) AddSignedDocument(ctx context.Context, act Act, decisionID int64, version int, d NewDocument) error {
	return s.InTx(ctx, func(tx *Store) error {
		// The lock orders concurrent inserts, so each sees the other's position.
		if _, err := tx.db.Exec(ctx, `SELECT id FROM decisions WHERE id = $1 FOR UPDATE`, decisionID); err != nil {
			return fmt.Errorf("lock decision %d: %w", decisionID, mapError(err))
		}
		err := tx.insertDocument(ctx, act, decisionID, DocumentSigned, &version, d)
		if errors.Is(err, ErrDuplicateDocument) {
			return fmt.Errorf("signed document of decision %d: %w", decisionID, ErrConflict)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, act, decisionID, EventDocumentAdded, map[string]string{"name": decision.CleanText(d.Name), "sha256": d.SHA256, "kind": DocumentSigned,
			"version": strconv.Itoa(version)})
	})
}
