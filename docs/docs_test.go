// Package docs holds the project's documentation. Its tests keep the documents true to the
// code: every route, every setting and every make target must be written down.
package docs

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/testsite"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tableRows returns the first cell and the rest of each row of the Markdown tables under
// the heading, up to the next heading of the same or a higher level.
func tableRows(doc, heading string) map[string][]string {
	_, after, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		return nil
	}
	level := strings.Index(heading, " ") + 1
	rows := map[string][]string{}
	for line := range strings.SplitSeq(after, "\n") {
		if strings.HasPrefix(line, "#") && strings.Index(line, " ") <= level {
			break
		}
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if strings.HasPrefix(cells[0], "`") { // not the header row or its rule
			rows[strings.TrimSpace(cells[0])] = cells[1:]
		}
	}
	return rows
}

// scriptOnly are settings read by the Makefile and .ci scripts, not by the binary.
var scriptOnly = []string{"PGPORT"}

// TestEverySettingDocumented holds operations.md's table to config.Vars, the list the binary
// reads and `decisions serve --help` prints: each variable once, with its default.
func TestEverySettingDocumented(t *testing.T) {
	rows := tableRows(read(t, "operations.md"), "## Configuration")
	if len(rows) == 0 {
		t.Fatal(`operations.md has no table under "## Configuration"`)
	}
	known := map[string]bool{}
	for _, v := range config.Vars {
		name := "`" + v.Name + "`"
		known[name] = true
		row, ok := rows[name]
		if !ok {
			t.Errorf("%s is read by the binary (config.Vars) but missing from operations.md's Configuration table", v.Name)
			continue
		}
		// Long defaults (an address) are described in words.
		if v.Default != "" && len(v.Default) < 40 && !strings.Contains(row[0], "`"+v.Default+"`") {
			t.Errorf("operations.md gives %s the default %q; the binary's is %q", v.Name, row[0], v.Default)
		}
	}
	for name := range rows {
		if !known[name] && !slices.Contains(scriptOnly, strings.Trim(name, "`")) {
			t.Errorf("operations.md documents %s, which nothing reads", name)
		}
	}
}

// routeCell matches "`GET /path`" and "`GET`/`POST /path`" in the first cell of routes.md.
var routeCell = regexp.MustCompile("`((?:GET|POST|PUT|PATCH|DELETE)(?:`/`(?:GET|POST|PUT|PATCH|DELETE))*) (/[^`?\\s,]*)")

// TestEveryRouteDocumented walks the real router and finds each method and pattern in
// routes.md.
func TestEveryRouteDocumented(t *testing.T) {
	documented := map[string]bool{}
	for cell := range tableRows("\n"+read(t, "routes.md"), "# Routes") {
		for _, m := range routeCell.FindAllStringSubmatch(cell, -1) {
			for method := range strings.SplitSeq(m[1], "`/`") {
				documented[method+" "+m[2]] = true
			}
		}
	}
	if len(documented) == 0 {
		t.Fatal("found no routes in routes.md")
	}
	site := testsite.New(t)
	routes, ok := site.Handler.(chi.Routes)
	if !ok {
		t.Fatalf("the site's handler is a %T, not a chi router", site.Handler)
	}
	seen := map[string]bool{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.ReplaceAll(route, "/*/", "/")
		seen[method+" "+route] = true
		if !documented[method+" "+route] {
			t.Errorf("%s %s is served but missing from routes.md", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for r := range documented {
		method, path, _ := strings.Cut(r, " ")
		// A documented address may be one a pattern serves (edit/documents is edit/{part}).
		if !seen[r] && !routes.Match(chi.NewRouteContext(), method, path) {
			t.Errorf("routes.md documents %s, which the router does not serve", r)
		}
	}
}

// TestEveryMakeTargetDocumented finds each of the Makefile's phony targets as `make NAME` in
// the README.
func TestEveryMakeTargetDocumented(t *testing.T) {
	readme := read(t, "../README.md")
	_, after, ok := strings.Cut(read(t, "../Makefile"), "\n.PHONY:")
	if !ok {
		t.Fatal("the Makefile has no .PHONY line")
	}
	line, _, _ := strings.Cut(after, "\n")
	targets := strings.Fields(line)
	if len(targets) < 5 {
		t.Fatalf(".PHONY lists %d targets: %q", len(targets), targets)
	}
	for _, target := range targets {
		if !strings.Contains(readme, "`make "+target+"`") {
			t.Errorf("make %s is a target but the README does not mention `make %s`", target, target)
		}
	}
}

// TestLinksResolve checks that each relative link between the documents names a file
// that exists.
func TestLinksResolve(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`)
	files := []string{"../README.md"}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			files = append(files, e.Name())
		}
	}
	for _, f := range files {
		dir := "."
		if strings.HasPrefix(f, "../") {
			dir = ".."
		}
		for _, m := range link.FindAllStringSubmatch(read(t, f), -1) {
			if _, err := os.Stat(dir + "/" + m[1]); err != nil {
				t.Errorf("%s links to %s, which does not exist", f, m[1])
			}
		}
	}
}
