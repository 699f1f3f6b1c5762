package decision

import (
	"errors"
	"testing"
)

func TestFormatPence(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{275500000, "£2,755,000"},
		{147930616, "£1,479,306.16"},
		{27270804, "£272,708.04"},
		{174666080, "£1,746,660.80"},
		{0, "£0"},
		{5, "£0.05"},
		{100000, "£1,000"},
		{99999, "£999.99"},
		{-150, "-£1.50"},
	}
	for _, tt := range tests {
		if got := FormatPence(tt.in); got != tt.want {
			t.Errorf("FormatPence(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePence(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"£2,755,000", 275500000},
		{"1479306.16", 147930616},
		{"GBP 272,708.04", 27270804},
		{"£1,746,660.8", 174666080},
		{"£2.755m", 275500000},
		{"495k", 49500000},
		{" 0.05 ", 5},
	}
	for _, tt := range tests {
		got, err := ParsePence(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePence(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "£", "abc", "1.2.3", "1.234", "-5", "1e6", "£ .5", "5.", "99999999999999999999", "2.123456789m", "0", "£0.00", "0k"} {
		if got, err := ParsePence(in); !errors.Is(err, ErrMoney) {
			t.Errorf("ParsePence(%q) = %d, %v; want ErrMoney", in, got, err)
		}
	}
}

// TestParsePenceRange checks each edge of the one range of amounts, which the database's CHECK
// holds too (see TestSchemaMoneyAndYearEdges in internal/store).
func TestParsePenceRange(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, false},
		{"0.01", MinPence, true},
		{"10000000000000", MaxPence, true},
		{"10000000000000.01", 0, false},
		{"10000000m", MaxPence, true},
		{"10000000.01m", 0, false},
	}
	for _, tt := range tests {
		got, err := ParsePence(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParsePence(%q) = %d, %v; want %d, ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		pence    int64
		currency string
		want     string
	}{
		{275500000, "GBP", "£2,755,000"},
		{125000, "EUR", "EUR 1,250"},
		{147930616, "USD", "USD 1,479,306.16"},
		{-150, "EUR", "-EUR 1.50"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.pence, tt.currency); got != tt.want {
			t.Errorf("FormatMoney(%d, %q) = %q, want %q", tt.pence, tt.currency, got, tt.want)
		}
	}
}

func FuzzParsePence(f *testing.F) {
	for _, s := range []string{"£2,755,000", "1479306.16", "2.755m", "495k", "9999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePence(s)
		if err != nil {
			return
		}
		if p < MinPence || p > MaxPence {
			t.Fatalf("ParsePence(%q) = %d, out of range", s, p)
		}
		again, err := ParsePence(FormatPence(p))
		if err != nil || again != p {
			t.Fatalf("ParsePence(FormatPence(%d)) = %d, %v", p, again, err)
		}
	})
}

func TestFormatPenceShort(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{275500000, "£2.76m"},
		{26735464, "£267k"},
		{27270804, "£273k"},
		{95012, "£950"},
		{99_949_999, "£999k"},
		{99_950_000, "£1m"},
		{100_000_000, "£1m"},
		{150_000_000, "£1.5m"},
		{999_999, "£9,999"},
		{1_000_000, "£10k"},
	}
	for _, tt := range tests {
		if got := FormatPenceShort(tt.in); got != tt.want {
			t.Errorf("FormatPenceShort(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
