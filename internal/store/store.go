// Package store owns the PostgreSQL pool and all SQL: one file per aggregate, transactions,
// and the errors callers act on.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write would break a uniqueness rule, or someone else changed the
	// thing first (a stale version).
	ErrConflict = errors.New("conflict")
	// ErrLocked means the database refused to change a record that is kept as it is: signed
	// content, a signature, the audit trail.
	ErrLocked = errors.New("locked record")
)

// CheckError is a write the database refused by a CHECK constraint or a rule trigger.
type CheckError struct {
	Constraint string
	Message    string
}

func (e *CheckError) Error() string { return "check " + e.Constraint + ": " + e.Message }

// db is what a Store runs queries on: the pool, or a transaction.
type db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Store runs the register's queries. The same methods work inside and outside a transaction.
type Store struct {
	db db
	tx *txState // nil outside a transaction begun by InTx
}

// New returns a Store over a pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{db: pool}
}

// PoolOptions override what the database URL says about the pool; zero values leave the URL's
// setting (pgxpool's pool_max_conns, PostgreSQL's statement_timeout) or pgx's default.
type PoolOptions struct {
	MaxConns         int32
	StatementTimeout time.Duration
	// ReadOnly makes every transaction on the pool's connections read-only
	// (default_transaction_read_only), so a write sent to a pool meant for reads fails loudly
	// (SQLSTATE 25006) even where the database would take it: a replica's pool pointed at the
	// primary, or the tests' public pool on the one test database.
	ReadOnly bool
}

// Open connects a pool and checks that the database answers. The URL may carry pgxpool's own
// settings (pool_max_conns, pool_max_conn_lifetime, ...).
func Open(ctx context.Context, url string, opts PoolOptions) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	// The register's queries are short: compiling one with JIT (past the planner's cost
	// threshold, which a search over many rows reaches) took 260 ms of a 2.4 s search at
	// 100,000 decisions, and never pays back. A URL that says jit=on still wins.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	return connect(ctx, cfg)
}

// OpenProbe connects a pool of one connection for readiness checks, kept open, so a check never
// waits for a connection behind requests or for a new connection to be made.
func OpenProbe(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	cfg.MaxConns, cfg.MinConns = 1, 1
	return connect(ctx, cfg)
}

func connect(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return pool, nil
}

// Reset closes the pool's idle connections, and those in use as they are released, so the next
// queries connect afresh: for when one connection was found dead, since the others made before
// the same database restart are dead too. Inside a transaction it does nothing.
func (s *Store) Reset() {
	if p, ok := s.db.(*pgxpool.Pool); ok {
		p.Reset()
	}
}

// inSnapshot runs fn in a read-only, repeatable-read transaction, so its queries see one version
// of the data even when it changes between them. Inside a transaction, fn runs in that one.
func (s *Store) inSnapshot(ctx context.Context, fn func(tx *Store) error) error {
	beginner, ok := s.db.(interface {
		BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
	})
	if !ok {
		return fn(s)
	}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, beginner, opts, func(tx pgx.Tx) error {
		return fn(&Store{db: tx})
	})
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// IsTimeout reports whether err is PostgreSQL stopping a statement: statement_timeout, or a
// cancel sent when a request's deadline passed.
func IsTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "57014"
}

// mapError turns pgx's errors into the store's.
// wrap prefixes *errp, when there is an error, with what was being done, as every return of a
// function would by hand: `defer wrap(&err, "suggest")` (pkgsite's derrors.Wrap). For functions
// whose every error gets the same words; one whose errors carry words meant for people (a
// refusal's reason) says them itself.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

func mapError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505":
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	case "23514":
		return &CheckError{Constraint: pgErr.ConstraintName, Message: pgErr.Message}
	case "42501":
		return fmt.Errorf("%w: %s", ErrLocked, pgErr.Message)
	}
	return err
}

// IsDeadConnection reports whether err is a failure of the connection itself, which a new
// connection may not have (after a database restart the pool still holds dead ones): unlike
// IsUnavailable it leaves out a database with no connection slot left (53300), where dropping
// idle connections and trying again would only make more connections compete for the slots.
func IsDeadConnection(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "53300" {
		return false
	}
	return IsUnavailable(err)
}

// IsUnavailable reports whether err means the database could not be reached or went away
// mid-query: refused or broken connections, and PostgreSQL shutting down or starting up. Such
// a failure passes by itself once the database is back, so callers answer "try again shortly"
// rather than "something is wrong".
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is a connection exception; 57P01–57P03 are an administrator's or a crash's
		// shutdown and a server not yet accepting connections; 53300 is no connection slot left.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
