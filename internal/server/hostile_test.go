package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/decision-register/decisions/internal/store"
)

// hostileMarkup is the marker whose raw form must never come back in a page.
const hostileMarkup = `<script>alert("hostile")</script>`

// hostileValues is what every field and parameter receives: markup, quotes that close an
// attribute, NUL, invalid UTF-8, 10,000 characters, numbers out of every range, SQL.
var hostileValues = []string{
	hostileMarkup,
	`" onmouseover="alert(1)`,
	"a\x00b",
	"\xff\xfe",
	strings.Repeat("x", 10000),
	"99999999999999999999",
}

// slowHostileValues are for fields checked by argon2id (64 MiB a try): fewer of them.
var slowHostileValues = []string{hostileMarkup, "a\x00b", "\xff\xfe", strings.Repeat("x", 10000)}

// rawHostile reports whether a body shows hostile input unescaped.
func rawHostile(body string) bool {
	return strings.Contains(body, "<script>alert") || strings.Contains(body, `" onmouseover="`)
}

// TestHostileQueryParameters sends hostile values to every parameter of the exports and the
// API (the search page has TestHostileInput) and to every address with a parameter in its
// path: a 4xx or a 200, never a 5xx, and never the input reflected raw.
func TestHostileQueryParameters(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	admin := ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	clients := map[string]*http.Client{"anonymous": ss.Client(t, ""), "drafter": ss.Client(t, ss.drafter.Email),
		"admin": ss.Client(t, admin.Email)}
	slug := ss.awaitingDecision(t, 4201)
	var paths []string
	for _, export := range []string{"/decisions.csv", "/decisions.atom", "/api/v1/decisions"} {
		for _, name := range []string{"q", "fy", "maker", "funder", "series", "status", "min", "max", "from", "to", "sort", "cursor"} {
			for _, v := range hostileValues {
				paths = append(paths, export+"?"+name+"="+url.QueryEscape(v))
			}
		}
	}
	for _, v := range hostileValues {
		e := url.PathEscape(v)
		paths = append(paths, "/decisions/"+e, "/decisions/"+e+"/canonical", "/decisions/"+e+"/verify", "/api/v1/decisions/"+e,
			"/checkpoints/"+e, "/admin/users/"+e, "/admin/chains/"+e, "/decisions/"+e+"/edit", "/decisions/"+slug+"/edit/"+e,
			"/decisions/"+slug+"/edit/sections/"+e, "/decisions/"+e+"/signoff", "/static/"+e, "/sign-in?next="+url.QueryEscape(v))
	}
	for _, path := range paths {
		for who, c := range clients {
			if who != "anonymous" && strings.Contains(path, "?") {
				continue // the exports parse their parameters the same way for everyone
			}
			p := get(t, c, ss.URL+path)
			if p.status >= 500 {
				t.Errorf("GET %.80q as %s = %d", path, who, p.status)
			}
			if rawHostile(p.body) {
				t.Errorf("GET %.80q as %s: input reflected unescaped", path, who)
			}
		}
	}
}

// formCase is a form and the fields to attack. setup gives a fresh target and a valid form,
// so each hostile value reaches as far as it can (a saved draft, a signature, a new account).
type formCase struct {
	name   string
	client *http.Client
	setup  func() (path string, form url.Values)
	fields []string
	// echo lists the text fields the page shows back when the form has errors, and broken
	// the change that makes the form fail, to check that they keep the input.
	echo   []string
	broken url.Values
	values []string // hostileValues when nil
}

// TestHostileForms posts hostile values into every field of every form, signed in as someone
// who may use it: never a 5xx, never the input unescaped, here or on the pages that show
// what was saved; a form that fails says what is wrong and keeps what was typed. Each form is a
// subtest on a site of its own, so they run side by side.
func TestHostileForms(t *testing.T) {
	t.Parallel()
	for _, name := range hostileFormNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hostileForm(t, name)
		})
	}
}

// hostileFormNames are the forms hostileForm knows, by their cases' names.
var hostileFormNames = []string{"sign in", "start a decision", "title and summary", "recommendations",
	"a Part I section", "Part II", "funding", "links", "drafting team", "submit", "adviser's step",
	"signature", "new account", "account's roles", "sign-off chain", "password"}

// hostileForm is TestHostileForms for the form named only, on a new site.
func hostileForm(t *testing.T, only string) {
	ss := newSignoffSite(t)
	admin := ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	drafter, maker, adminC := ss.Client(t, ss.drafter.Email), ss.Client(t, ss.maker.Email), ss.Client(t, admin.Email)
	hou := ss.Client(t, ss.advisers["head_of_unit"].Email)
	anon := ss.Client(t, "")
	dc := draftClient{t: t, site: ss.Site, c: drafter}
	p := dc.post("/decisions/new", url.Values{"series": {"PCD"}, "title": {"Hostile target"}}, http.StatusSeeOther)
	edit := p.location // "/decisions/{slug}/edit"
	slug := strings.TrimSuffix(strings.TrimPrefix(edit, "/decisions/"), "/edit")
	withVersion := func(path string, f url.Values) func() (string, url.Values) {
		return func() (string, url.Values) {
			f := cloneValues(f)
			f.Set("version", dc.version(path))
			return path, f
		}
	}
	var number atomic.Int64
	number.Store(4300)
	// A decision awaiting sign-off (approved by every adviser, for the signature), reused until
	// a post acts on it: most hostile values are refused and leave it as it was.
	current := map[bool]string{}
	awaiting := func(approved bool) string {
		var status string
		var approvals int
		if s := current[approved]; s != "" {
			err := ss.Pool.QueryRow(context.Background(), `SELECT status, (SELECT count(*) FROM signoff_actions a WHERE a.decision_id = d.id AND a.action = 'approved' AND a.cleared_at IS NULL)
FROM decisions d WHERE slug = $1`, s).Scan(&status, &approvals)
			if err != nil {
				t.Fatal(err)
			}
			if status == "awaiting_signoff" && (approvals > 0) == approved {
				return s
			}
		}
		s := ss.awaitingDecision(t, int(number.Add(1)))
		if approved {
			ss.approveAll(t, s)
		}
		current[approved] = s
		return s
	}
	var emails atomic.Int64
	cases := []formCase{
		// The password meets only argon2id, never SQL or a page: it is left out here.
		{name: "sign in", client: anon, fields: []string{"email", "next"}, values: slowHostileValues,
			setup: func() (string, url.Values) {
				return "/sign-in", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password"}, "next": {"/work"}}
			}},
		{name: "start a decision", client: drafter, fields: []string{"series", "title"},
			setup: func() (string, url.Values) {
				return "/decisions/new", url.Values{"series": {"PCD"}, "title": {"Another"}}
			},
			echo: []string{"title"}, broken: url.Values{"series": {"NOPE"}}},
		{name: "title and summary", client: drafter, fields: []string{"title", "summary", "version"},
			setup: withVersion(edit+"/title", url.Values{"title": {"Hostile target"}, "summary": {"A summary."}}),
			echo:  []string{"summary"}, broken: url.Values{"title": {""}}},
		{name: "recommendations", client: drafter, fields: []string{"action", "recommendation", "version"},
			setup: withVersion(edit+"/recommendations", url.Values{"action": {"save"}, "recommendation": {"Accept."}})},
		{name: "a Part I section", client: drafter, fields: []string{"action", "heading", "body", "version"},
			setup: withVersion(edit+"/sections/legal-comments", url.Values{"action": {"save"}, "heading": {"Legal comments"}, "body": {"Text."}}),
			echo:  []string{"heading"}, broken: url.Values{"body": {" "}}},
		{name: "Part II", client: drafter, fields: []string{"action", "body", "ground", "public_interest", "review_on_year", "version"},
			setup: withVersion(edit+"/part-two", partTwoForm(url.Values{"action": {"save"}, "body": {"Confidential."}}))},
		{name: "funding", client: drafter,
			fields: []string{"action", "amount", "fy_start", "fy_end", "basis", "kind", "label", "period", "funder", "recipient", "version"},
			setup: withVersion(edit+"/funding", url.Values{"action": {"save"}, "amount": {"£100"}, "fy_start": {"2024-25"},
				"fy_end": {"2025-26"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}, "funder": {"Home Office"}}),
			echo: []string{"label", "funder"}, broken: url.Values{"amount": {"lots"}}},
		{name: "links", client: drafter, fields: []string{"action", "reference", "kind", "version"},
			setup: withVersion(edit+"/links", url.Values{"action": {"save"}, "reference": {"PCD 1215"}, "kind": {"related"}}),
			echo:  []string{"reference"}, broken: url.Values{"kind": {""}}},
		{name: "drafting team", client: drafter, fields: []string{"email", "version"},
			setup: withVersion(edit+"/drafters", url.Values{"email": {"nobody@example.org"}}),
			echo:  []string{"email"}},
		{name: "submit", client: drafter, fields: []string{"version"},
			setup: withVersion("/decisions/"+slug+"/check", url.Values{})},
		{name: "adviser's step", client: hou, fields: []string{"decision", "step", "comment", "content_hash"},
			setup: func() (string, url.Values) {
				s := awaiting(false)
				return "/decisions/" + s + "/signoff", url.Values{"decision": {"return"}, "step": {"head_of_unit"},
					"comment": {"Not yet."}, "content_hash": {ss.hashOf(t, s)}}
			},
			echo: []string{"comment"}, broken: url.Values{"decision": {""}}},
		{name: "signature", client: maker,
			fields: []string{"interests", "interests_detail", "outcome", "publication", "publish_day", "publish_month", "publish_year",
				"deferral_reason", "ground", "public_interest", "rejection_reason", "content_hash"},
			setup: func() (string, url.Values) {
				s := awaiting(true)
				return "/decisions/" + s + "/sign", url.Values{"interests": {"declared"}, "interests_detail": {"A trustee."},
					"outcome": {"approve"}, "publication": {"defer"}, "publish_day": {"1"}, "publish_month": {"1"}, "publish_year": {"2030"},
					"deferral_reason": {"Operational reasons."}, "ground": {"s.43"}, "public_interest": {"Contract terms."},
					"content_hash": {ss.hashOf(t, s)}}
			},
			echo: []string{"interests_detail", "deferral_reason"}, broken: url.Values{"outcome": {""}}},
		// Each account added hashes its first password with argon2id: fewer values.
		{name: "new account", client: adminC, fields: []string{"email", "name", "roles", "steps", "series"}, values: slowHostileValues,
			setup: func() (string, url.Values) {
				return "/admin/users/new", url.Values{"email": {fmt.Sprintf("new%d@example.org", emails.Add(1))}, "name": {"New Person"},
					"roles": {"adviser"}, "steps": {"finance"}}
			},
			echo: []string{"email", "name"}, broken: url.Values{"roles": {""}}},
		{name: "account's roles", client: adminC, fields: []string{"roles", "steps", "series"},
			setup: func() (string, url.Values) {
				return fmt.Sprintf("/admin/users/%d", ss.drafter.ID), url.Values{"roles": {"drafter"}}
			}},
		{name: "sign-off chain", client: adminC, fields: []string{"position-head_of_unit", "position-finance", "position-legal"},
			setup: func() (string, url.Values) {
				return "/admin/chains/PCD", url.Values{"position-head_of_unit": {"1"}, "position-finance": {"2"}, "position-legal": {"3"}}
			}},
		{name: "password", client: adminC, fields: []string{"current_password", "new_password"}, values: slowHostileValues,
			setup: func() (string, url.Values) {
				return "/account/password", url.Values{"current_password": {"not the password"}, "new_password": {"a new long passphrase"},
					"confirm_password": {"a new long passphrase"}}
			}},
	}
	var names []string
	for _, fc := range cases {
		names = append(names, fc.name)
	}
	if !slices.Equal(names, hostileFormNames) {
		t.Fatalf("hostileFormNames = %q, want the cases' names %q", hostileFormNames, names)
	}
	for _, fc := range cases {
		if fc.name != only {
			continue
		}
		values := fc.values
		if values == nil {
			values = hostileValues
		}
		for _, field := range fc.fields {
			for _, v := range values {
				path, form := fc.setup()
				form.Set(field, v)
				p := post(t, fc.client, ss.URL+path, form)
				if p.status >= 500 {
					t.Errorf("%s: POST %s with %s=%.30q = %d", fc.name, path, field, v, p.status)
				}
				if rawHostile(p.body) {
					t.Errorf("%s: POST %s with %s=%.30q: input reflected unescaped", fc.name, path, field, v)
				}
				if p.status == http.StatusUnprocessableEntity && p.doc.Find(".govuk-error-summary").Length() == 0 {
					t.Errorf("%s: POST %s with %s=%.30q = 422 without an error summary", fc.name, path, field, v)
				}
			}
		}
		// A form that fails keeps what was typed, escaped, and says what is wrong.
		for _, field := range fc.echo {
			path, form := fc.setup()
			for k, vs := range fc.broken {
				form[k] = vs
			}
			form.Set(field, hostileMarkup)
			p := post(t, fc.client, ss.URL+path, form)
			if p.status != http.StatusUnprocessableEntity || p.doc.Find(".govuk-error-summary").Length() == 0 {
				t.Errorf("%s: POST %s with %v = %d, want 422 with an error summary", fc.name, path, fc.broken, p.status)
			}
			if !strings.Contains(p.body, "&lt;script&gt;alert(") {
				t.Errorf("%s: POST %s: the %s typed is not kept (escaped) on the form", fc.name, path, field)
			}
		}
	}
	// Whatever was saved shows escaped on every page that shows it.
	pages := map[*http.Client][]string{
		drafter: {"/work", edit, edit + "/title", edit + "/recommendations", edit + "/funding", edit + "/links",
			edit + "/part-two", edit + "/drafters", "/decisions/" + slug + "/check", "/decisions/" + slug,
			"/decisions?q=" + url.QueryEscape("hostile"), "/api/v1/decisions/" + slug},
		adminC: {"/admin/users", fmt.Sprintf("/admin/users/%d", ss.drafter.ID), "/admin/chains/PCD"},
		maker:  {"/work", "/decisions/pcd-4310/signoff"},
		anon:   {"/", "/decisions", "/decisions.atom", "/checkpoints.json"},
	}
	for c, paths := range pages {
		for _, path := range paths {
			p := get(t, c, ss.URL+path)
			if p.status >= 500 || rawHostile(p.body) {
				t.Errorf("GET %s = %d, raw input shown: %t", path, p.status, rawHostile(p.body))
			}
		}
	}
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
