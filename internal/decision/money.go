package decision

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The register accepts amounts from MinPence to MaxPence: the database's CHECK on
// funding_lines.amount_pence holds the same range (migration 000003). MaxPence, £10 trillion, is
// far above any grant. Totals can still pass an int64 (44 yearly lines at MaxPence over 211
// years), so TotalOf and RunningTotals stop at math.MaxInt64 and say so.
const (
	MinPence int64 = 1
	MaxPence int64 = 1_000_000_000_000_000
)

// ErrMoney means the text is not an amount of money.
var ErrMoney = errors.New("not an amount of money")

// FormatMoney shows an amount in its own currency: pounds as FormatPence does, any other
// currency with its ISO code ("EUR 1,250.00"), so no amount is ever shown as pounds by mistake.
func FormatMoney(p int64, currency string) string {
	if currency == "" || currency == "GBP" {
		return FormatPence(p)
	}
	s := FormatPence(p)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	return sign + currency + " " + strings.TrimPrefix(s, "£")
}

// FormatPence shows an amount as published: whole pounds without pence ("£2,755,000"),
// otherwise with them ("£1,479,306.16").
func FormatPence(p int64) string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	pounds, pence := p/100, p%100
	s := sign + "£" + groupThousands(pounds)
	if pence != 0 {
		s += fmt.Sprintf(".%02d", pence)
	}
	return s
}

func groupThousands(n int64) string {
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// ParsePence reads an amount in pounds as people write it: "£2,755,000", "1479306.16",
// "GBP 272,708.04", "£2.755m", "495k". It never goes through floating point.
func ParsePence(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "£")
	if len(s) >= 3 && strings.EqualFold(s[:3], "GBP") {
		s = s[3:]
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	scale := int64(100)
	switch {
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		scale, s = 100_000_000, s[:len(s)-1]
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		scale, s = 100_000, s[:len(s)-1]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("%w: %q", ErrMoney, s)
	}
	if len(whole) > 16 {
		return 0, fmt.Errorf("%w: too large", ErrMoney)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	if w > MaxPence/scale {
		return 0, fmt.Errorf("%w: too large", ErrMoney)
	}
	p := w * scale
	if frac != "" {
		unit := int64(1)
		for range frac {
			unit *= 10
			if unit > scale {
				return 0, fmt.Errorf("%w: more decimal places than pence", ErrMoney)
			}
		}
		f, _ := strconv.ParseInt(frac, 10, 64)
		p += f * (scale / unit)
	}
	if p > MaxPence {
		return 0, fmt.Errorf("%w: too large", ErrMoney)
	}
	if p < MinPence {
		return 0, fmt.Errorf("%w: must be more than nothing", ErrMoney)
	}
	return p, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatPenceShort rounds an amount for a chart label: "£2.76m", "£1m", "£267k", "£950". Tables
// beside a chart carry the exact figures.
func FormatPenceShort(p int64) string {
	switch {
	case p >= 99_950_000: // £999,500 and up would round to "£1000k": count in millions
		// Half up, in units of £10,000; rounding the remainder alone cannot overflow.
		hundredths := p/1_000_000 + (p%1_000_000+500_000)/1_000_000
		return "£" + trimDecimals(fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)) + "m"
	case p >= 1_000_000:
		return fmt.Sprintf("£%dk", (p+50_000)/100_000)
	}
	return FormatPence(p - p%100)
}

// trimDecimals drops trailing zeros after a decimal point, and the point when nothing is left.
func trimDecimals(s string) string {
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
