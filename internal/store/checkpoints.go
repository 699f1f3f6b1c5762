package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/checkpoint"
)

// checkpointLockKey lets one server instance at a time sign the daily checkpoint.
const checkpointLockKey = 7_310_442_019

const checkpointColumns = `id, entries, head, at, reason, key_id, signature`

type checkpointRow struct {
	ID        int64     `db:"id"`
	Entries   int64     `db:"entries"`
	Head      string    `db:"head"`
	At        time.Time `db:"at"`
	Reason    string    `db:"reason"`
	KeyID     string    `db:"key_id"`
	Signature []byte    `db:"signature"`
}

func (r checkpointRow) checkpoint() checkpoint.Checkpoint {
	return checkpoint.Checkpoint{ID: r.ID, Entries: r.Entries, Head: r.Head, At: r.At.UTC(), Reason: r.Reason,
		KeyID: r.KeyID, Signature: r.Signature, Message: string(checkpoint.Message(r.Entries, r.Head, r.At))}
}

// AddCheckpoint signs the audit chain's length and head as they are now and stores the
// checkpoint. Called after a transaction commits, it covers that transaction's entries.
func (s *Store) AddCheckpoint(ctx context.Context, signer *checkpoint.Signer, at time.Time, reason string) (checkpoint.Checkpoint, error) {
	var c checkpoint.Checkpoint
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		var err error
		c, err = tx.addCheckpoint(ctx, signer, at, reason)
		return err
	})
	return c, err
}

func (s *Store) addCheckpoint(ctx context.Context, signer *checkpoint.Signer, at time.Time, reason string) (checkpoint.Checkpoint, error) {
	var entries int64
	var head string
	if err := s.db.QueryRow(ctx, `SELECT entries, hash FROM audit_head`).Scan(&entries, &head); err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("checkpoint: read audit head: %w", err)
	}
	c := signer.Sign(entries, head, at, reason)
	err := s.db.QueryRow(ctx, `
INSERT INTO checkpoints (entries, head, at, reason, key_id, public_key, signature)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		c.Entries, c.Head, c.At, c.Reason, c.KeyID, []byte(signer.Public()), c.Signature).Scan(&c.ID)
	if err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("store checkpoint: %w", mapError(err))
	}
	return c, nil
}

// DailyCheckpoint signs a checkpoint when the newest one is older than every (or there is
// none). Under an advisory lock, one instance signs while any others skip the round.
func (s *Store) DailyCheckpoint(ctx context.Context, signer *checkpoint.Signer, now time.Time, every time.Duration) (bool, error) {
	signed := false
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		signed = false
		var got, due bool
		if err := tx.db.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(checkpointLockKey)).Scan(&got); err != nil {
			return fmt.Errorf("lock checkpoints: %w", err)
		}
		if !got {
			return nil
		}
		err := tx.db.QueryRow(ctx, `SELECT coalesce(max(at) <= $1, true) FROM checkpoints WHERE key_id = $2`,
			now.Add(-every), checkpoint.KeyID(signer.Public())).Scan(&due)
		if err != nil || !due {
			return err
		}
		_, err = tx.addCheckpoint(ctx, signer, now, checkpoint.ReasonDaily)
		signed = err == nil
		return err
	})
	return signed, err
}

// Checkpoints lists every checkpoint, oldest first.
func (s *Store) Checkpoints(ctx context.Context) ([]checkpoint.Checkpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[checkpointRow])
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	cs := make([]checkpoint.Checkpoint, len(rs))
	for i, r := range rs {
		cs[i] = r.checkpoint()
	}
	return cs, nil
}

// Checkpoint is one checkpoint by its id.
func (s *Store) Checkpoint(ctx context.Context, id int64) (checkpoint.Checkpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints WHERE id = $1`, id)
	if err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("checkpoint %d: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[checkpointRow])
	if err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("checkpoint %d: %w", id, mapError(err))
	}
	return r.checkpoint(), nil
}
