package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeAndShutDown starts the real command, reads a page, then stops it as a signal would
// and checks that it shuts down cleanly.
func TestServeAndShutDown(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "ADDR": addr, "LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"decisions", "serve"}, func(k string) string { return env[k] }, &syncWriter{w: &out})
	}()

	url := "http://" + addr
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(url + "/decisions/pcd-1682"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /decisions/pcd-1682 = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after shutdown = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down within 10 s")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	for _, want := range []string{`"msg":"serving"`, `"route":"/decisions/{slug}"`, `"msg":"stopped"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, out.String())
		}
	}
}

func TestHelpListsEnvironment(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "serve", "--help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DATABASE_URL", "ADDR", "LOG_LEVEL", "BASE_URL"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help lacks %s", name)
		}
	}
}

func TestBadConfigAndCommands(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"decisions"}, func(k string) string {
		return map[string]string{"LOG_LEVEL": "shouty"}[k]
	}, &out)
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Errorf("bad LOG_LEVEL: err = %v", err)
	}
	if err := run(context.Background(), []string{"decisions", "dance"}, func(string) string { return "" }, &out); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestMigrateVersion(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t)}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "migrate", "version"}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "version ") || strings.Contains(out.String(), "dirty=true") || strings.HasPrefix(out.String(), "version 0 ") {
		t.Errorf("migrate version printed %q", out.String())
	}
}
