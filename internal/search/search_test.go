package search

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		raw     string
		staff   bool
		field   string // the field in error, or "" for none
		canonic string // Values().Encode() when valid
	}{
		{"", false, "", ""},
		{"q=knife+crime", false, "", "q=knife+crime"},
		{"q=knife&sort=relevance", false, "", "q=knife"},
		{"sort=relevance", false, "", ""},
		{"fy=2024/25", false, "", "fy=2024-25"},
		{"fy=2024-26", false, "fy", ""},
		{"fy=<script>", false, "fy", ""},
		{"series=pcd", false, "", "series=PCD"},
		{"series=P1", false, "series", ""},
		{"status=draft", false, "status", ""},
		{"status=published", false, "", ""},
		{"status=draft", true, "", "status=draft"},
		{"status=nonsense", true, "status", ""},
		{"min=1.5m&max=2,000,000", false, "", "max=2000000&min=1500000"},
		{"min=-5", false, "min", ""},
		{"max=99999999999999999999", false, "max", ""},
		{"min=10&max=5", false, "max", ""},
		{"from=2024-02-30", false, "from", ""},
		{"from=2024-03-01&to=2024-01-01", false, "to", ""},
		{"sort=price", false, "sort", ""},
		{"q=" + strings.Repeat("a", 201), false, "q", ""},
		{"q=%00", false, "q", ""},
		{"q=%ff", false, "q", ""},
		{"maker=%ff", false, "maker", ""},
		{"cursor=AAAA", false, "cursor", ""},
		{"q=%E2%80%9Cgang+violence%E2%80%9D", false, "", "q=%22gang+violence%22"},
		{"funder=Mayor%E2%80%99s+Office", false, "", "funder=Mayor%27s+Office"},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.raw)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(ParamsOf(v), tt.staff)
		if tt.field != "" {
			errs, ok := err.(Errors)
			if !ok || errs.For(tt.field) == "" {
				t.Errorf("Parse(%q) = %v, want an error on %s", tt.raw, err, tt.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
			continue
		}
		if got := q.Values().Encode(); got != tt.canonic {
			t.Errorf("Parse(%q).Values() = %q, want %q", tt.raw, got, tt.canonic)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	d := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, sort := range []string{SortRelevance, SortNewest, SortAmount} {
		q := Query{Q: "knife", Sort: sort}
		for _, c := range []Cursor{
			{Rank: 0.25, Date: d, Number: 1682, Amount: 123, ID: 7},
			{Back: true, Rank: 1000.5, Date: NoDate, Number: 1, Amount: -1, ID: 1 << 40},
		} {
			s := EncodeCursor(c, q)
			got, err := DecodeCursor(s, q)
			if err != nil {
				t.Fatalf("%s: DecodeCursor(EncodeCursor(%+v)): %v", sort, c, err)
			}
			want := Cursor{Back: c.Back, ID: c.ID}
			switch sort {
			case SortRelevance:
				want.Rank = c.Rank
			case SortNewest:
				want.Date, want.Number = c.Date, c.Number
			case SortAmount:
				want.Amount = c.Amount
			}
			if got != want {
				t.Errorf("%s: round trip %+v = %+v", sort, c, got)
			}
			// Another search, or a changed byte, is refused.
			if _, err := DecodeCursor(s, Query{Q: "other", Sort: sort}); err == nil {
				t.Errorf("%s: a cursor of one search works for another", sort)
			}
			b := []byte(s)
			b[5] ^= 1
			if _, err := DecodeCursor(string(b), q); err == nil {
				t.Errorf("%s: a changed cursor is accepted", sort)
			}
		}
	}
}

// FuzzParse: no input panics, and a valid query's canonical parameters parse to themselves.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"q=knife&fy=2024-25&min=5k&sort=amount", "from=2024-01-01&to=2023-01-01",
		"series=pcd&maker=x&funder=%ff", "cursor=AQID", "status=draft"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, staff bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := Parse(ParamsOf(v), staff)
		if err != nil {
			if _, ok := err.(Errors); !ok {
				t.Fatalf("Parse(%q) error %T, want Errors", raw, err)
			}
			return
		}
		q2, err := Parse(ParamsOf(q.Values()), staff)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", q.Values().Encode(), raw, err)
		}
		if q2.Values().Encode() != q.Values().Encode() {
			t.Fatalf("canonical form moves: %q then %q", q.Values().Encode(), q2.Values().Encode())
		}
	})
}

// FuzzCursor: no string panics DecodeCursor, and whatever it accepts encodes back the same.
func FuzzCursor(f *testing.F) {
	q := Query{Q: "knife", Sort: SortNewest}
	f.Add(EncodeCursor(Cursor{Date: NoDate, Number: 3, ID: 9}, q))
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sort := range []string{SortRelevance, SortNewest, SortAmount} {
			q := Query{Q: "knife", Sort: sort}
			c, err := DecodeCursor(s, q)
			if err != nil {
				continue
			}
			if got := EncodeCursor(c, q); got != s {
				t.Fatalf("accepted %q, which encodes back as %q", s, got)
			}
		}
	})
}
