package decision

import (
	"math"
	"sort"
)

// Funding line kinds. Only money the decision itself accepts or varies counts towards its
// total; maxima, in-principle agreements and figures quoted from other decisions do not.
const (
	KindGrantAccepted         = "grant_accepted"
	KindVariation             = "variation"
	KindMaximumAfterVariation = "maximum_after_variation"
	KindAgreedInPrinciple     = "agreed_in_principle"
	KindContext               = "context"
)

// Bases say how an amount applies across the years of its line.
const (
	BasisTotal   = "total"    // the amount covers all the line's years together
	BasisPerYear = "per_year" // the amount is paid in each of the line's years
	BasisUnclear = "unclear"  // the source does not say which; never multiplied
)

// KindLabel names a funding line kind for people.
func KindLabel(kind string) string {
	switch kind {
	case KindGrantAccepted:
		return "Grant accepted"
	case KindVariation:
		return "Variation"
	case KindMaximumAfterVariation:
		return "Maximum after variation"
	case KindAgreedInPrinciple:
		return "Agreed in principle"
	case KindContext:
		// Context lines are figures the decision quotes: from another decision, or its own
		// earlier costs given for comparison (PCD 867's 2019/20 figure).
		return "Quoted for comparison"
	}
	return kind
}

// Line is the part of a funding line that the rules need.
type Line struct {
	AmountPence int64
	Kind        string
	Basis       string
	FYStart     *int
	FYEnd       *int
}

// Counts reports whether the line adds to its decision's own total.
func (l Line) Counts() bool {
	return l.Kind == KindGrantAccepted || l.Kind == KindVariation
}

func (l Line) years() int {
	if l.FYStart == nil || l.FYEnd == nil {
		return 1
	}
	return *l.FYEnd - *l.FYStart + 1
}

// Total is a decision's own total.
type Total struct {
	Pence   int64
	Known   bool // at least one line counts
	Unclear bool // a counted amount may be per year or for all its years; shown as published
	PerYear bool // a counted amount was multiplied by its years
	// Overflow means the lines add up to more than an int64 of pence holds (44 yearly lines at
	// MaxPence over the widest range of years do). Pence is then math.MaxInt64: a lower bound.
	Overflow bool
}

// TotalOf adds up the lines that count. An amount paid each year counts once for each year; an
// amount whose basis is unclear counts once, as published, and marks the total unclear.
func TotalOf(lines []Line) Total {
	var t Total
	for _, l := range lines {
		if !l.Counts() {
			continue
		}
		t.Known = true
		amount, ok := l.AmountPence, true
		switch l.Basis {
		case BasisPerYear:
			amount, ok = mulPence(amount, int64(l.years()))
			t.PerYear = true
		case BasisUnclear:
			t.Unclear = true
		}
		if ok {
			t.Pence, ok = addPence(t.Pence, amount)
		}
		if !ok {
			t.Pence, t.Overflow = math.MaxInt64, true
		}
	}
	return t
}

// addPence adds two amounts, reporting false if the sum does not fit in an int64.
func addPence(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// mulPence multiplies an amount by a count of years, reporting false if the product does not
// fit in an int64.
func mulPence(a, n int64) (int64, bool) {
	if a == 0 || n == 0 {
		return 0, true
	}
	p := a * n
	if p/n != a || (a == -1 && n == math.MinInt64) || (n == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// FinancialYearsOf lists the financial years a decision's own money covers, in order. Figures
// quoted from other decisions do not make a year the decision's own.
func FinancialYearsOf(lines []Line) []FinancialYear {
	return yearsWhere(lines, func(l Line) bool { return l.Kind != KindContext })
}

// AcceptedYearsOf lists the financial years of the money a decision accepted: the years of
// the lines that count towards its total, in order. Years agreed only in principle, maxima and
// quoted figures are left out.
func AcceptedYearsOf(lines []Line) []FinancialYear {
	return yearsWhere(lines, Line.Counts)
}

// YearsOfKind lists the financial years of a decision's lines of one kind, in order.
func YearsOfKind(lines []Line, kind string) []FinancialYear {
	return yearsWhere(lines, func(l Line) bool { return l.Kind == kind })
}

func yearsWhere(lines []Line, keep func(Line) bool) []FinancialYear {
	seen := map[int]bool{}
	for _, l := range lines {
		if !keep(l) || l.FYStart == nil {
			continue
		}
		end := *l.FYStart
		if l.FYEnd != nil {
			end = *l.FYEnd
		}
		for y := *l.FYStart; y <= end; y++ {
			seen[y] = true
		}
	}
	years := make([]FinancialYear, 0, len(seen))
	for y := range seen {
		years = append(years, FinancialYear(y))
	}
	sort.Slice(years, func(i, j int) bool { return years[i] < years[j] })
	return years
}

// Running is the cumulative total of a funding chain up to one decision.
type Running struct {
	Pence int64
	// AtLeast means an earlier decision's amount is not recorded or unclear, or the total
	// passed an int64 of pence (Pence is then math.MaxInt64), so the true running total may
	// be higher.
	AtLeast bool
}

// RunningTotals accumulates the totals of a chain's decisions in order.
func RunningTotals(totals []Total) []Running {
	out := make([]Running, len(totals))
	var r Running
	for i, t := range totals {
		sum, ok := addPence(r.Pence, t.Pence)
		if !ok || t.Overflow {
			// A lower bound, shown as "at least".
			sum, r.AtLeast = math.MaxInt64, true
		}
		r.Pence = sum
		if !t.Known || t.Unclear {
			r.AtLeast = true
		}
		out[i] = r
	}
	return out
}
