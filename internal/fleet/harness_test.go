package fleet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth/authtest"
	"github.com/decision-register/decisions/internal/store"
)

// password is every test account's password.
const password = "correct horse battery staple"

// nextReleaseMarker is appended to the stylesheet of the "next release" binary, so its
// fingerprint differs from the current release's, as a real release's would.
const nextReleaseMarker = "/* the next release */"

var (
	repoRoot string // the repository: .ci's scripts and the source to build
	binDir   string // the binaries the tests build, removed when they end
	builds   struct {
		once          sync.Once
		current, next string
		err           error
	}
)

func TestMain(m *testing.M) {
	root, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	repoRoot = root
	if binDir, err = os.MkdirTemp("", "fleet-bin-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// binaries builds, once for all the tests, this release's binary and a "next release": the
// same source with a changed stylesheet, put in its place by go build's -overlay, so only the
// packages that embed it are compiled again.
func binaries(t *testing.T) (current, next string) {
	t.Helper()
	builds.once.Do(func() {
		builds.current = filepath.Join(binDir, "decisions-current")
		builds.next = filepath.Join(binDir, "decisions-next")
		if builds.err = goBuild(builds.current); builds.err != nil {
			return
		}
		stylesheet := filepath.Join(repoRoot, "web/static/app.css")
		css, err := os.ReadFile(stylesheet)
		if err != nil {
			builds.err = err
			return
		}
		changed := filepath.Join(binDir, "app.css")
		if builds.err = os.WriteFile(changed, append(css, nextReleaseMarker+"\n"...), 0o644); builds.err != nil {
			return
		}
		overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{stylesheet: changed}})
		overlayFile := filepath.Join(binDir, "overlay.json")
		if builds.err = os.WriteFile(overlayFile, overlay, 0o644); builds.err != nil {
			return
		}
		builds.err = goBuild(builds.next, "-overlay", overlayFile)
	})
	if builds.err != nil {
		t.Fatal(builds.err)
	}
	return builds.current, builds.next
}

func goBuild(out string, flags ...string) error {
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", out, "./cmd/decisions")...)
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// instance is one server process.
type instance struct {
	addr string // host:port it listens on
	cmd  *exec.Cmd
	log  *logWatch
}

// startInstance runs `bin serve` with env over quiet defaults, and waits until it serves.
func startInstance(t *testing.T, bin string, env map[string]string) *instance {
	t.Helper()
	// Request and statement deadlines far beyond any request's: these tests are not about
	// deadlines, and on a loaded machine sixteen drafts started at once, queued on their
	// series' numbering lock, outlasted the default 5 s statement timeout.
	full := map[string]string{"LOG_FORMAT": "json", "ADDR": "127.0.0.1:0", "DRAIN_DELAY": "0s",
		"SHUTDOWN_TIMEOUT": "5s", "REQUEST_TIMEOUT": "2m", "DB_STATEMENT_TIMEOUT": "1m", "PATH": os.Getenv("PATH")}
	for k, v := range env {
		full[k] = v
	}
	cmd := exec.Command(bin, "serve")
	for k, v := range full {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	in := &instance{cmd: cmd, log: newLogWatch()}
	cmd.Stdout, cmd.Stderr = in.log, in.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s's log:\n%s", in.addr, in.log)
		}
	})
	// The bound is for an instance that never serves; a loaded machine takes seconds.
	line, err := in.log.waitFor(func(l logLine) bool { return l.msg() == "serving" }, 2*time.Minute, exited)
	if err != nil {
		t.Fatalf("%s did not start: %v\n%s", bin, err, in.log)
	}
	in.addr = line["addr"].(string)
	return in
}

// logLine is one line of an instance's JSON log.
type logLine map[string]any

func (l logLine) msg() string { s, _ := l["msg"].(string); return s }

func (l logLine) str(k string) string { s, _ := l[k].(string); return s }

// logWatch keeps an instance's log, and lets a test wait for a line.
type logWatch struct {
	mu      sync.Mutex
	partial []byte
	text    strings.Builder
	lines   []logLine
	changed chan struct{}
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	l.partial = append(l.partial, p...)
	for {
		i := strings.IndexByte(string(l.partial), '\n')
		if i < 0 {
			break
		}
		var line logLine
		if json.Unmarshal(l.partial[:i], &line) == nil {
			l.lines = append(l.lines, line)
		}
		l.partial = l.partial[i+1:]
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// matching returns the lines so far that match.
func (l *logWatch) matching(match func(logLine) bool) []logLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logLine
	for _, line := range l.lines {
		if match(line) {
			out = append(out, line)
		}
	}
	return out
}

// waitFor returns the first line that matches, waiting up to timeout, or until stop closes.
func (l *logWatch) waitFor(match func(logLine) bool, timeout time.Duration, stop <-chan struct{}) (logLine, error) {
	deadline := time.After(timeout)
	for {
		l.mu.Lock()
		changed := l.changed
		for _, line := range l.lines {
			if match(line) {
				l.mu.Unlock()
				return line, nil
			}
		}
		l.mu.Unlock()
		select {
		case <-changed:
		case <-stop:
			return nil, fmt.Errorf("the process ended")
		case <-deadline:
			return nil, fmt.Errorf("no such line in %s", timeout)
		}
	}
}

// freePort is a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proxy is nginx in front of the instances, started by .ci/proxy. It connects to them from
// proxyAddr, the one address the instances trust as a proxy.
type proxy struct {
	url string
	dir string
}

const proxyAddr = "127.0.0.2"

func startProxy(t *testing.T, upstreams ...*instance) *proxy {
	t.Helper()
	dir, err := os.MkdirTemp("", "fleet-proxy-")
	if err != nil {
		t.Fatal(err)
	}
	// nginx's workers run as nobody when the tests run as root: they must reach dir/tmp.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// nginx cannot choose its own port and say which, so it gets one that was free a moment
	// ago; another process may take it meanwhile, and then nginx, refused, tries another.
	var port int
	for try := 1; ; try++ {
		port = freePort(t)
		args := []string{"up", dir, fmt.Sprint(port)}
		for _, in := range upstreams {
			args = append(args, in.addr)
		}
		_, stderr, err := runScript(map[string]string{"PROXY_BIND": proxyAddr}, ".ci/proxy", args...)
		if err == nil {
			break
		}
		if !strings.Contains(stderr, "Address already in use") || try == 5 {
			t.Fatalf(".ci/proxy %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		t.Logf("port %d was taken before nginx could listen on it: trying another", port)
	}
	t.Cleanup(func() {
		script(t, nil, ".ci/proxy", "down", dir)
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "access.log"))
			t.Logf("nginx's access log:\n%s", b)
		}
		os.RemoveAll(dir)
	})
	return &proxy{url: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir}
}

// logged reports whether nginx's access log has a line containing s, waiting for it: nginx
// writes the line once the response has gone.
func (p *proxy) logged(t *testing.T, s string) bool {
	t.Helper()
	// The bound only stops a test whose line never comes; a loaded machine can take seconds.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(p.dir, "access.log"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

// script runs one of .ci's scripts from the repository and returns what it printed.
func script(t *testing.T, env map[string]string, name string, args ...string) string {
	t.Helper()
	out, stderr, err := runScript(env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return out
}

// runScript runs one of .ci's scripts and returns its output and error output.
func runScript(env map[string]string, name string, args ...string) (out, stderr string, err error) {
	cmd := exec.Command(filepath.Join(repoRoot, name), args...)
	cmd.Dir = repoRoot
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	b, err := cmd.Output()
	return strings.TrimSpace(string(b)), errOut.String(), err
}

// browser is one person's cookies, used through the proxy.
type browser struct {
	base string
	jar  http.CookieJar
}

func newBrowser(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, jar: jar}
}

// via is a client that sends every request to the Nth instance behind the proxy (from 0), or
// to whichever the proxy picks when n is negative. It never follows redirects.
func (b *browser) via(n int) *http.Client {
	backend := ""
	if n >= 0 {
		backend = fmt.Sprint(n)
	}
	// The bound is past the instances' request deadline (2 minutes): a request a loaded
	// machine is slow to answer gets its answer, and only a hung one is cut off.
	return &http.Client{Jar: b.jar, Timeout: 3 * time.Minute,
		Transport:     pinned{base: http.DefaultTransport, backend: backend},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type pinned struct {
	base    http.RoundTripper
	backend string
}

func (p pinned) RoundTrip(r *http.Request) (*http.Response, error) {
	if p.backend != "" {
		r = r.Clone(r.Context())
		r.Header.Set("X-Backend", p.backend)
	}
	return p.base.RoundTrip(r)
}

// response is what a test reads of one.
type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// signIn signs the browser in through the client's instance.
func signIn(t *testing.T, c *http.Client, base, email string) {
	t.Helper()
	r := do(t, c, http.MethodPost, base+"/sign-in", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s = %d, want 303", email, r.status)
	}
}

var passwordHash = sync.OnceValue(func() string {
	h, err := authtest.HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
})

// addUser adds a member of staff straight through the store.
func addUser(t *testing.T, st *store.Store, email, name string, g store.Grants) store.User {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateUser(ctx, store.System(time.Now()), email, name, passwordHash(), g)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	u, err := st.UserByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
