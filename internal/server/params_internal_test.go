package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
)

// withParam is a request whose route gave name the value v.
func withParam(name, v string) *http.Request {
	rc := chi.NewRouteContext()
	rc.URLParams.Add(name, v)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
}

func TestParams(t *testing.T) {
	for _, tt := range []struct {
		v      string
		wantN  int
		wantOK bool
	}{
		{"1", 1, true}, {"12", 12, true}, {"0", 0, false}, {"-1", 0, false}, {"01", 0, false},
		{"+1", 0, false}, {"", 0, false}, {"x", 0, false}, {"99999999999999999999", 0, false},
	} {
		n, ok := intParam(withParam("n", tt.v), "n")
		if ok != tt.wantOK || (ok && n != tt.wantN) {
			t.Errorf("intParam(%q) = %d, %v; want %d, %v", tt.v, n, ok, tt.wantN, tt.wantOK)
		}
	}
	for v, want := range map[string]bool{"7": true, "0": false, "-3": false, "abc": false, "": false} {
		if _, ok := idParam(withParam("id", v), "id"); ok != want {
			t.Errorf("idParam(%q) ok = %v, want %v", v, ok, want)
		}
	}
	for v, want := range map[string]bool{"pcd-1682": true, "PCD1682": false, "pcd-1682/x": false, "": false} {
		if _, err := slugParam(withParam("slug", v)); (err == nil) != want {
			t.Errorf("slugParam(%q) = %v, want ok %v", v, err, want)
		}
	}
	for v, want := range map[string]bool{"PCD": true, "pcd": false, "": false} {
		if _, ok := seriesParam(withParam("series", v)); ok != want {
			t.Errorf("seriesParam(%q) ok = %v, want %v", v, ok, want)
		}
	}
}
