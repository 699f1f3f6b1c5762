package decision

import (
	"strings"
	"testing"
)

func TestWordDiff(t *testing.T) {
	tests := []struct {
		old, new string
		want     string // removed words in [-…-], added in {+…+}
	}{
		{"the same text", "the same text", "the same text"},
		{"accept £2,755,000 from the Home Office", "accept £2,755,001 from the Home Office",
			"accept[- £2,755,000-]{+ £2,755,001+} from the Home Office"},
		{"one two three", "one three", "one[- two-] three"},
		{"one three", "one two three", "one{+ two+} three"},
		{"", "new words", "{+new words+}"},
		{"old words", "", "[-old words-]"},
		{"a b c d", "a x c y", "a[- b-]{+ x+} c[- d-]{+ y+}"},
	}
	for _, tt := range tests {
		var b strings.Builder
		var old, new strings.Builder
		for _, r := range WordDiff(tt.old, tt.new) {
			switch r.Op {
			case DiffRemoved:
				b.WriteString("[-" + r.Text + "-]")
				old.WriteString(r.Text)
			case DiffAdded:
				b.WriteString("{+" + r.Text + "+}")
				new.WriteString(r.Text)
			default:
				b.WriteString(r.Text)
				old.WriteString(r.Text)
				new.WriteString(r.Text)
			}
		}
		if b.String() != tt.want {
			t.Errorf("WordDiff(%q, %q) = %s, want %s", tt.old, tt.new, b.String(), tt.want)
		}
		// The runs give back both texts.
		if old.String() != tt.old || new.String() != tt.new {
			t.Errorf("WordDiff(%q, %q) rebuilds %q and %q", tt.old, tt.new, old.String(), new.String())
		}
	}
}

func TestNotTypographical(t *testing.T) {
	fy := 2024
	base := Corrected{Title: "Alpha - Social Media Hub", Summary: "To accept a grant of £2,755,000 for 2024-25.",
		Recommendations: []string{"Approve the grant."},
		Sections:        []ContentSection{{Kind: "financial_comments", Heading: "Financial comments", Body: "The grant is recieved in full."}},
		Funding:         []ContentFunding{{AmountPence: 275500000, Currency: "GBP", FYStart: &fy, Basis: BasisTotal, Kind: KindGrantAccepted, Label: "Home Ofice grant"}}}
	clone := func(fn func(k *Corrected)) Corrected {
		k := base
		k.Recommendations = append([]string(nil), base.Recommendations...)
		k.Sections = append([]ContentSection(nil), base.Sections...)
		k.Funding = append([]ContentFunding(nil), base.Funding...)
		fn(&k)
		return k
	}
	other := 2025
	tests := []struct {
		name string
		k    Corrected
		want string // in the reason; "" for typographical
	}{
		{"spelling in a section", clone(func(k *Corrected) { k.Sections[0].Body = "The grant is received in full." }), ""},
		{"spelling in a label", clone(func(k *Corrected) { k.Funding[0].Label = "Home Office grant" }), ""},
		{"punctuation", clone(func(k *Corrected) { k.Title = "Alpha – Social Media Hub" }), ""},
		{"amount", clone(func(k *Corrected) { k.Funding[0].AmountPence++ }), "amount of funding line 1"},
		{"year", clone(func(k *Corrected) { k.Funding[0].FYStart = &other }), "financial years"},
		{"recipient", clone(func(k *Corrected) { r := "Someone"; k.Funding[0].Recipient = &r }), "funder or recipient"},
		{"number in text", clone(func(k *Corrected) { k.Summary = "To accept a grant of £2,755,001 for 2024-25." }), "number, date or reference"},
		{"meaning", clone(func(k *Corrected) { k.Recommendations[0] = "Approve the loans." }), "more than 2 letters"},
		{"negation", clone(func(k *Corrected) { k.Recommendations[0] = "Approve not grant." }), "carries the meaning"},
		{"added words", clone(func(k *Corrected) { k.Recommendations[0] = "Approve the whole grant." }), "adds or removes words"},
		{"added recommendation", clone(func(k *Corrected) { k.Recommendations = append(k.Recommendations, "More.") }), "adds or removes a recommendation"},
	}
	for _, tt := range tests {
		got := NotTypographical(base, tt.k)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: NotTypographical = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCanApproveCorrection(t *testing.T) {
	maker := Actor{ID: 1, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
	otherMaker := Actor{ID: 2, Roles: []string{RoleDecisionMaker}, Series: []string{"MD"}}
	admin := Actor{ID: 3, Roles: []string{RoleAdmin}}
	tests := []struct {
		name     string
		a        Actor
		drafters []int64
		notTypo  string
		ok       bool
	}{
		{"maker, any correction", maker, nil, "it changes the amount", true},
		{"maker who drafted it", maker, []int64{1}, "", false},
		{"maker of another series", otherMaker, nil, "", false},
		{"admin, typographical", admin, nil, "", true},
		{"admin, not typographical", admin, nil, "it changes the amount", false},
	}
	for _, tt := range tests {
		if err := CanApproveCorrection(tt.a, "PCD", tt.drafters, tt.notTypo); (err == nil) != tt.ok {
			t.Errorf("%s: CanApproveCorrection = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCanDiscardCorrection(t *testing.T) {
	drafter := Actor{ID: 1, Roles: []string{RoleDrafter}}
	otherDrafter := Actor{ID: 2, Roles: []string{RoleDrafter}}
	admin := Actor{ID: 3, Roles: []string{RoleAdmin}}
	maker := Actor{ID: 4, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
	exDrafter := Actor{ID: 5} // saved it once, no longer a drafter
	tests := []struct {
		name string
		a    Actor
		ok   bool
	}{
		{"one of its drafters", drafter, true},
		{"a drafter who did not draft it", otherDrafter, false},
		{"an admin", admin, true},
		{"the decision maker who would approve it", maker, false},
		{"someone who drafted it but lost the drafter role", exDrafter, false},
	}
	for _, tt := range tests {
		if err := CanDiscardCorrection(tt.a, []int64{1, 5}); (err == nil) != tt.ok {
			t.Errorf("%s: CanDiscardCorrection = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
