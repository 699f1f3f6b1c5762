package store_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/store"
)

// TestDeadConnectionIsNotAFullDatabase: a database with no connection slot left is unavailable
// (a 503) but not a dead connection, so the server neither drops its pools' connections nor
// tries again; a connection that went away, or a server shutting down, is both.
func TestDeadConnectionIsNotAFullDatabase(t *testing.T) {
	for _, tc := range []struct {
		err               error
		unavailable, dead bool
	}{
		{&pgconn.PgError{Code: "53300"}, true, false},
		{fmt.Errorf("acquire: %w", &pgconn.PgError{Code: "53300"}), true, false},
		{&pgconn.PgError{Code: "57P01"}, true, true},
		{&pgconn.PgError{Code: "08006"}, true, true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, true},
		{&pgconn.PgError{Code: "23505"}, false, false},
		{nil, false, false},
	} {
		if got := store.IsUnavailable(tc.err); got != tc.unavailable {
			t.Errorf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.unavailable)
		}
		if got := store.IsDeadConnection(tc.err); got != tc.dead {
			t.Errorf("IsDeadConnection(%v) = %v, want %v", tc.err, got, tc.dead)
		}
	}
}
