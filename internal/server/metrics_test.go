package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestMetrics makes real requests, an approval and a refusal, then scrapes the metrics
// listener: requests by route pattern (never the raw path) and status, latency, the pools, the
// sign-off action and the rate-limit refusal. The public site has no /metrics.
func TestMetrics(t *testing.T) {
	t.Parallel()
	site := newSignoffSiteWith(t, testsite.Options{SearchRate: server.RateLimit{Requests: 1, Window: time.Minute}})
	metricsListener := httptest.NewServer(site.Metrics.Handler())
	t.Cleanup(metricsListener.Close)
	slug := site.awaitingDecision(t, 9101)
	anon := site.Client(t, "")
	for _, c := range []struct {
		path string
		want int
	}{
		{"/decisions/pcd-1682", http.StatusOK},
		{"/decisions?q=social", http.StatusOK},
		{"/decisions?q=knife", http.StatusTooManyRequests},
		{"/no-such-page-8c1e", http.StatusNotFound},
		{"/metrics", http.StatusNotFound},
	} {
		if p := get(t, anon, site.URL+c.path); p.status != c.want {
			t.Errorf("GET %s = %d, want %d", c.path, p.status, c.want)
		}
	}
	c := site.Client(t, site.advisers["head_of_unit"].Email)
	if p := approveStep(t, site, c, slug); p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d, want 303", p.status)
	}

	resp, err := http.Get(metricsListener.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	scrape := string(b)
	for _, want := range []string{
		`decisions_http_requests_total{method="GET",route="/decisions/{slug}",status="200"} 1`,
		`decisions_http_requests_total{method="GET",route="/decisions",status="429"} 1`,
		`decisions_http_requests_total{method="GET",route="unmatched",status="404"}`,
		`decisions_http_requests_total{method="POST",route="/decisions/{slug}/signoff",status="303"} 1`,
		`decisions_http_request_duration_seconds_bucket{method="GET",route="/decisions/{slug}",le="+Inf"} 1`,
		`decisions_http_request_duration_seconds_count{method="GET",route="/decisions"} 2`,
		`decisions_signoff_actions_total{action="approved"} 1`,
		`decisions_rate_limited_total{limit="search"} 1`,
		`decisions_db_pool_max_conns{pool="requests"}`,
		`decisions_db_pool_acquires_total{pool="requests"}`,
		`decisions_db_pool_total_conns{pool="probe"} 1`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	for _, raw := range []string{"pcd-1682", "no-such-page", "/metrics", "knife"} {
		if strings.Contains(scrape, raw) {
			t.Errorf("the scrape names the raw path or query %q: labels must be route patterns", raw)
		}
	}
}
