package decision

import (
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

func TestBlocks(t *testing.T) {
	body := "That includes\n\n- Entering into contracts;\n- Making grants\n\n  If approved,\n the terms.  \n\n\n"
	want := []Block{
		{Text: "That includes"},
		{Items: []string{"Entering into contracts;", "Making grants"}},
		{Text: "If approved, the terms."},
	}
	if got := Blocks(body); !reflect.DeepEqual(got, want) {
		t.Errorf("Blocks = %#v, want %#v", got, want)
	}
}
