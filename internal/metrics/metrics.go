// Package metrics owns the service's Prometheus metrics: requests by route and status, their
// latency, the database pools' use, sign-off actions and rate-limit refusals. They are served
// by Handler on a listener of their own (METRICS_ADDR), never on the public one.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, in a registry of its own: no package-level state, so tests
// and several servers in one process never share counts.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	signoff  *prometheus.CounterVec
	refused  *prometheus.CounterVec
	retried  prometheus.Counter
	pools    *poolCollector
}

// New makes the service's collectors, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "decisions_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "decisions_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		signoff: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "decisions_signoff_actions_total",
			Help: "Sign-off actions recorded: approved, returned, signed, rejected, released.",
		}, []string{"action"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "decisions_rate_limited_total",
			Help: "Requests refused with 429 by a per-client rate limit, by limit.",
		}, []string{"limit"}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "decisions_read_retries_total",
			Help: "Reads tried again on a new connection after theirs was found dead (a database restart).",
		}),
		pools: &poolCollector{pools: map[string]*pgxpool.Pool{}},
	}
	m.reg.MustRegister(m.requests, m.duration, m.signoff, m.refused, m.retried, m.pools,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts one answered request. route is chi's route pattern ("/decisions/{slug}"),
// never the raw path, so the number of series stays bounded whatever addresses are asked for;
// requests no route matched come as "".
func (m *Metrics) Request(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		method = "other" // any token is a method: keep the label's values few
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

// SignoffAction counts n sign-off actions of one kind, once they are recorded.
func (m *Metrics) SignoffAction(action string, n int) {
	m.signoff.WithLabelValues(action).Add(float64(n))
}

// RateLimited counts a request refused by the named limit.
func (m *Metrics) RateLimited(limit string) {
	m.refused.WithLabelValues(limit).Inc()
}

// ReadRetried counts a read tried again on a new connection.
func (m *Metrics) ReadRetried() {
	m.retried.Inc()
}

// WatchPool reports a pgx pool's use under the given name ("requests", "probe").
func (m *Metrics) WatchPool(name string, pool *pgxpool.Pool) {
	m.pools.mu.Lock()
	defer m.pools.mu.Unlock()
	m.pools.pools[name] = pool
}

// poolCollector reads pgxpool's statistics when scraped, so the figures are current.
type poolCollector struct {
	mu    sync.Mutex
	pools map[string]*pgxpool.Pool
}

var poolDescs = struct {
	acquired, idle, total, max, constructing, acquires, emptyAcquires, canceledAcquires, acquireSeconds *prometheus.Desc
}{
	acquired:         poolDesc("acquired_conns", "Connections in use by a request now."),
	idle:             poolDesc("idle_conns", "Idle connections now."),
	total:            poolDesc("total_conns", "Connections open now, in use, idle or being made."),
	max:              poolDesc("max_conns", "The most connections the pool opens."),
	constructing:     poolDesc("constructing_conns", "Connections being made now."),
	acquires:         poolDesc("acquires_total", "Connections handed out."),
	emptyAcquires:    poolDesc("empty_acquires_total", "Acquires that had to wait, the pool having no idle connection."),
	canceledAcquires: poolDesc("canceled_acquires_total", "Acquires given up by their context (a request's deadline) before a connection came."),
	acquireSeconds:   poolDesc("acquire_seconds_total", "Time spent waiting for connections."),
}

func poolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("decisions_db_pool_"+name, help, []string{"pool"}, nil)
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolDescs.acquired, poolDescs.idle, poolDescs.total, poolDescs.max,
		poolDescs.constructing, poolDescs.acquires, poolDescs.emptyAcquires, poolDescs.canceledAcquires, poolDescs.acquireSeconds} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, pool := range c.pools {
		collectPool(ch, name, pool.Stat())
	}
}

func collectPool(ch chan<- prometheus.Metric, name string, s *pgxpool.Stat) {
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
	}
	gauge(poolDescs.acquired, float64(s.AcquiredConns()))
	gauge(poolDescs.idle, float64(s.IdleConns()))
	gauge(poolDescs.total, float64(s.TotalConns()))
	gauge(poolDescs.max, float64(s.MaxConns()))
	gauge(poolDescs.constructing, float64(s.ConstructingConns()))
	counter(poolDescs.acquires, float64(s.AcquireCount()))
	counter(poolDescs.emptyAcquires, float64(s.EmptyAcquireCount()))
	counter(poolDescs.canceledAcquires, float64(s.CanceledAcquireCount()))
	counter(poolDescs.acquireSeconds, s.AcquireDuration().Seconds())
}
