package decision

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrFinancialYear means the text is not a UK financial year.
var ErrFinancialYear = errors.New("not a financial year")

// The register's years run from MinYear to MaxYear, as the database's CHECKs on financial years
// and reference years do.
const (
	MinYear = 1990
	MaxYear = 2200
)

// FinancialYear is a UK financial year (1 April to 31 March) named by the year it starts in:
// 2024 is 2024-25.
type FinancialYear int

// String shows the year as "2024-25".
func (y FinancialYear) String() string {
	return fmt.Sprintf("%d-%02d", int(y), (int(y)+1)%100)
}

// FinancialYearRange shows one year ("2024-25") or a span ("2022-23 to 2023-24").
func FinancialYearRange(start, end FinancialYear) string {
	if end <= start {
		return start.String()
	}
	return start.String() + " to " + end.String()
}

// ParseFinancialYear reads "2024-25", "2024/25", "2024/2025", "2024 to 2025", "FY2024-25" or
// "24-25".
// The second year must follow the first.
func ParseFinancialYear(s string) (FinancialYear, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimPrefix(s, "FY"))
	var first, second string
	for _, sep := range []string{" TO ", "/", "-", "\u2013"} {
		if a, b, ok := strings.Cut(s, sep); ok {
			first, second = strings.TrimSpace(a), strings.TrimSpace(b)
			break
		}
	}
	if len(first) == 2 && len(second) == 2 && allDigits(first) {
		// "24-25", as people write it: 2024-25. Two digits name 1990 to 2089, the years
		// anyone means by them here.
		century := "20"
		if first >= "90" {
			century = "19"
		}
		first = century + first
	}
	if len(first) != 4 || !allDigits(first) || !allDigits(second) || (len(second) != 2 && len(second) != 4) {
		return 0, fmt.Errorf("%w: %q (write it like 2024-25)", ErrFinancialYear, s)
	}
	start, _ := strconv.Atoi(first)
	end, _ := strconv.Atoi(second)
	if start < MinYear || start > MaxYear {
		return 0, fmt.Errorf("%w: %d is out of range", ErrFinancialYear, start)
	}
	if (len(second) == 2 && end != (start+1)%100) || (len(second) == 4 && end != start+1) {
		return 0, fmt.Errorf("%w: %q does not follow %d", ErrFinancialYear, second, start)
	}
	return FinancialYear(start), nil
}

var periodYearRE = regexp.MustCompile(`\b\d{4}\s*[/\-\x{2013}]\s*\d{2}(?:\d{2})?\b`)

// PeriodSaysMore reports whether a period as published ("01/04/2020 to 31/03/2021") tells a
// reader more than the financial years start to end do. "2021/22" beside 2021-22, or "2023/24
// and 2024/25" beside 2023-24 to 2024-25, says nothing more.
func PeriodSaysMore(period string, start, end FinancialYear) bool {
	if strings.TrimSpace(period) == "" {
		return false
	}
	var years []FinancialYear
	rest := periodYearRE.ReplaceAllStringFunc(period, func(y string) string {
		fy, err := ParseFinancialYear(y)
		if err != nil {
			return y
		}
		years = append(years, fy)
		return " "
	})
	for _, w := range strings.Fields(rest) {
		if w != "and" && w != "to" && w != "," && w != "&" {
			return true
		}
	}
	if len(years) == 0 || years[0] != start || years[len(years)-1] != end {
		return true
	}
	for i := 1; i < len(years); i++ {
		if years[i] <= years[i-1] {
			return true
		}
	}
	return false
}
