package server

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestFundingFormValidate(t *testing.T) {
	ok := fundingForm{FYStart: "2024-25", Basis: "total", Kind: "grant_accepted", Label: "Grant"}
	for _, amount := range []string{"£2,755,000", "2755000", "£2.755m", "2,755,000.00"} {
		f := ok
		f.Amount = amount
		l, errs := f.Validate()
		if len(errs) > 0 || l.AmountPence != 275_500_000 || *l.FYStart != 2024 || *l.FYEnd != 2024 {
			t.Errorf("amount %q: %d pence, years %v-%v, errors %v; want 275500000 in 2024-25", amount, l.AmountPence, l.FYStart, l.FYEnd, errs)
		}
	}
	tests := []struct {
		name string
		edit func(*fundingForm)
		want []string // the fields in error
	}{
		{"all fine", func(f *fundingForm) {}, nil},
		{"empty", func(f *fundingForm) { *f = fundingForm{} }, []string{"amount", "basis", "fy_start", "kind", "label"}},
		{"not money", func(f *fundingForm) { f.Amount = "lots" }, []string{"amount"}},
		{"zero", func(f *fundingForm) { f.Amount = "£0" }, []string{"amount"}},
		{"year not following", func(f *fundingForm) { f.FYStart = "2024-26" }, []string{"fy_start"}},
		{"years backwards", func(f *fundingForm) { f.FYEnd = "2023-24" }, []string{"fy_end"}},
		{"years forwards", func(f *fundingForm) { f.FYEnd = "2026/27" }, nil},
		{"unknown kind", func(f *fundingForm) { f.Kind = "gift" }, []string{"kind"}},
	}
	for _, tt := range tests {
		f := ok
		f.Amount = "100"
		tt.edit(&f)
		_, errs := f.Validate()
		if got := slices.Sorted(maps.Keys(errs)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: fields in error %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLinkFormValidate(t *testing.T) {
	for _, typed := range []string{"PCD 1215", "pcd1215", "1215", " PCD-1215 "} {
		ref, errs := decodeLinkForm(map[string][]string{"reference": {typed}, "kind": {"related"}}).Validate()
		if len(errs) > 0 || ref.String() != "PCD 1215" {
			t.Errorf("reference %q = %q, errors %v; want PCD 1215", typed, ref, errs)
		}
	}
	if _, errs := (linkForm{Reference: "banana", Kind: "likes"}).Validate(); len(errs) != 2 {
		t.Errorf("a bad reference and kind: errors %v, want both", errs)
	}
}

func TestFundingFormMessagesSayTheRange(t *testing.T) {
	const money = "Enter an amount from £0.01 to £10 trillion, like £2,755,000 or £2.755m"
	const year = "Enter a financial year from 1990-91 to 2200-01, like 2024-25"
	for _, tt := range []struct{ amount, fy, wantAmount, wantYear string }{
		{"", "", money, year},
		{"lots", "1989-90", money, year},
		{"£0", "2201-02", money, year},
		{"£20 trillion", "sometime", money, year},
		{"-5", "24-25", "Enter an amount of £0.01 or more, without a minus sign. To record a reduction, enter the new total with the kind “Maximum after variation”", ""},
		{"£-5,000", "2024-25", "Enter an amount of £0.01 or more, without a minus sign. To record a reduction, enter the new total with the kind “Maximum after variation”", ""},
		{"1e9", "2024-25", "Enter the amount in figures, like 2,755,000 or £2.755m", ""},
	} {
		f := fundingForm{Amount: tt.amount, FYStart: tt.fy, Basis: "total", Kind: "grant_accepted", Label: "Grant"}
		_, errs := f.Validate()
		if errs["amount"] != tt.wantAmount || errs["fy_start"] != tt.wantYear {
			t.Errorf("amount %q, year %q: messages %q, %q; want %q, %q", tt.amount, tt.fy, errs["amount"], errs["fy_start"], tt.wantAmount, tt.wantYear)
		}
	}
}

func TestSummaryLimit(t *testing.T) {
	long := strings.Repeat("a", maxSummaryRunes+1)
	if got := (titleForm{Title: "T", Summary: long}).Validate()["summary"]; got != "Summary must be 1,500 characters or fewer: you have 1,501. Put the detail in the sections" {
		t.Errorf("a summary one over the limit: %q", got)
	}
	if errs := (titleForm{Title: "T", Summary: long[1:]}).Validate(); len(errs) != 0 {
		t.Errorf("a summary at the limit: %v", errs)
	}
}
