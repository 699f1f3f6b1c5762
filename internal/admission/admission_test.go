package admission

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWaitWords(t *testing.T) {
	for in, want := range map[string]string{"": "a minute", "0": "a minute", "x": "a minute", "1": "1 second",
		"30": "30 seconds", "60": "1 minute", "120": "2 minutes", "3600": "1 hour", "90": "90 seconds"} {
		if got := WaitWords(in); got != want {
			t.Errorf("WaitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLimiter: a client's requests past the limit are refused with Retry-After, another
// client's are not, and exempt requests are never counted.
func TestLimiter(t *testing.T) {
	refused := 0
	h := Limiter(RateLimit{Requests: 2, Window: time.Minute},
		func(r *http.Request) string { return r.Header.Get("Client") },
		func(r *http.Request) bool { return r.URL.Path == "/free" },
		func(w http.ResponseWriter, r *http.Request) {
			refused++
			if w.Header().Get("Retry-After") == "" {
				t.Error("refused without Retry-After")
			}
			w.WriteHeader(http.StatusTooManyRequests)
		})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	get := func(client, path string) int {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Client", client)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for i, tt := range []struct {
		client, path string
		want         int
	}{
		{"a", "/free", 200}, {"a", "/x", 200}, {"a", "/free", 200}, {"a", "/x", 200},
		{"a", "/x", 429}, {"b", "/x", 200}, {"a", "/free", 200},
	} {
		if got := get(tt.client, tt.path); got != tt.want {
			t.Errorf("request %d: client %s GET %q = %d, want %d", i, tt.client, tt.path, got, tt.want)
		}
	}
	if refused != 1 {
		t.Errorf("refused %d requests, want 1", refused)
	}
}

// TestGate: with the one page slot held, a free request and a download pass, another page is
// refused ErrBusy after Wait, and a page is admitted again once the slot is given back.
func TestGate(t *testing.T) {
	g := NewGate(1, 1)
	entered, release := make(chan struct{}), make(chan struct{})
	var refusal error
	h := g.Admit(func(r *http.Request) Class {
		switch r.URL.Path {
		case "/healthz":
			return Free
		case "/file.csv":
			return Download
		}
		return Page
	}, func(w http.ResponseWriter, r *http.Request, err error) {
		refusal = err
		w.WriteHeader(http.StatusServiceUnavailable)
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			entered <- struct{}{}
			<-release
		}
	}))
	get := func(path string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code
	}
	done := make(chan int)
	go func() { done <- get("/hold") }()
	<-entered
	if g.Admitted() != 1 {
		t.Errorf("Admitted() = %d with a page held, want 1", g.Admitted())
	}
	for _, p := range []string{"/healthz", "/file.csv"} {
		if got := get(p); got != http.StatusOK {
			t.Errorf("GET %q with the page slot held = %d, want 200", p, got)
		}
	}
	start := time.Now()
	if got := get("/page"); got != http.StatusServiceUnavailable || !errors.Is(refusal, ErrBusy) {
		t.Errorf("GET /page with the page slot held = %d (%v), want 503 (ErrBusy)", got, refusal)
	}
	if waited := time.Since(start); waited < Wait {
		t.Errorf("refused after %v, want after waiting %v", waited, Wait)
	}
	close(release)
	if got := <-done; got != http.StatusOK {
		t.Errorf("GET /hold = %d, want 200", got)
	}
	if got := get("/page"); got != http.StatusOK {
		t.Errorf("GET /page once the slot is free = %d, want 200", got)
	}
}
