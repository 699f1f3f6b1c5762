package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Act is who does a write and when: every audited write takes one.
type Act struct {
	UserID int64  // 0 for the register itself
	Name   string // the person's name at the time, or "system"
	At     time.Time
}

// System is an act of the register itself (imports, releases of deferred decisions).
func System(at time.Time) Act { return Act{Name: "system", At: at} }

// Audit events.
const (
	EventCreated         = "created"
	EventEdited          = "edited"
	EventSubmitted       = "submitted"
	EventApproved        = "approved"
	EventReturned        = "returned"
	EventSigned          = "signed"
	EventRejected        = "rejected"
	EventPublished       = "published"
	EventDeferred        = "deferred"
	EventReleased        = "released"
	EventPartTwoRead     = "part_two_read"
	EventImported        = "imported"
	EventSignInSucceeded = "sign_in_succeeded"
	EventSignInFailed    = "sign_in_failed"
	EventUserAdded       = "user_added"
	EventUserChanged     = "user_changed"
	EventChainChanged    = "chain_changed"
)

// GenesisHash is the previous hash of the first entry.
var GenesisHash = strings.Repeat("0", 64)

// auditLockKey serialises appends to the chain across every server instance.
const auditLockKey = 7_310_442_001

// AuditEntry is one entry of the audit trail.
type AuditEntry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	ActorID    *int64    `db:"actor_id"`
	Actor      string    `db:"actor"`
	DecisionID *int64    `db:"decision_id"`
	Event      string    `db:"event"`
	Detail     string    `db:"detail"` // JSON object of strings
	PrevHash   string    `db:"prev_hash"`
	Hash       string    `db:"hash"`
}

// EntryHash is an entry's hash: SHA-256 over a JSON array of a version tag and the entry's
// fields, the previous hash first, times in UTC to the microsecond PostgreSQL keeps.
func EntryHash(e AuditEntry) string {
	b, _ := json.Marshal([]any{"decision-register/audit/v1", e.PrevHash,
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), e.ActorID, e.Actor, e.DecisionID, e.Event, e.Detail})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Audit appends an entry to the trail. It takes the chain's lock for the rest of its
// transaction, so entries are written one after another whatever runs at once.
func (s *Store) Audit(ctx context.Context, act Act, decisionID int64, event string, detail map[string]string) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLockKey)); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
		prev := GenesisHash
		err := tx.db.QueryRow(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
		if err != nil && err != pgx.ErrNoRows {
			return fmt.Errorf("audit chain head: %w", err)
		}
		if detail == nil {
			detail = map[string]string{}
		}
		d, _ := json.Marshal(detail)
		e := AuditEntry{At: act.At.UTC().Truncate(time.Microsecond), Actor: act.Name, Event: event, Detail: string(d), PrevHash: prev}
		if act.UserID != 0 {
			e.ActorID = &act.UserID
		}
		if decisionID != 0 {
			e.DecisionID = &decisionID
		}
		e.Hash = EntryHash(e)
		_, err = tx.db.Exec(ctx, `
INSERT INTO audit_log (at, actor_id, actor, decision_id, event, detail, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.At, e.ActorID, e.Actor, e.DecisionID, e.Event, e.Detail, e.PrevHash, e.Hash)
		if err != nil {
			return fmt.Errorf("append audit entry %s: %w", event, err)
		}
		return nil
	})
}

const auditColumns = `id, at, actor_id, actor, decision_id, event, detail, prev_hash, hash`

// Timeline is a decision's audit entries, oldest first.
func (s *Store) Timeline(ctx context.Context, decisionID int64) ([]AuditEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE decision_id = $1 ORDER BY id`, decisionID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	entries, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return entries, nil
}

// ChainReport is what checking the audit chain found.
type ChainReport struct {
	Entries int
	BadID   int64  // the first entry that does not hold, or 0
	Problem string // what is wrong with it
}

// VerifyAuditChain recomputes every entry's hash and its link to the entry before, in order,
// streaming the rows so a long trail needs no more memory than a short one.
func (s *Store) VerifyAuditChain(ctx context.Context) (ChainReport, error) {
	rows, err := s.db.Query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit chain: %w", err)
	}
	defer rows.Close()
	var rep ChainReport
	prev := GenesisHash
	for rows.Next() {
		e, err := pgx.RowToStructByName[AuditEntry](rows)
		if err != nil {
			return ChainReport{}, fmt.Errorf("read audit entry: %w", err)
		}
		rep.Entries++
		switch {
		case e.PrevHash != prev:
			rep.BadID, rep.Problem = e.ID, "its previous hash does not match the entry before it (an entry was removed, inserted or changed)"
		case EntryHash(e) != e.Hash:
			rep.BadID, rep.Problem = e.ID, "its hash does not match its contents (the entry was changed)"
		}
		if rep.BadID != 0 {
			return rep, nil
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return ChainReport{}, fmt.Errorf("read audit chain: %w", err)
	}
	return rep, nil
}
