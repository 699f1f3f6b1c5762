package decision

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCheckCover holds each refusal of a cover to its field and words, and lets a good one by.
func TestCheckCover(t *testing.T) {
	ann := Actor{ID: 1, Roles: []string{RoleAdviser}, StepKinds: []string{"legal"}}
	bea := Actor{ID: 2, Roles: []string{RoleAdviser}, StepKinds: []string{"legal", "finance"}}
	cal := Actor{ID: 3, Roles: []string{RoleAdviser}, StepKinds: []string{"finance"}}
	dee := Actor{ID: 4, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
	eve := Actor{ID: 5, Roles: []string{RoleDecisionMaker, RoleAdviser}, Series: []string{"MD"}, StepKinds: []string{"legal"}}
	drafter := Actor{ID: 6, Roles: []string{RoleDrafter}}
	names := map[int64]string{1: "Ann", 2: "Bea", 3: "Cal", 4: "Dee", 5: "Eve", 6: "Fay"}
	steps := map[string]string{"legal": "Legal", "finance": "Finance"}
	base := func(person Actor, coverer *Actor, from, to string) CoverRequest {
		return CoverRequest{Person: person, Coverer: coverer, Starts: day(from), Ends: day(to), Reason: "Leave",
			Today: day("2026-07-20"), Names: names, Steps: steps, Self: true}
	}
	existing := []Cover{{ID: 9, PersonID: 1, CovererID: 2, Starts: day("2026-08-01"), Ends: day("2026-08-14")}}
	cases := []struct {
		name  string
		req   CoverRequest
		field string
		msg   string
	}{
		{"good", base(ann, &bea, "2026-08-01", "2026-08-14"), "", ""},
		{"one day", base(ann, &bea, "2026-07-20", "2026-07-20"), "", ""},
		{"nobody", base(ann, nil, "2026-08-01", "2026-08-14"), "coverer", "Select who will act for you"},
		{"themself", base(ann, &ann, "2026-08-01", "2026-08-14"), "coverer", "Select someone else: a person cannot cover for themself"},
		{"without the step", base(ann, &cal, "2026-08-01", "2026-08-14"), "coverer", "Cal cannot cover for you: they do not clear the Legal step"},
		{"without the series", base(dee, &eve, "2026-08-01", "2026-08-14"), "coverer", "Eve cannot cover for you: they do not sign for the PCD series"},
		{"nothing to cover", base(drafter, &bea, "2026-08-01", "2026-08-14"), "coverer", "You clear no steps and sign for no series, so there is nothing to cover"},
		{"end before start", base(ann, &bea, "2026-08-14", "2026-08-01"), "ends", "The end date must be the same as or after the start date"},
		{"in the past", base(ann, &bea, "2026-07-01", "2026-07-19"), "ends", "The end date must be today or later"},
		{"overlaps", func() CoverRequest {
			r := base(ann, &eve, "2026-08-14", "2026-08-20")
			r.Existing = existing
			return r
		}(), "starts", "You already have cover 1–14 August 2026: this would overlap it. End that cover first, or choose other dates"},
		{"overlaps, by an admin", func() CoverRequest {
			r := base(ann, &eve, "2026-07-25", "2026-08-01")
			r.Existing, r.Self = existing, false
			return r
		}(), "starts", "Ann already has cover 1–14 August 2026: this would overlap it. End that cover first, or choose other dates"},
		{"next to it", func() CoverRequest {
			r := base(ann, &eve, "2026-08-15", "2026-08-20")
			r.Existing = existing
			return r
		}(), "", ""},
		{"no start", func() CoverRequest {
			r := base(ann, &bea, "2026-08-01", "2026-08-14")
			r.Starts = time.Time{}
			return r
		}(),
			"starts", "Enter the start date"},
		{"no reason", func() CoverRequest { r := base(ann, &bea, "2026-08-01", "2026-08-14"); r.Reason = " "; return r }(),
			"reason", "Enter why cover is needed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckCover(c.req)
			if c.field == "" {
				if len(got) != 0 {
					t.Fatalf("CheckCover = %v, want no problem", got)
				}
				return
			}
			if len(got) != 1 || got[0].Field != c.field || got[0].Message != c.msg {
				t.Fatalf("CheckCover = %v, want one problem %s: %q", got, c.field, c.msg)
			}
		})
	}
}

func TestCoverDays(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"2026-08-01", "2026-08-14", "1–14 August 2026"},
		{"2026-07-30", "2026-08-02", "30 July – 2 August 2026"},
		{"2026-12-29", "2027-01-02", "29 December 2026 – 2 January 2027"},
		{"2026-08-03", "2026-08-03", "3 August 2026"},
	} {
		if got := CoverDays(day(c.from), day(c.to)); got != c.want {
			t.Errorf("CoverDays(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

// TestActingFor: an approval is for the covered person only when they would have cleared the
// step themself; the separation of duties holds through cover.
func TestActingFor(t *testing.T) {
	ann := Actor{ID: 1, Roles: []string{RoleAdviser}, StepKinds: []string{"legal"}}
	cal := Actor{ID: 3, Roles: []string{RoleAdviser}, StepKinds: []string{"finance", "legal"}}
	so := Signoff{Status: StatusAwaitingSignoff, Chain: []string{"finance", "legal"}, Drafters: []int64{7},
		Approvals: []Approval{{StepKind: "finance", UserID: 3}}}
	cases := []struct {
		name    string
		so      Signoff
		covered []Actor
		want    int64
	}{
		{"for Ann", so, []Actor{ann}, 1},
		{"nobody covered", so, nil, 0},
		{"Cal cleared finance", so, []Actor{cal}, 0},
		{"Ann drafted it", func() Signoff { s := so; s.Drafters = []int64{1}; return s }(), []Actor{ann}, 0},
		{"first who holds it", so, []Actor{{ID: 8, Roles: []string{RoleAdviser}, StepKinds: []string{"finance"}}, ann}, 1},
	}
	for _, c := range cases {
		got, ok := c.so.ActingFor("legal", c.covered)
		if ok != (c.want != 0) || got.ID != c.want {
			t.Errorf("%s: ActingFor = %d, %v, want %d", c.name, got.ID, ok, c.want)
		}
	}
}

func TestDeclarationCheck(t *testing.T) {
	fields := func(ps []CoverProblem) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Field)
		}
		return out
	}
	cases := []struct {
		d        Declaration
		want     []string
		withdrew bool
	}{
		{Declaration{Interests: DeclareNone}, nil, false},
		{Declaration{}, []string{"interests"}, false},
		{Declaration{Interests: DeclareInterest}, []string{"nature", "action"}, false},
		{Declaration{Interests: DeclareInterest, Nature: "Shares", Action: ActionDispensation}, []string{"dispensation_by"}, false},
		{Declaration{Interests: DeclareInterest, Nature: "Shares", Action: ActionDispensation, DispensationBy: "The monitoring officer"}, nil, false},
		{Declaration{Interests: DeclareInterest, Nature: "Shares", Action: ActionWithdrew}, nil, true},
	}
	for _, c := range cases {
		if got := fields(c.d.Check()); !slices.Equal(got, c.want) || c.d.Withdrew() != c.withdrew {
			t.Errorf("%+v: Check = %v, Withdrew = %v; want %v, %v", c.d, got, c.d.Withdrew(), c.want, c.withdrew)
		}
	}
}

// TestReadSignedApprovals: version 4's approvals read back from the signed bytes, strictly, as
// the signed decision document prints them; version 2's bytes have none.
func TestReadSignedApprovals(t *testing.T) {
	str := func(s string) *string { return &s }
	c := sampleContent()
	c.Approvals = []ContentApproval{
		{Step: "head_of_unit", Approver: "Ann Jones", Interests: str(DeclareNone)},
		{Step: "legal", Approver: "Bea Patel", OnBehalfOf: str("Cal Green"),
			Cover:     &ContentCover{From: "2026-08-01", To: "2026-08-14", SetBy: "Dee Admin"},
			Interests: str(DeclareInterest), InterestNature: str("Shares in the funder"), DispensationBy: str("The monitoring officer")},
	}
	b, _ := CanonicalAs(4, c)
	got, err := ReadSigned(b)
	if err != nil || got.Version != 4 || len(got.Approvals) != 2 {
		t.Fatalf("ReadSigned(v4) = %+v, %v", got, err)
	}
	if f := got.Approvals[1].ForWhom(); f != "for Cal Green (cover 1–14 August 2026, set by Dee Admin)" {
		t.Errorf("ForWhom = %q", f)
	}
	if d := got.Approvals[1].Declared(); d != "Declared an interest: Shares in the funder. Went on under a dispensation granted by The monitoring officer." {
		t.Errorf("Declared = %q", d)
	}
	if d := got.Approvals[0].Declared(); d != "No interests declared" || got.Approvals[0].ForWhom() != "" {
		t.Errorf("the first approval reads %q %q", d, got.Approvals[0].ForWhom())
	}
	b2, _ := CanonicalAs(2, c)
	if got, err := ReadSigned(b2); err != nil || got.Version != 2 || len(got.Approvals) != 0 {
		t.Errorf("ReadSigned(v2) = %+v, %v; want no approvals", got, err)
	}
	// Version 2's bytes with approvals added are not version 2: refused.
	bad := strings.Replace(string(b2), `"documents":[]}`, `"documents":[],"approvals":[]}`, 1)
	if bad == string(b2) {
		t.Fatal("the test's edit of the version 2 bytes did not apply")
	}
	if _, err := ReadSigned([]byte(bad)); err == nil {
		t.Error("ReadSigned took version 2 bytes carrying approvals")
	}
}
