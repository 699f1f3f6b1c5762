package decision

import (
	"reflect"
	"testing"
)

func TestFindReferences(t *testing.T) {
	tests := []struct {
		text string
		want []string // the text of each mention, then its reference
	}{
		{"separately funded (PCD1532).", []string{"PCD1532", "PCD 1532"}},
		{"approved under PCD references 545, 867, 914, 960, 1047 and 1215.", []string{
			"PCD references 545", "PCD 545", "867", "PCD 867", "914", "PCD 914", "960", "PCD 960",
			"1047", "PCD 1047", "1215", "PCD 1215"}},
		{"previously approved by MOPAC PCD545, PCD867 and PCD914", []string{
			"PCD545", "PCD 545", "PCD867", "PCD 867", "PCD914", "PCD 914"}},
		{"£272,708 under PCD 956 in 2021/22 and £495,000 under PCD 1218 in 2022/23", []string{
			"PCD 956", "PCD 956", "PCD 1218", "PCD 1218"}},
		{"continuing PCD 545/867/914", []string{"PCD 545", "PCD 545", "867", "PCD 867", "914", "PCD 914"}},
		{"named as the earlier approval by PCD-956, PCD 960 and PCD 1682.", []string{
			"PCD-956", "PCD 956", "PCD 960", "PCD 960", "PCD 1682", "PCD 1682"}},
		{"the PCD series, 12 staff", nil},
		{"PCDs 545 and 867 were earlier", []string{"PCDs 545", "PCD 545", "867", "PCD 867"}},
		{"continued under PCD 960, 1047 and 1215.", []string{"PCD 960", "PCD 960", "1047", "PCD 1047", "1215", "PCD 1215"}},
		// Numbers after a reference that count, date or measure something are not references.
		{"under PCD 1215, 12 months later", []string{"PCD 1215", "PCD 1215"}},
		{"PCD 1532 and 2 further years", []string{"PCD 1532", "PCD 1532"}},
		{"under PCD 960, 2021/22", []string{"PCD 960", "PCD 960"}},
		{"see PCD 1218/2022", []string{"PCD 1218", "PCD 1218"}},
		{"PCD 960, 1 April 2021", []string{"PCD 960", "PCD 960"}},
		{"PCD 960, 272,708 pounds", []string{"PCD 960", "PCD 960"}},
		{"PCD references 545, 2 months later", []string{"PCD references 545", "PCD 545"}},
		{"2024/25 only", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range FindReferences(tt.text) {
			got = append(got, tt.text[m.Start:m.End], m.Ref.String())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FindReferences(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPeriodSaysMore(t *testing.T) {
	tests := []struct {
		period     string
		start, end FinancialYear
		want       bool
	}{
		{"2021/22", 2021, 2021, false},
		{"2024-25", 2024, 2024, false},
		{"2023/24 and 2024/25", 2023, 2024, false},
		{"2022/23 and 2023/24", 2022, 2023, false},
		{"2025/26 to 2026/27", 2025, 2026, false},
		{"01/04/2020 to 31/03/2021", 2020, 2020, true},
		{"originally 01/10/2020 to 31/03/2021, shortened", 2020, 2020, true},
		{"2019/20", 2020, 2020, true},
		{"", 2020, 2020, false},
	}
	for _, tt := range tests {
		if got := PeriodSaysMore(tt.period, tt.start, tt.end); got != tt.want {
			t.Errorf("PeriodSaysMore(%q, %v, %v) = %v, want %v", tt.period, tt.start, tt.end, got, tt.want)
		}
	}
}

// FuzzFindReferences checks that mentions lie inside the text, in order, without overlapping,
// and that each names a PCD whose text contains its number.
func FuzzFindReferences(f *testing.F) {
	for _, s := range []string{"PCD references 545, 867 and 914.", "PCD1532", "PCD 545/867/914", "PCD 1218 in 2022/23", "PCD-0", "PCD 1, 2, and 3", "under PCD 1215, 12 months later", "PCD 960, 1 April 2021", "see PCD 1218/2022"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end := 0
		for _, m := range FindReferences(s) {
			if m.Start < end || m.End <= m.Start || m.End > len(s) {
				t.Fatalf("FindReferences(%q): mention %+v out of order or bounds (previous end %d)", s, m, end)
			}
			if m.Ref.Series != "PCD" || m.Ref.Number <= 0 {
				t.Fatalf("FindReferences(%q): bad reference %+v", s, m.Ref)
			}
			end = m.End
		}
	})
}
