package decision

import (
	"errors"
	"testing"
)

func TestParseFinancialYear(t *testing.T) {
	for _, in := range []string{"2024-25", "2024/25", "2024/2025", "2024-2025", "2024 to 2025", "FY2024-25", "2024\u201325", "24-25", "24/25", "FY24-25"} {
		got, err := ParseFinancialYear(in)
		if err != nil || got != 2024 {
			t.Errorf("ParseFinancialYear(%q) = %d, %v; want 2024", in, got, err)
		}
	}
	for _, in := range []string{"1999/00", "99-00"} {
		if got, err := ParseFinancialYear(in); err != nil || got != 1999 {
			t.Errorf("ParseFinancialYear(%q) = %d, %v; want 1999", in, got, err)
		}
	}
	for _, tt := range []struct {
		in string
		ok bool
	}{{"1989-90", false}, {"1990-91", true}, {"2200-01", true}, {"2201-02", false}} {
		if _, err := ParseFinancialYear(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseFinancialYear(%q) err = %v, want ok=%t (the database's range is %d to %d)", tt.in, err, tt.ok, MinYear, MaxYear)
		}
	}
	for _, in := range []string{"", "2024", "2024-26", "2024/2026", "24-26", "24-2025", "2-3", "abcd-ef", "2024-", "1066-67"} {
		if got, err := ParseFinancialYear(in); !errors.Is(err, ErrFinancialYear) {
			t.Errorf("ParseFinancialYear(%q) = %d, %v; want ErrFinancialYear", in, got, err)
		}
	}
}

func TestFinancialYearString(t *testing.T) {
	tests := []struct {
		start, end FinancialYear
		want       string
	}{
		{2024, 2024, "2024-25"},
		{1999, 1999, "1999-00"},
		{2022, 2023, "2022-23 to 2023-24"},
	}
	for _, tt := range tests {
		if got := FinancialYearRange(tt.start, tt.end); got != tt.want {
			t.Errorf("FinancialYearRange(%d, %d) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}

func FuzzParseFinancialYear(f *testing.F) {
	for _, s := range []string{"2024-25", "2024/2025", "FY1999-00", "2024 to 2025"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, err := ParseFinancialYear(s)
		if err != nil {
			return
		}
		again, err := ParseFinancialYear(y.String())
		if err != nil || again != y {
			t.Fatalf("ParseFinancialYear(%q) = %d, %v; want %d (from %q)", y.String(), again, err, y, s)
		}
	})
}
