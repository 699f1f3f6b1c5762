// Package pgcluster starts a private, throwaway PostgreSQL cluster for a test that needs to
// stop, crash or restart the database itself, which the shared test cluster must never do.
// As root, initdb and pg_ctl run as the postgres OS user (they refuse root), as .ci/devdb does.
package pgcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// password is the superuser's: the cluster listens on loopback only and lives for one test.
const password = "postgres"

// Cluster is a running throwaway cluster.
type Cluster struct {
	Port   int
	dir    string // owned by the cluster's OS user: data, socket, log
	bindir string
	owner  *user.User // the postgres OS user when running as root, else nil
}

// Start makes and starts a cluster, stopped and deleted when the test ends. Its port is
// PGCLUSTER_PORT when set, else one the kernel says is free.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{bindir: bindir(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgcluster: as root, initdb must run as the postgres OS user, which does not exist (.ci/devdb up makes it): %v", err)
		}
		c.owner = u
	}
	base := "" // TMPDIR
	if c.owner != nil {
		base = "/tmp" // TMPDIR may be one the postgres user cannot reach
	}
	dir, err := os.MkdirTemp(base, "pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if c.owner != nil {
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.Port = port(t)
	pwfile := filepath.Join(dir, "pwfile")
	c.run(t, "sh", "-c", "printf '%s\\n' "+password+" > "+pwfile)
	c.run(t, filepath.Join(c.bindir, "initdb"), "-D", c.data(), "-U", "postgres", "--pwfile="+pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions")
	// fsync off is safe here: the tests crash PostgreSQL, never the machine, so what PostgreSQL
	// has written survives in the page cache. synchronous_commit stays on: with it off, an
	// acknowledged commit can be lost by an immediate stop, which is what the tests check for.
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"+
		"max_connections = 100\nshared_buffers = 32MB\nfsync = off\nfull_page_writes = off\n", c.Port, dir)
	c.run(t, "sh", "-c", "cat >> "+filepath.Join(c.data(), "postgresql.conf")+" <<'EOF'\n"+conf+"EOF")
	c.Start(t)
	t.Cleanup(func() {
		// Immediate: the test is over, nothing need be kept.
		_ = c.pgctl("-m", "immediate", "-w", "stop").Run()
	})
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the address of a database in the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", password, c.Port, database)
}

// CreateDatabase makes a database and returns its URL.
func (c *Cluster) CreateDatabase(t testing.TB, name string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return c.URL(name)
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if out, err := c.pgctl("-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		t.Fatalf("pgcluster: start: %v\n%s\nlog:\n%s", err, out, log)
	}
}

// Stop stops the cluster: mode "fast" (clients are disconnected, open transactions rolled back,
// then a clean shutdown) or "immediate" (every process quits at once, like a crash; recovery
// replays the log on the next start).
func (c *Cluster) Stop(t testing.TB, mode string) {
	t.Helper()
	if out, err := c.pgctl("-m", mode, "-w", "-t", "60", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pgcluster: stop -m %s: %v\n%s", mode, err, out)
	}
}

func (c *Cluster) pgctl(args ...string) *exec.Cmd {
	return c.command(filepath.Join(c.bindir, "pg_ctl"), append([]string{"-D", c.data()}, args...)...)
}

// command runs as the cluster's owner, from / (the postgres user may not read the caller's
// working directory).
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if c.owner != nil {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = "/"
	return cmd
}

func (c *Cluster) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("pgcluster: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// bindir finds PostgreSQL's server programs as .ci/devdb does: PG_BINDIR, pg_config's, or the
// newest under /usr/lib/postgresql.
func bindir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); fileExists(filepath.Join(d, "initdb")) {
			return d
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if fileExists(filepath.Join(dirs[i], "initdb")) {
			return dirs[i]
		}
	}
	t.Fatal("pgcluster: PostgreSQL's server programs were not found: `make test` installs them (.ci/devdb), or set PG_BINDIR")
	return ""
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func port(t testing.TB) int {
	t.Helper()
	if p := os.Getenv("PGCLUSTER_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("PGCLUSTER_PORT=%q is not a port", p)
		}
		return n
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WaitReady waits until the cluster answers a query, up to a bound only a broken start reaches.
func (c *Cluster) WaitReady(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pgcluster: not answering: %v", err)
		}
	}
}
