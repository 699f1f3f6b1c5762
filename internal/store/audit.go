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
	// Auth is how the person last proved who they are (password, password+totp, sso, ...), kept
	// in the entry's detail as "auth" when set: signing and clearing steps record it.
	Auth string
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
	EventDrafterAdded    = "drafter_added"
	EventDocumentAdded   = "document_added"
	EventDocumentRemoved = "document_removed"
	EventDraftDiscarded  = "draft_discarded"
	// EventStepKindChanged is a kind of step's service level or escalation contact changed.
	EventStepKindChanged = "step_kind_changed"
)

// GenesisHash is the previous hash of the first entry.
var GenesisHash = strings.Repeat("0", 64)

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

// Audit appends an entry to the trail. Inside a transaction the entry is appended when the
// transaction's work is done, just before it commits (appendAudit), so that taking the trail's
// head is the last thing any transaction does; outside one it is a transaction of its own.
func (s *Store) Audit(ctx context.Context, act Act, decisionID int64, event string, detail map[string]string) error {
	if s.tx == nil {
		return s.InTx(ctx, func(tx *Store) error { return tx.Audit(ctx, act, decisionID, event, detail) })
	}
	if detail == nil {
		detail = map[string]string{}
	}
	if act.Auth != "" {
		detail["auth"] = act.Auth
	}
	d, _ := json.Marshal(detail)
	e := AuditEntry{At: act.At.UTC().Truncate(time.Microsecond), Actor: act.Name, Event: event, Detail: string(d)}
	if act.UserID != 0 {
		e.ActorID = &act.UserID
	}
	if decisionID != 0 {
		e.DecisionID = &decisionID
	}
	s.tx.audit = append(s.tx.audit, e)
	return nil
}

// appendAudit appends the entries the transaction asked for, in the lock order (see
// docs/architecture.md, "Lock order"): first the decisions and then the users they name, each
// in id order, FOR KEY SHARE (the lock the entries' foreign keys take anyway, taken here before
// the head rather than after it); then the trail's head, FOR UPDATE, last. So a transaction
// that holds the head never waits for another lock, and no deadlock can pass through it. The
// head's lock also writes entries from any number of instances one after another, and makes a
// transaction whose snapshot is older than the head fail (and run again) instead of forking the
// chain.
func (s *Store) appendAudit(ctx context.Context) error {
	entries := s.tx.audit
	if len(entries) == 0 {
		return nil
	}
	var decisions, users []int64
	for _, e := range entries {
		if e.DecisionID != nil {
			decisions = append(decisions, *e.DecisionID)
		}
		if e.ActorID != nil {
			users = append(users, *e.ActorID)
		}
	}
	for _, lock := range []struct {
		sql string
		ids []int64
	}{
		{`SELECT 1 FROM decisions WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, decisions},
		{`SELECT 1 FROM users WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, users},
	} {
		if len(lock.ids) == 0 {
			continue
		}
		if _, err := s.db.Exec(ctx, lock.sql, lock.ids); err != nil {
			return fmt.Errorf("lock what the audit entries name: %w", err)
		}
	}
	var prev string
	if err := s.db.QueryRow(ctx, `SELECT hash FROM audit_head FOR UPDATE`).Scan(&prev); err != nil {
		return fmt.Errorf("audit chain head: %w", err)
	}
	b := &pgx.Batch{}
	for i := range entries {
		e := &entries[i]
		e.PrevHash = prev
		e.Hash = EntryHash(*e)
		prev = e.Hash
		b.Queue(`
INSERT INTO audit_log (at, actor_id, actor, decision_id, event, detail, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.At, e.ActorID, e.Actor, e.DecisionID, e.Event, e.Detail, e.PrevHash, e.Hash)
	}
	b.Queue(`UPDATE audit_head SET hash = $1, entries = entries + $2`, prev, len(entries))
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("append audit entries (%s): %w", entries[0].Event, mapError(err))
	}
	s.tx.audit = nil
	return nil
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
	Head    string // the last entry's hash, to compare with an earlier run's
	BadID   int64  // the first entry that does not hold, -1 when the trail's end does not, or 0
	Problem string // what is wrong with it
	// HashAt holds the hash of the entry at each length asked for (the n-th entry, oldest
	// first; the genesis hash for 0), for comparing with signed checkpoints. A length the
	// trail does not reach is absent.
	HashAt map[int64]string
}

// VerifyAuditChain recomputes every entry's hash and its link to the entry before, in order,
// streaming the rows so a long trail needs no more memory than a short one. It notes the hash
// at each of the lengths given. The trail and its head are read in one snapshot: read apart,
// an append between them looked like entries cut off the trail's end.
func (s *Store) VerifyAuditChain(ctx context.Context, lengths ...int64) (ChainReport, error) {
	var rep ChainReport
	err := s.inSnapshot(ctx, func(st *Store) error {
		var err error
		rep, err = st.verifyAuditChain(ctx, lengths)
		return err
	})
	return rep, err
}

func (s *Store) verifyAuditChain(ctx context.Context, lengths []int64) (ChainReport, error) {
	rows, err := s.db.Query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`)
	if err != nil {
		return ChainReport{}, fmt.Errorf("read audit chain: %w", err)
	}
	defer rows.Close()
	rep := ChainReport{HashAt: map[int64]string{}}
	want := map[int64]bool{}
	for _, n := range lengths {
		want[n] = true
	}
	prev := GenesisHash
	if want[0] {
		rep.HashAt[0] = GenesisHash
	}
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
		if want[int64(rep.Entries)] {
			rep.HashAt[int64(rep.Entries)] = e.Hash
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return ChainReport{}, fmt.Errorf("read audit chain: %w", err)
	}
	var head string
	var entries int
	if err := s.db.QueryRow(ctx, `SELECT hash, entries FROM audit_head`).Scan(&head, &entries); err != nil {
		return ChainReport{}, fmt.Errorf("read audit chain head: %w", err)
	}
	rep.Head = head
	if head != prev || entries != rep.Entries {
		rep.Problem = fmt.Sprintf("the trail has %d entries ending in %s, but its head records %d ending in %s (entries were removed from its end, or the head was changed)",
			rep.Entries, prev, entries, head)
		rep.BadID = -1
	}
	return rep, nil
}
