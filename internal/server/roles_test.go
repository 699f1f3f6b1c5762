package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// The people of the route table. "other" is a drafter who did not write the draft.
var people = []string{"anonymous", "drafter", "other", "adviser", "maker", "admin", "disabled"}

const draftSecret = "DRAFT-TITLE-SECRET"

// roleSite is a site with one person of each kind, signed in, and a draft (PCD 1683) written by
// the drafter with a Part II.
type roleSite struct {
	site    *testsite.Site
	clients map[string]*http.Client
}

func newRoleSite(t *testing.T) *roleSite {
	t.Helper()
	site := testsite.New(t)
	grants := map[string]store.Grants{
		"drafter":  {Roles: []string{"drafter"}},
		"other":    {Roles: []string{"drafter"}},
		"adviser":  {Roles: []string{"adviser"}, StepKinds: []string{"finance"}},
		"maker":    {Roles: []string{"decision_maker"}, Series: []string{"PCD"}},
		"admin":    {Roles: []string{"admin"}},
		"disabled": {Roles: []string{"drafter", "adviser", "decision_maker", "admin"}, StepKinds: []string{"legal"}, Series: []string{"PCD"}},
	}
	rs := &roleSite{site: site, clients: map[string]*http.Client{"anonymous": site.Client(t, "")}}
	users := map[string]store.User{}
	for _, p := range people[1:] {
		users[p] = site.User(t, p+"@example.org", strings.ToUpper(p[:1])+p[1:]+" Person", grants[p])
		rs.clients[p] = site.Client(t, p+"@example.org")
	}
	ctx := context.Background()
	act := users["drafter"].Act(site.Clock.Now())
	slug, err := site.Store.CreateDraft(ctx, act, "PCD", draftSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.Store.SetPartTwo(ctx, act, slug, store.Base{Version: 1}, partTwoSecret+" confidential advice"); err != nil {
		t.Fatal(err)
	}
	// A notice of the draft on the forward plan (notice 1).
	_, err = site.Store.CreatePlanNotice(ctx, act, store.PlanNoticeInput{Series: "PCD", DecisionID: draftID(t, site, slug),
		Matter: "Fund a knife crime project", MakerName: "Sophie Linden", MakerTitle: "Deputy Mayor for Policing and Crime",
		ExpectedFrom: act.At.AddDate(0, 2, 0), Documents: "A report", Copies: "Ask MOPAC"})
	if err != nil {
		t.Fatal(err)
	}
	// Disabled after signing in: the session it holds must stop working at once.
	if err := site.Store.SetUserDisabled(ctx, store.System(site.Clock.Now()), users["disabled"].ID, true); err != nil {
		t.Fatal(err)
	}
	return rs
}

func (rs *roleSite) do(t *testing.T, who, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = rs.clients[who].PostForm(rs.site.URL+path, form)
	} else {
		resp, err = rs.clients[who].Get(rs.site.URL + path)
	}
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, path, who, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s as %s: reading body: %v", method, path, who, err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// TestEveryRouteForEveryone is the table of who gets what: every route, every kind of person.
// Statuses are per person in the order of people.
func TestEveryRouteForEveryone(t *testing.T) {
	t.Parallel()
	rs := newRoleSite(t)
	const (
		ok   = http.StatusOK
		see  = http.StatusSeeOther
		no   = http.StatusForbidden
		gone = http.StatusNotFound
	)
	draft := "/decisions/pcd-1683"
	paper := rs.site.Attach(t, "pcd-1683", "A paper", []byte("area,amount\nHackney,1\nCamden,2\n"))
	tests := []struct {
		method, path string
		form         url.Values
		want         [7]int // anonymous, drafter, other, adviser, maker, admin, disabled
	}{
		{"GET", "/", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions/pcd-1682", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions/pcd-1682/canonical", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions/pcd-1682/verify", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/accessibility", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/glossary", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/sign-in", nil, [7]int{ok, see, see, see, see, see, ok}},
		{"GET", "/work", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"GET", "/work/in-sign-off", nil, [7]int{see, no, no, no, ok, ok, see}},
		// Not submitted: the confirmation sends its drafters to the sign-off page.
		{"GET", draft + "/submitted", nil, [7]int{see, see, see, no, no, no, see}},
		{"GET", draft, nil, [7]int{gone, ok, ok, ok, ok, ok, gone}},
		{"GET", "/decisions?q=TITLE-SECRET", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions/new", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"GET", draft + "/edit", nil, [7]int{see, ok, no, no, no, no, see}},
		{"GET", draft + "/check", nil, [7]int{see, ok, no, no, no, no, see}},
		{"GET", draft + "/signoff", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"GET", "/admin/users", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/admin/users/new", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/admin/chains/PCD", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/decisions/new", url.Values{"series": {"PCD"}, "title": {"Another"}}, [7]int{see, see, see, no, no, no, see}},
		{"POST", "/admin/users/new", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"GET", "/healthz", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/readyz", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions.csv", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/decisions.atom", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/decisions", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/openapi.json", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/360giving", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/360giving.json", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/360giving.csv", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		// Open data is the public's, whoever asks: staff cannot filter it by status.
		{"GET", "/360giving.json?status=draft", nil, [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"GET", "/api/v1/decisions/pcd-1682", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/decisions/pcd-1683", nil, [7]int{gone, ok, ok, ok, ok, ok, gone}},
		{"GET", "/checkpoints.json", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/checkpoints.atom", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		// This site has no checkpoint key, so no key and no checkpoint to show.
		{"GET", "/checkpoints/key", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/checkpoints/1", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/account/password", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"POST", "/account/password", url.Values{}, [7]int{see, 422, 422, 422, 422, 422, see}},
		{"GET", "/account/cover", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"POST", "/account/cover", url.Values{}, [7]int{see, 422, 422, 422, 422, 422, see}},
		{"POST", "/account/cover/999/end", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"GET", "/admin/users/1/cover", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/users/1/cover", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"POST", "/admin/users/1/cover/999/end", url.Values{}, [7]int{see, no, no, no, no, gone, see}},
		// A draft is not waiting for sign-off: nobody may act on it yet.
		{"POST", draft + "/signoff", url.Values{}, [7]int{see, no, no, no, no, no, see}},
		{"POST", draft + "/sign", url.Values{}, [7]int{see, no, no, no, no, no, see}},
		{"POST", draft + "/edit/title", url.Values{"title": {"No version"}}, [7]int{see, 400, no, no, no, no, see}},
		{"POST", draft + "/submit", url.Values{}, [7]int{see, 400, no, no, no, no, see}},
		{"GET", draft + "/edit/documents", nil, [7]int{see, ok, no, no, no, no, see}},
		{"POST", draft + "/edit/documents", url.Values{}, [7]int{see, 400, no, no, no, no, see}},
		{"GET", draft + "/documents/" + paper.SHA256, nil, [7]int{gone, ok, ok, ok, ok, ok, gone}},
		{"GET", "/decisions/pcd-1682/documents/" + paper.SHA256, nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/admin/users/1", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/users/1", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"GET", "/admin/users/1/disable", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/chains/PCD", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		// Corrections (any drafter drafts one of a signed decision; none is in progress here),
		// withdrawal (the series' decision maker or an admin) and versions (none before a correction).
		{"GET", "/decisions/pcd-1682/correction/new", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"GET", "/decisions/pcd-1682/correction", nil, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"GET", "/decisions/pcd-1682/correction/title", nil, [7]int{see, gone, gone, no, no, no, see}},
		{"POST", "/decisions/pcd-1682/correction/approve", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"GET", "/decisions/pcd-1682/withdraw", nil, [7]int{see, no, no, no, ok, ok, see}},
		{"GET", "/decisions/pcd-1682/versions/1", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", draft + "/correction/new", nil, [7]int{see, no, no, no, no, no, see}},
		{"GET", draft + "/withdraw", nil, [7]int{see, no, no, no, no, no, see}},
		// Notices: the outbox for admins, each person's preferences, and unsubscribe links,
		// which need no sign-in but a token the register signed.
		{"GET", "/admin/notices", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/admin/notices?state=failed", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/account/notices", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		// Bank holidays: admins only; a form with no file is refused by its field.
		{"GET", "/admin/bank-holidays", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/bank-holidays", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		// The chain page's service levels and escalation contacts.
		{"POST", "/admin/chains/PCD", url.Values{"position-legal": {"1"}, "escalation-legal": {"999999"}}, [7]int{see, no, no, no, no, 422, see}},
		{"POST", "/account/notices", url.Values{}, [7]int{see, 422, 422, 422, 422, 422, see}},
		// Passkeys (passkeys.go): each person's own; nobody here has one, or a sign-in waiting.
		{"GET", "/account/passkeys", nil, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"POST", "/account/passkeys", url.Values{}, [7]int{see, 422, 422, 422, 422, 422, see}},
		{"POST", "/account/passkeys/options", url.Values{}, [7]int{see, ok, ok, ok, ok, ok, see}},
		{"GET", "/account/passkeys/1/remove", nil, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"POST", "/account/passkeys/1/remove", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"POST", "/account/confirm/passkey/options", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"POST", "/account/confirm/passkey", url.Values{}, [7]int{see, 422, 422, 422, 422, 422, see}},
		{"POST", "/sign-in/passkey/options", url.Values{}, [7]int{409, 409, 409, 409, 409, 409, 409}},
		{"POST", "/sign-in/passkey", url.Values{}, [7]int{see, see, see, see, see, see, see}},
		{"GET", "/notices/unsubscribe/forged", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		// Organisations: public pages for everyone; renames and merges for admins.
		{"GET", "/organisations", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/organisations?sort=given", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/organisations?sort=cheapest", nil, [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"GET", "/organisations/home-office", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/organisations/home-office.csv", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/organisations/home-office.atom", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/organisations/nobody", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/admin/organisations", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/admin/organisations/1", nil, [7]int{see, no, no, no, no, ok, see}},
		{"GET", "/admin/organisations/999999", nil, [7]int{see, no, no, no, no, gone, see}},
		{"POST", "/admin/organisations/1/rename", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"POST", "/admin/organisations/1/merge", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"POST", "/notices/unsubscribe/forged", url.Values{"List-Unsubscribe": {"One-Click"}}, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		// Alerts: anyone asks, about what the public may read (a draft is not found, even by
		// staff); confirming and stopping need the links' tokens.
		{"GET", "/alerts/new", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/alerts/new?decision=pcd-1682", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/alerts/new?chain=pcd-1682", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/alerts/new?decision=pcd-1683", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"POST", "/alerts", url.Values{}, [7]int{422, 422, 422, 422, 422, 422, 422}},
		{"POST", "/alerts", url.Values{"kind": {"decision"}, "decision": {"pcd-1683"}, "email": {"a@example.net"}, "frequency": {"daily"}},
			[7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/calendars/deferred.ics", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/calendars/funding-ends.ics", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/withheld", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		// Reviews of what is withheld: the series' decision makers and admins.
		{"GET", "/withheld/review", nil, [7]int{see, no, no, no, ok, ok, see}},
		{"GET", "/withheld/review/999/extend", nil, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"POST", "/withheld/review/999/release", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"GET", "/withheld/review/999/release-part", nil, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"POST", "/withheld/review/999/release-part", url.Values{}, [7]int{see, gone, gone, gone, gone, gone, see}},
		{"GET", "/admin/release/PCD", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/release/PCD", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
		{"GET", "/alerts/asked", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/alerts/confirm/forged", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"POST", "/alerts/confirm/forged", url.Values{}, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/alerts/unsubscribe/forged", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"POST", "/alerts/unsubscribe/forged", url.Values{"List-Unsubscribe": {"One-Click"}}, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		// The next decision of a chain: drafters only; the first drafter's press makes it, the
		// other drafter is told whose it is (409); a draft is not signed, so it is not continued.
		{"POST", "/decisions/pcd-1682/continue", url.Values{}, [7]int{see, see, 409, no, no, no, see}},
		{"POST", draft + "/continue", url.Values{}, [7]int{see, 409, 409, no, no, no, see}},
		// A series' section templates: admins only.
		{"GET", "/admin/series/PCD/templates", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/series/PCD/templates", url.Values{}, [7]int{see, no, no, no, no, see, see}},
		{"GET", "/admin/series/NOPE/templates", nil, [7]int{see, no, no, no, no, gone, see}},
		// The forward plan: public reads; drafters write notices and exceptions; admins publish
		// plans and set key-decision rules.
		{"GET", "/forward-plan", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan?series=pcd&key=yes&withdrawn=yes", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan?series=P1", nil, [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"GET", "/forward-plan.atom", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan/1", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan/999", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/forward-plan/new", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"POST", "/forward-plan/new", url.Values{}, [7]int{see, 422, 422, no, no, no, see}},
		{"GET", "/forward-plan/1/edit", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"POST", "/forward-plan/1/edit", url.Values{}, [7]int{see, 422, 422, no, no, no, see}},
		{"GET", "/forward-plan/1/withdraw", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"POST", "/forward-plan/1/withdraw", url.Values{}, [7]int{see, 422, 422, no, no, no, see}},
		{"GET", "/forward-plan/1/exception", nil, [7]int{see, ok, ok, no, no, no, see}},
		{"POST", "/forward-plan/1/exception", url.Values{}, [7]int{see, 422, 422, no, no, no, see}},
		// Unlinking a notice from its decision (not yet signed): drafters and admins.
		{"GET", "/forward-plan/1/unlink", nil, [7]int{see, ok, ok, no, no, ok, see}},
		{"POST", "/forward-plan/1/unlink", url.Values{}, [7]int{see, 422, 422, no, no, 422, see}},
		{"GET", "/forward-plan/999/unlink", nil, [7]int{see, gone, gone, no, no, gone, see}},
		{"GET", "/calendars/forward-plan.ics", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/alerts/new?about=forward-plan", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan/exceptions/1", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"GET", "/forward-plan/published/1", nil, [7]int{gone, gone, gone, gone, gone, gone, gone}},
		{"POST", "/forward-plan/publish", url.Values{}, [7]int{see, no, no, no, no, see, see}},
		{"GET", "/forward-plan/published/1", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/forward-plan/published/1/plan.json", nil, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/admin/key-decisions", nil, [7]int{see, no, no, no, no, ok, see}},
		{"POST", "/admin/key-decisions", url.Values{}, [7]int{see, no, no, no, no, 422, see}},
	}
	for _, tt := range tests {
		for i, who := range people {
			status, _, _ := rs.do(t, who, tt.method, tt.path, tt.form)
			if status != tt.want[i] {
				t.Errorf("%s %s as %s = %d, want %d", tt.method, tt.path, who, status, tt.want[i])
			}
		}
	}
}

// TestPartTwoAndDraftsNeverLeak reads every page that shows a decision, as every kind of person,
// and checks Part II reaches only the draft's drafter, the advisers of its chain, the decision
// makers of its series and admins; and the draft reaches no one outside staff.
func TestPartTwoAndDraftsNeverLeak(t *testing.T) {
	t.Parallel()
	rs := newRoleSite(t)
	partTwoReaders := map[string]bool{"drafter": true, "adviser": true, "maker": true, "admin": true}
	paths := []string{"/", "/decisions", "/decisions?q=TITLE-SECRET", "/decisions/pcd-1683",
		"/decisions.csv?q=TITLE-SECRET", "/decisions.atom", "/api/v1/decisions?q=TITLE-SECRET", "/api/v1/decisions/pcd-1683",
		"/decisions/pcd-1683/canonical", "/decisions/pcd-1683/verify", "/decisions/pcd-1682", "/work",
		"/360giving?q=TITLE-SECRET", "/360giving.json", "/360giving.csv?q=TITLE-SECRET",
		"/organisations", "/organisations/home-office", "/organisations/home-office.csv", "/organisations/home-office.atom",
		"/forward-plan", "/forward-plan/1", "/forward-plan.atom", "/calendars/forward-plan.ics"}
	for _, who := range people {
		sawPartTwo := false
		for _, path := range paths {
			_, body, _ := rs.do(t, who, "GET", path, nil)
			if strings.Contains(body, partTwoSecret) {
				sawPartTwo = true
				if !partTwoReaders[who] {
					t.Errorf("GET %s as %s shows Part II", path, who)
				}
			}
			if (who == "anonymous" || who == "disabled") && strings.Contains(body, draftSecret) {
				t.Errorf("GET %s as %s shows the draft", path, who)
			}
			if strings.HasPrefix(path, "/360giving") && (strings.Contains(body, draftSecret) || strings.Contains(body, partTwoSecret)) {
				t.Errorf("GET %s as %s: open data shows the draft or its Part II", path, who)
			}
		}
		if partTwoReaders[who] && who != "adviser" && who != "maker" {
			// The draft's own staff page shows its Part II to those allowed.
			if !sawPartTwo {
				t.Errorf("%s, who may read Part II, did not see it on any page", who)
			}
		}
	}
}
