package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
)

// A decision maker signing under cover is recorded as signing for the person they cover, with
// the cover and who set it: in the sign-off chain, on the public page, in the audit entry and the
// timeline, and in the signed decision document; verify compares the cover with the audit entry.
// A return under cover is recorded "for" the person too.
func TestSignAndReturnUnderCover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	now := site.Clock.Now()
	admin := site.User(t, "cal@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	ben := site.User(t, "ben@example.org", "Ben Cover", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	bea := site.User(t, "bea@example.org", "Bea Cover", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"head_of_unit"}})
	for _, c := range []store.CoverInput{
		{UserID: site.maker.ID, CovererID: ben.ID},
		{UserID: site.advisers["head_of_unit"].ID, CovererID: bea.ID},
	} {
		c.Starts, c.Ends, c.Reason = utcDay(now), utcDay(now.Add(72*time.Hour)), "Leave"
		if _, err := site.Store.SetCover(ctx, admin.Act(now), c); err != nil {
			t.Fatal(err)
		}
	}
	days := coverDays(now, now.Add(72*time.Hour))

	// Bea returns a decision at the head of unit step, covering for its adviser.
	returned := site.awaitingDecision(t, 9611)
	bc := site.Client(t, bea.Email)
	p := post(t, bc, site.URL+"/decisions/"+returned+"/signoff", url.Values{"decision": {"return"}, "step": {"head_of_unit"},
		"comment": {"The costs do not add up."}, "content_hash": {site.hashOf(t, returned)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("return under cover = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	wantReturn := "Bea Cover for Adviser head_of_unit (cover " + days + ", set by Cal Admin)"
	if got := get(t, site.Client(t, site.drafter.Email), site.URL+"/decisions/"+returned+"/signoff").text(`[data-testid="signoff-history"]`); !strings.Contains(got, "Returned at Head of unit") || !strings.Contains(got, wantReturn) {
		t.Errorf("the history reads %q, want the return by %q", got, wantReturn)
	}

	// Ben signs another, covering for Sophie, the series' decision maker.
	slug := site.awaitingDecision(t, 9612)
	site.approveAll(t, slug)
	base := site.URL + "/decisions/" + slug
	bc = site.Client(t, ben.Email)
	if got := get(t, bc, site.URL+"/work").text(`[data-testid="signatures"]`); !strings.Contains(got, "Every step has approved it · covering for Sophie Signer") {
		t.Errorf("Ben's work lists %q, want the signature, covering for Sophie", got)
	}
	wantNote := "You are covering for Sophie Signer (cover " + days + ", set by Cal Admin): your signature or rejection is recorded as made for them."
	if got := get(t, bc, base+"/signoff").text(`[data-testid="cover-note"]`); got != wantNote {
		t.Errorf("the signature form's note reads %q, want %q", got, wantNote)
	}
	p = post(t, bc, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"},
		"publication": {"now"}, "content_hash": {site.hashOf(t, slug)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign under cover = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	wantFor := "for Sophie Signer (cover " + days + ", set by Cal Admin)"
	sigFor := func(p page) string {
		return p.text(`[data-testid="signoff-step"]:last-child [data-testid="signoff-for"]`)
	}
	staff := get(t, site.Client(t, site.drafter.Email), base+"/signoff")
	if got := sigFor(staff); got != wantFor {
		t.Errorf("the sign-off chain's signature reads %q, want %q", got, wantFor)
	}
	pub := get(t, site.Client(t, ""), base)
	if got := sigFor(pub); got != wantFor {
		t.Errorf("the public page's signature reads %q, want %q", got, wantFor)
	}
	shown := get(t, site.Client(t, site.drafter.Email), base)
	if got := shown.text(`[data-testid="timeline-item"] .moj-timeline__byline`); !strings.Contains(got, "by Ben Cover for Sophie Signer (cover "+days+", set by Cal Admin)") {
		t.Errorf("the timeline's bylines read %q", got)
	}
	api := get(t, site.Client(t, ""), site.URL+"/api/v1/decisions/"+slug)
	var doc struct {
		Signoff struct {
			Signature struct {
				OnBehalfOf *string `json:"on_behalf_of"`
				Cover      *struct {
					SetBy string `json:"set_by"`
				} `json:"cover"`
			} `json:"signature"`
		} `json:"signoff"`
	}
	if err := json.Unmarshal([]byte(api.body), &doc); err != nil {
		t.Fatal(err)
	}
	if g := doc.Signoff.Signature; g.OnBehalfOf == nil || *g.OnBehalfOf != "Sophie Signer" || g.Cover == nil || g.Cover.SetBy != "Cal Admin" {
		t.Errorf("the API's signature reads %s", api.body)
	}
	var onBehalf, cover string
	if err := site.Pool.QueryRow(ctx, `SELECT detail::jsonb->>'on_behalf_of', detail::jsonb->>'cover' FROM audit_log
		WHERE event = 'signed' AND detail::jsonb->>'reference' = 'PCD 9612'`).Scan(&onBehalf, &cover); err != nil {
		t.Fatal(err)
	}
	if onBehalf != "Sophie Signer" || cover != "cover "+days+", set by Cal Admin" {
		t.Errorf("the signed entry records %q, %q", onBehalf, cover)
	}
	if got := get(t, site.Client(t, ""), base+"/verify").body; !strings.Contains(got, "Signed by Ben Cover "+wantFor) {
		t.Errorf("the verify page does not say who signed for whom")
	}
	if rep, err := site.Store.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 {
		t.Fatalf("VerifySignatures = %+v, %v; want no mismatch", rep, err)
	}

	// The signed decision document prints it.
	pdf := signedpdf.New(signedpdf.Config{})
	t.Cleanup(pdf.Close)
	if n := drain(t, ctx, site.worker(t, pdf)); n != 1 {
		t.Fatalf("made %d signed documents, want 1", n)
	}
	text := strings.Join(strings.Fields(pdftest.Text(t, signedDocument(t, site, slug, store.Public(site.Clock.Now())))), " ")
	if !strings.Contains(text, "Ben Cover "+wantFor) {
		t.Errorf("the signed document does not say %q: %s", "Ben Cover "+wantFor, text)
	}

	// Changed behind the triggers' back, the cover no longer matches the audit entry.
	tx, err := site.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{`ALTER TABLE signatures DISABLE TRIGGER USER`,
		`UPDATE signatures SET on_behalf_name = 'Someone Else' WHERE on_behalf_name IS NOT NULL`,
		`ALTER TABLE signatures ENABLE TRIGGER USER`} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := site.Store.VerifySignatures(ctx)
	if err != nil || rep.Mismatches != 1 || !strings.Contains(rep.Problem, `its on_behalf_of is "Someone Else" but the audit trail recorded "Sophie Signer"`) {
		t.Errorf("VerifySignatures after the change = %+v, %v", rep, err)
	}
}
