package server

import (
	"testing"

	"github.com/decision-register/decisions/web/components"
)

func TestMarker(t *testing.T) {
	m := newMarker(map[string]string{"PCD 545": "pcd-545", "PCD 867": "pcd-867", "PCD 1682": "pcd-1682"}, "PCD 1682")
	got := m.rich("The HO funded PCD 545, 867 and 914 (PCD 1682 says so); the HO again.")
	want := components.Rich{
		{Text: "The "}, {Text: "HO", Title: "Home Office"}, {Text: " funded "},
		{Text: "PCD 545", Href: "/decisions/pcd-545"}, {Text: ", "}, {Text: "867", Href: "/decisions/pcd-867"},
		{Text: " and "}, {Text: "914"}, {Text: " ("}, {Text: "PCD 1682"}, {Text: " says so); the HO again."},
	}
	if len(got) != len(want) {
		t.Fatalf("rich = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("run %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got.String() != "The HO funded PCD 545, 867 and 914 (PCD 1682 says so); the HO again." {
		t.Errorf("text changed: %q", got.String())
	}
	if len(m.used) != 1 || m.used[0].Short != "HO" {
		t.Errorf("used = %+v, want HO once", m.used)
	}
}

func TestReadableAddress(t *testing.T) {
	tests := map[string]string{
		"https://www.london.gov.uk/mopac-decisions/pcd-1682-alpha-social-media-hub": "Page on london.gov.uk: “pcd 1682 alpha social media hub”",
		"https://example.org/":        "A page on example.org",
		"http://example.org/a/b_c-d/": "Page on example.org: “b c d”",
	}
	for in, want := range tests {
		if got := readableAddress(in); got != want {
			t.Errorf("readableAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
