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

// TestPoppedFlashIsNeverReadAgain: a page that popped a flash message and then lost its
// connection is not run again (it would show the page without the message, lost for good); a
// page that found no message is.
func TestPoppedFlashIsNeverReadAgain(t *testing.T) {
	site := testsite.New(t)
	dead := fmt.Errorf("read a page: %w", io.ErrUnexpectedEOF)
	for _, tt := range []struct {
		name  string
		flash string
		runs  int
	}{
		{"no message waiting", "", 2},
		{"a message popped", "You approved this step.", 1},
	} {
		runs := 0
		var popped []string
		h := site.Server.WithFlash("test_flash", tt.flash, site.Server.Handle(func(w http.ResponseWriter, r *http.Request) error {
			runs++
			popped = append(popped, site.Server.PopFlash(r, "test_flash"))
			return dead
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/work", nil))
		if runs != tt.runs {
			t.Errorf("%s: ran %d times (popped %q), want %d", tt.name, runs, popped, tt.runs)
		}
		if popped[0] != tt.flash {
			t.Errorf("%s: popped %q, want %q", tt.name, popped[0], tt.flash)
		}
	}
}
