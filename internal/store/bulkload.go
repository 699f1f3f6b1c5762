package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A bulk load fills an empty register, or one small beside the load, the way PostgreSQL loads
// fastest: it drops the secondary indexes of the tables it fills (a row that PostgreSQL does
// not have to add to 11 indexes twice), copies the decisions with their search document and
// other derived columns left empty, fills those with one set-based UPDATE per range of ids on
// two connections (both cores), builds the indexes again two at a time, and refreshes the
// planner's statistics. Migration 000083's bulk_load row records the unfinished work, so a
// load killed at any point is finished by the next `decisions migrate up` or seed-synthetic.

// bulkLoadTables are the tables a bulk load fills.
var bulkLoadTables = []string{"decisions", "recommendations", "sections", "funding_lines", "decision_links",
	"signatures", "audit_log"}

// BulkLoad is an unfinished bulk load.
type BulkLoad struct {
	StartedAt time.Time
	// AfterID is the highest decision id before the load: every decision after it may still
	// lack its derived columns.
	AfterID int64
	// Indexes are the CREATE INDEX statements of the indexes dropped, to build again.
	Indexes []string
}

// secondaryIndexesSQL lists the indexes a bulk load drops: every index of the tables it fills
// that no constraint stands on (unique and primary keys keep guarding the load), the costliest
// to build (GIN) first, so that two builders finish close together.
const secondaryIndexesSQL = `
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = ANY ($1::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
	AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY am.amname = 'gin' DESC, pg_relation_size(i.indrelid) DESC, 1`

// UnfinishedBulkLoad returns the bulk load a run left unfinished, or ErrNotFound.
func (s *Store) UnfinishedBulkLoad(ctx context.Context) (BulkLoad, error) {
	var b BulkLoad
	err := s.db.QueryRow(ctx, `SELECT started_at, after_decision_id, index_definitions FROM bulk_load`).
		Scan(&b.StartedAt, &b.AfterID, &b.Indexes)
	if errors.Is(err, pgx.ErrNoRows) {
		return BulkLoad{}, ErrNotFound
	}
	if err != nil {
		return BulkLoad{}, fmt.Errorf("unfinished bulk load: %w", err)
	}
	return b, nil
}

// StartBulkLoad records a bulk load and drops the secondary indexes of the tables it fills, in
// one transaction: either both happen or neither. It fails with ErrConflict when a load is
// already unfinished (finish it first).
func (s *Store) StartBulkLoad(ctx context.Context, at time.Time) (b BulkLoad, err error) {
	defer wrap(&err, "start bulk load")
	err = s.InTx(ctx, func(tx *Store) error {
		b = BulkLoad{StartedAt: at.UTC().Truncate(time.Microsecond)}
		if err := tx.db.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM decisions`).Scan(&b.AfterID); err != nil {
			return err
		}
		rows, err := tx.db.Query(ctx, secondaryIndexesSQL, bulkLoadTables)
		if err != nil {
			return err
		}
		var names []string
		var name, def string
		if _, err := pgx.ForEachRow(rows, []any{&name, &def}, func() error {
			names, b.Indexes = append(names, name), append(b.Indexes, def)
			return nil
		}); err != nil {
			return err
		}
		if _, err := tx.db.Exec(ctx, `INSERT INTO bulk_load (started_at, after_decision_id, index_definitions) VALUES ($1, $2, $3)`,
			b.StartedAt, b.AfterID, b.Indexes); err != nil {
			return mapError(err)
		}
		for _, n := range names {
			if _, err := tx.db.Exec(ctx, `DROP INDEX `+n); err != nil {
				return fmt.Errorf("drop %s: %w", n, err)
			}
		}
		return nil
	})
	return b, err
}

// BulkProgress is told how far a phase of a bulk load has gone: done of total units.
type BulkProgress func(phase string, done, total int)

// DeriveRange fills the search document, total, financial years and funders of the decisions
// with ids from lo to hi, with the very function the triggers call (refresh_decision_search),
// in one statement. With onlyMissing it skips those whose search document is already built (a
// finished load's), which costs reading each one. It returns how many it filled.
func (s *Store) DeriveRange(ctx context.Context, lo, hi int64, onlyMissing bool) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `
WITH todo AS (SELECT array_agg(id) AS ids FROM decisions WHERE id BETWEEN $1 AND $2 AND (NOT $3 OR search_vector = ''::tsvector))
SELECT coalesce(cardinality(ids), 0) FROM todo, refresh_decision_search(todo.ids)`, lo, hi, onlyMissing).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("derive decisions %d to %d: %w", lo, hi, err)
	}
	return n, nil
}

// FinishBulkLoad finishes the unfinished bulk load b: it fills the derived columns of any
// decision after b.AfterID still without them (none, when the loader did it as it went:
// pass derived), builds the dropped indexes again on the pool's connections two at a time,
// refreshes the planner's statistics, and deletes the record. Each step can be run again.
func FinishBulkLoad(ctx context.Context, pool *pgxpool.Pool, b BulkLoad, derived bool, progress BulkProgress) error {
	s := New(pool)
	if !derived {
		var hi int64
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM decisions`).Scan(&hi); err != nil {
			return fmt.Errorf("finish bulk load: %w", err)
		}
		const chunk = 5000
		var ranges [][2]int64
		for lo := b.AfterID + 1; lo <= hi; lo += chunk {
			ranges = append(ranges, [2]int64{lo, min(lo+chunk-1, hi)})
		}
		err := twoAtATime(ctx, len(ranges), func(i int) error {
			_, err := s.DeriveRange(ctx, ranges[i][0], ranges[i][1], true)
			return err
		}, func(done int) { progress("derive", done, len(ranges)) })
		if err != nil {
			return err
		}
	}
	if err := BuildIndexes(ctx, pool, b.Indexes, progress); err != nil {
		return err
	}
	if err := countOrganisations(ctx, pool, b.AfterID, progress); err != nil {
		return err
	}
	for i, t := range bulkLoadTables {
		progress("analyze", i, len(bulkLoadTables))
		if _, err := pool.Exec(ctx, `ANALYZE `+t); err != nil {
			return fmt.Errorf("finish bulk load: analyze %s: %w", t, err)
		}
	}
	progress("analyze", len(bulkLoadTables), len(bulkLoadTables))
	if _, err := pool.Exec(ctx, `DELETE FROM bulk_load`); err != nil {
		return fmt.Errorf("finish bulk load: %w", err)
	}
	return nil
}

// countOrganisations counts the decisions after afterID in the organisations' totals (migration
// 000081), which a bulk load leaves to its end: counted as each batch was copied, they would
// have read the funding lines without their index. A range counted twice is counted right:
// refresh_organisation_totals takes away what a decision counted before adding what it counts.
func countOrganisations(ctx context.Context, pool *pgxpool.Pool, afterID int64, progress BulkProgress) error {
	var hi int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM decisions`).Scan(&hi); err != nil {
		return fmt.Errorf("count organisations' totals: %w", err)
	}
	const chunk = 5000
	n := int(max(hi-afterID+chunk-1, 0) / chunk)
	for i := range n {
		progress("organisations", i, n)
		lo := afterID + 1 + int64(i)*chunk
		if _, err := pool.Exec(ctx, `SELECT refresh_organisation_totals(ARRAY(SELECT id FROM decisions WHERE id BETWEEN $1 AND $2 ORDER BY id))`,
			lo, min(lo+chunk-1, hi)); err != nil {
			return fmt.Errorf("count organisations' totals of decisions %d to %d: %w", lo, min(lo+chunk-1, hi), err)
		}
	}
	progress("organisations", n, n)
	return nil
}

// BuildIndexes runs CREATE INDEX IF NOT EXISTS for each definition, two at a time, each in a
// session with enough maintenance_work_mem to sort in memory and no statement timeout (a
// search index over a million decisions takes minutes).
func BuildIndexes(ctx context.Context, pool *pgxpool.Pool, defs []string, progress BulkProgress) error {
	return twoAtATime(ctx, len(defs), func(i int) error {
		def := defs[i]
		for _, p := range []string{"CREATE INDEX ", "CREATE UNIQUE INDEX "} {
			if rest, ok := strings.CutPrefix(def, p); ok {
				def = p + "IF NOT EXISTS " + rest
				break
			}
		}
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, set := range []string{`SET LOCAL maintenance_work_mem = '512MB'`, `SET LOCAL statement_timeout = 0`} {
				if _, err := tx.Exec(ctx, set); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("build index: %s: %w", def, err)
			}
			return nil
		})
	}, func(done int) { progress("index", done, len(defs)) })
}

// twoAtATime runs do(0..n-1) on two goroutines (the pool's two connections, the machine's two
// cores), reporting each finished one, and returns the first error.
func twoAtATime(ctx context.Context, n int, do func(i int) error, finished func(done int)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	done := 0
	finished(0)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				done++
				finished(done)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// bulkLoadLockKey is the session advisory lock a bulk load, or the finishing of one, holds.
const bulkLoadLockKey = 7_310_442_083

// LockBulkLoad takes the bulk-load lock on a connection of its own, so two runs never load or
// finish a load at once; a killed run's lock goes with its connection. It fails at once when
// another run holds it. release lets it go.
func LockBulkLoad(ctx context.Context, dbURL string) (release func(), err error) {
	cfg, err := migrationConnConfig(dbURL)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bulk load lock: %w", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(bulkLoadLockKey)).Scan(&got); err != nil || !got {
		conn.Close(context.WithoutCancel(ctx))
		if err == nil {
			err = errors.New("another seed-synthetic or migrate up is loading or finishing a bulk load")
		}
		return nil, fmt.Errorf("bulk load lock: %w", err)
	}
	return func() { conn.Close(context.WithoutCancel(ctx)) }, nil
}
