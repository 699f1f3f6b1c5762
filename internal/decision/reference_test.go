package decision

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseReference(t *testing.T) {
	pcd1682 := Ref{Series: "PCD", Number: 1682}
	tests := []struct {
		in   string
		want Ref
	}{
		{"PCD 1682", pcd1682},
		{"pcd1682", pcd1682},
		{" PCD-1682 ", pcd1682},
		{"1682", pcd1682},
		{"pcd-1682", pcd1682},
		{"PCD No. 1682", pcd1682},
		{"PCD\u00a01682", pcd1682},
		{"PCD\u20131682", pcd1682},
		{"PCD 01682", pcd1682},
		{"pcd_545", Ref{Series: "PCD", Number: 545}},
		{"DMPCD 2014 23", Ref{Series: "DMPCD", Year: 2014, Number: 23}},
		{"dmpcd-2014-23", Ref{Series: "DMPCD", Year: 2014, Number: 23}},
		{"DMPCD2014/23", Ref{Series: "DMPCD", Year: 2014, Number: 23}},
		{"MD3212", Ref{Series: "MD", Number: 3212}},
		{"ＰＣＤ １６８２", pcd1682},
		{"ＰＣＤ１６８２", pcd1682},
		{"pcd\u30001682", pcd1682},
		{"DMPCD 1682", pcd1682},
		{"dmpcd1682", pcd1682},
		{"MOPAC PCD 1682", pcd1682},
		{"mopac pcd-1682", pcd1682},
		{"MOPAC 1682", pcd1682},
		{"MOPAC DMPCD 2014 23", Ref{Series: "DMPCD", Year: 2014, Number: 23}},
	}
	for _, tt := range tests {
		got, err := ParseReference(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseReference(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseReferenceRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ", "social media", "hub 12", "PCD", "PCD 0", "PCD +5", "PCD 12 13", "DMPCD 23",
		"DMPCD 1800 23", "PCD 1682; DROP TABLE", "<script>", "PCD 99999999999", strings.Repeat("1", 100),
		"PCD 1682\x00", "1.5", "£1682", "DMPCD 2014", "MOPAC", "MOPAC MOPAC 1682", "MOPAC hub 12",
		"pcd 1682 social", "ＰＣＤ １６８２ social",
	} {
		if got, err := ParseReference(in); !errors.Is(err, ErrNotReference) {
			t.Errorf("ParseReference(%q) = %+v, %v; want ErrNotReference", in, got, err)
		}
	}
}

func TestParseReferencePrefix(t *testing.T) {
	pcd1682 := Ref{Series: "PCD", Number: 1682}
	tests := []struct {
		in    string
		ref   Ref
		words string
	}{
		{"pcd 1682 social", pcd1682, "social"},
		{"PCD1682 social media hub", pcd1682, "social media hub"},
		{"ＰＣＤ １６８２ ｓｏｃｉａｌ", pcd1682, "social"},
		{"MOPAC PCD 1682 hub", pcd1682, "hub"},
		{"DMPCD 2014 23 grant", Ref{Series: "DMPCD", Year: 2014, Number: 23}, "grant"},
		{"1682 hub", pcd1682, "hub"},
	}
	for _, tt := range tests {
		ref, words, ok := ParseReferencePrefix(tt.in)
		if !ok || ref != tt.ref || words != tt.words {
			t.Errorf("ParseReferencePrefix(%q) = %+v, %q, %v; want %+v, %q, true", tt.in, ref, words, ok, tt.ref, tt.words)
		}
	}
	for _, in := range []string{"", "pcd 1682", "social media", "hub 12", "PCD hub"} {
		if ref, words, ok := ParseReferencePrefix(in); ok {
			t.Errorf("ParseReferencePrefix(%q) = %+v, %q, true; want false", in, ref, words)
		}
	}
}

func TestRefStringAndSlug(t *testing.T) {
	tests := []struct {
		ref       Ref
		str, slug string
	}{
		{Ref{Series: "PCD", Number: 1682}, "PCD 1682", "pcd-1682"},
		{Ref{Series: "DMPCD", Year: 2014, Number: 23}, "DMPCD 2014 23", "dmpcd-2014-23"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.ref, got, tt.str)
		}
		if got := tt.ref.Slug(); got != tt.slug {
			t.Errorf("%+v.Slug() = %q, want %q", tt.ref, got, tt.slug)
		}
	}
}

// FuzzParseReference checks that whatever parses round-trips through its canonical forms.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"PCD 1682", "pcd1682", "1682", "DMPCD 2014 23", "md-12", "x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseReference(s)
		if err != nil {
			return
		}
		if ref.Number <= 0 || !utf8.ValidString(ref.String()) {
			t.Fatalf("ParseReference(%q) = %+v", s, ref)
		}
		for _, form := range []string{ref.String(), ref.Slug()} {
			again, err := ParseReference(form)
			if err != nil || again != ref {
				t.Fatalf("ParseReference(%q) = %+v, %v; want %+v (from %q)", form, again, err, ref, s)
			}
		}
	})
}

func TestValidSlug(t *testing.T) {
	for _, s := range []string{"pcd-1682", "dmpcd-2014-23", "a"} {
		if !ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = false", s)
		}
	}
	for _, s := range []string{"", "-a", "a-", "a--b", "PCD-1682", "pcd 1682", "pcd-1682\x00", strings.Repeat("a", 101), "é"} {
		if ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = true", s)
		}
	}
}
