package decision

import (
	"math"
	"reflect"
	"testing"
)

func yr(y int) *int { return &y }

func TestTotalOf(t *testing.T) {
	tests := []struct {
		name  string
		lines []Line
		want  Total
	}{
		{"none", nil, Total{}},
		{"context never counts", []Line{
			{AmountPence: 117000000, Kind: KindGrantAccepted, Basis: BasisTotal},
			{AmountPence: 200000000, Kind: KindContext, Basis: BasisTotal},
		}, Total{Pence: 117000000, Known: true}},
		{"variation counts, maximum does not", []Line{
			{AmountPence: 147930616, Kind: KindContext},
			{AmountPence: 26735464, Kind: KindVariation},
			{AmountPence: 174666080, Kind: KindMaximumAfterVariation},
		}, Total{Pence: 26735464, Known: true}},
		{"per year multiplies by years", []Line{
			{AmountPence: 57056700, Kind: KindGrantAccepted, Basis: BasisPerYear, FYStart: yr(2023), FYEnd: yr(2024)},
			{AmountPence: 100000000, Kind: KindAgreedInPrinciple, Basis: BasisPerYear, FYStart: yr(2025), FYEnd: yr(2026)},
		}, Total{Pence: 114113400, Known: true, PerYear: true}},
		{"unclear is never doubled", []Line{
			{AmountPence: 289345200, Kind: KindGrantAccepted, Basis: BasisUnclear, FYStart: yr(2022), FYEnd: yr(2023)},
		}, Total{Pence: 289345200, Known: true, Unclear: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TotalOf(tt.lines); got != tt.want {
				t.Errorf("TotalOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFinancialYearsOf(t *testing.T) {
	lines := []Line{
		{Kind: KindGrantAccepted, FYStart: yr(2020), FYEnd: yr(2020)},
		{Kind: KindContext, FYStart: yr(2019), FYEnd: yr(2019)},
		{Kind: KindAgreedInPrinciple, FYStart: yr(2022), FYEnd: yr(2023)},
	}
	want := []FinancialYear{2020, 2022, 2023}
	if got := FinancialYearsOf(lines); !reflect.DeepEqual(got, want) {
		t.Errorf("FinancialYearsOf = %v, want %v", got, want)
	}
}

func TestRunningTotals(t *testing.T) {
	got := RunningTotals([]Total{{}, {Pence: 100, Known: true}, {Pence: 50, Known: true, Unclear: true}})
	want := []Running{{0, true}, {100, true}, {150, true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RunningTotals = %+v, want %+v", got, want)
	}
	got = RunningTotals([]Total{{Pence: 100, Known: true}, {Pence: 5, Known: true}})
	want = []Running{{100, false}, {105, false}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RunningTotals = %+v, want %+v", got, want)
	}
}

// TestTotalsAtInt64 checks totals at the edge of an int64: lines that add up to exactly
// math.MaxInt64 pence count exactly; a penny more is an overflow, shown as a lower bound,
// never a total wrapped round to a negative number.
func TestTotalsAtInt64(t *testing.T) {
	widest := func(n int) []Line { // n yearly lines at MaxPence over every year the register allows
		lines := make([]Line, n)
		for i := range lines {
			lines[i] = Line{AmountPence: MaxPence, Kind: KindGrantAccepted, Basis: BasisPerYear, FYStart: yr(MinYear), FYEnd: yr(MaxYear)}
		}
		return lines
	}
	years := int64(MaxYear - MinYear + 1)
	exact := widest(43) // 43 * 211 * MaxPence; the rest of MaxInt64 in whole lines, then the remainder
	rest := math.MaxInt64 - 43*years*MaxPence
	for ; rest >= MaxPence; rest -= MaxPence {
		exact = append(exact, Line{AmountPence: MaxPence, Kind: KindVariation, Basis: BasisTotal})
	}
	exact = append(exact, Line{AmountPence: rest, Kind: KindVariation, Basis: BasisTotal})
	onePenny := Line{AmountPence: 1, Kind: KindVariation, Basis: BasisTotal}
	tests := []struct {
		name  string
		lines []Line
		want  Total
	}{
		{"43 widest yearly lines", widest(43), Total{Pence: 43 * years * MaxPence, Known: true, PerYear: true}},
		{"44 widest yearly lines", widest(44), Total{Pence: math.MaxInt64, Known: true, PerYear: true, Overflow: true}},
		{"exactly MaxInt64", exact, Total{Pence: math.MaxInt64, Known: true, PerYear: true}},
		{"MaxInt64 and a penny", append(exact, onePenny), Total{Pence: math.MaxInt64, Known: true, PerYear: true, Overflow: true}},
		{"a yearly amount too large to multiply", []Line{{AmountPence: math.MaxInt64 / 2, Kind: KindGrantAccepted, Basis: BasisPerYear, FYStart: yr(2020), FYEnd: yr(2022)}},
			Total{Pence: math.MaxInt64, Known: true, PerYear: true, Overflow: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TotalOf(tt.lines); got != tt.want {
				t.Errorf("TotalOf = %+v, want %+v", got, tt.want)
			}
		})
	}
	if got, want := FormatPenceShort(math.MaxInt64), "£92233720368.55m"; got != want {
		t.Errorf("FormatPenceShort(MaxInt64) = %q, want %q", got, want)
	}
	half := Total{Pence: math.MaxInt64/2 + 1, Known: true}
	got := RunningTotals([]Total{half, {Pence: math.MaxInt64 / 2, Known: true}, half, {Pence: 5, Known: true}})
	want := []Running{{math.MaxInt64/2 + 1, false}, {math.MaxInt64, false}, {math.MaxInt64, true}, {math.MaxInt64, true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RunningTotals past MaxInt64 = %+v, want %+v", got, want)
	}
}
