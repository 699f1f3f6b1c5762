package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestReadRetryNeverRepeatsAWrite: a GET that failed on a dead connection runs again, unless it
// wrote before failing (a Part II read's audit entry, a flash popped): then it runs once and
// answers 503, since running it again would make the write twice.
func TestReadRetryNeverRepeatsAWrite(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	dead := fmt.Errorf("read a page: %w", io.ErrUnexpectedEOF) // as pgx says of a dead connection
	for _, tt := range []struct {
		name  string
		wrote bool
		runs  int
	}{
		{"a read", false, 2},
		{"a read that wrote", true, 1},
	} {
		runs := 0
		h := site.Server.Handle(func(w http.ResponseWriter, r *http.Request) error {
			runs++
			if tt.wrote {
				server.NoRetry(r)
			}
			return dead
		})
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, "/decisions/pcd-1", nil))
		if runs != tt.runs {
			t.Errorf("%s: ran %d times, want %d", tt.name, runs, tt.runs)
		}
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: answered %d, want 503", tt.name, rec.Code)
		}
	}
}
