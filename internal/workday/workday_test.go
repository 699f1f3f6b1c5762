package workday

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// at is noon in London on s.
func at(t *testing.T, s string) time.Time {
	return date(t, s).Start().Add(12 * time.Hour)
}

// rules are the holidays the usual rules give for year: New Year's Day, Good Friday, Easter
// Monday, the first and last Mondays of May, the last Monday of August, Christmas and Boxing
// Day, each moved to the next free weekday when it falls at a weekend.
func rules(year int) []Date {
	monday := func(m time.Month, last bool) Date {
		d := Date{year, m, 1}
		if last {
			d = Date{year, m + 1, 1}.AddDays(-1)
		}
		for d.Weekday() != time.Monday {
			if last {
				d = d.AddDays(-1)
			} else {
				d = d.AddDays(1)
			}
		}
		return d
	}
	easter := Easter(year)
	taken := map[Date]bool{}
	sub := func(d Date) Date {
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || taken[d] {
			d = d.AddDays(1)
		}
		taken[d] = true
		return d
	}
	out := []Date{sub(Date{year, time.January, 1}), easter.AddDays(-2), easter.AddDays(1),
		monday(time.May, false), monday(time.May, true), monday(time.August, true)}
	out = append(out, sub(Date{year, time.December, 25}), sub(Date{year, time.December, 26}))
	return out
}

// The shipped list is the published one: every year 2018-2028 holds what the rules give
// (Easter computed), save the published moves, and nothing else but the published one-offs.
func TestPublishedListMatchesTheRules(t *testing.T) {
	c := Published()
	moved := map[Date]Date{ // the rules' day -> the day the list has instead
		{2020, time.May, 4}:  {2020, time.May, 8},  // VE day
		{2022, time.May, 30}: {2022, time.June, 2}, // Platinum Jubilee
	}
	oneOffs := []Date{{2022, time.June, 3}, {2022, time.September, 19}, {2023, time.May, 8}}
	if first, last := c.Years(); first != 2018 || last != 2028 {
		t.Fatalf("years %d-%d, want 2018-2028", first, last)
	}
	for year := 2018; year <= 2028; year++ {
		var want []Date
		for _, d := range rules(year) {
			if m, ok := moved[d]; ok {
				d = m
			}
			want = append(want, d)
		}
		for _, d := range oneOffs {
			if d.Year == year {
				want = append(want, d)
			}
		}
		slices.SortFunc(want, func(a, b Date) int {
			if a.Before(b) {
				return -1
			}
			return 1
		})
		if got := c.Holidays(year); !slices.Equal(got, want) {
			t.Errorf("%d: list %v, rules %v", year, got, want)
		}
	}
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2018: "2018-04-01", 2019: "2019-04-21", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2038: "2038-04-25"} {
		if got := Easter(year).String(); got != want {
			t.Errorf("Easter %d = %s, want %s", year, got, want)
		}
	}
}

func TestBetweenAddClear(t *testing.T) {
	c := Published()
	tests := []struct {
		name           string
		from, to       string
		between, clear int
	}{
		{"same day", "2026-12-07", "2026-12-07", 0, 0},
		{"Monday to Friday", "2026-12-07", "2026-12-11", 4, 3},
		{"over a weekend", "2026-12-11", "2026-12-14", 1, 0},
		{"Friday to Sunday", "2026-12-11", "2026-12-13", 0, 0},
		{"Christmas, Boxing Day substitute Monday 28th", "2026-12-24", "2026-12-29", 1, 0},
		{"Christmas and Boxing Day substitutes 2027", "2027-12-24", "2027-12-31", 3, 2},
		{"Easter 2026: Good Friday to Easter Monday", "2026-04-02", "2026-04-07", 1, 0},
		{"New Year substitute 2028", "2027-12-31", "2028-01-04", 1, 0},
		{"backwards is none", "2026-12-11", "2026-12-07", 0, 0},
		{"a month", "2026-11-30", "2026-12-31", 21, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := at(t, tt.from), at(t, tt.to)
			if got := c.Between(from, to); got != tt.between {
				t.Errorf("Between = %d, want %d", got, tt.between)
			}
			if got := c.ClearDays(from, to); got != tt.clear {
				t.Errorf("ClearDays = %d, want %d", got, tt.clear)
			}
		})
	}
	adds := []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-07", 5, "2026-12-14"},
		{"2026-12-22", 3, "2026-12-29"}, // 23, 24, (25, 26, 27, 28 off) 29
		{"2026-04-01", 2, "2026-04-07"}, // 2 Apr, (3 Good Friday, 4, 5, 6 Easter Monday) 7
		{"2026-12-29", -1, "2026-12-24"},
		{"2026-12-26", 0, "2026-12-29"},
		{"2026-12-07", 0, "2026-12-07"},
	}
	for _, a := range adds {
		if got := c.Add(at(t, a.from), a.n).String(); got != a.want {
			t.Errorf("Add(%s, %d) = %s, want %s", a.from, a.n, got, a.want)
		}
	}
	// Late on a London evening in summer is already the next day in London, though not in UTC.
	late := time.Date(2026, 7, 3, 23, 30, 0, 0, time.UTC) // 00:30 Saturday in London
	if got := DateOf(late).String(); got != "2026-07-04" {
		t.Errorf("DateOf = %s", got)
	}
}

func TestOverride(t *testing.T) {
	c := Published()
	extra, err := Parse([]byte(`{"england-and-wales":{"division":"england-and-wales","events":[
		{"title":"A one-off","date":"2027-06-07"},{"title":"New Year's Day","date":"2029-01-01"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Override(extra)
	if _, ok := o.Holiday(Date{2027, time.June, 7}); !ok {
		t.Error("the override's holiday is missing")
	}
	if _, ok := o.Holiday(Date{2029, time.January, 1}); !ok {
		t.Error("the override's new year is missing")
	}
	if _, ok := o.Holiday(Date{2027, time.December, 27}); ok {
		t.Error("2027 should be the override's list alone")
	}
	if _, ok := o.Holiday(Date{2026, time.December, 25}); !ok {
		t.Error("2026 should be kept from the published list")
	}
	for _, bad := range []string{`{`, `{"scotland":{"events":[]}}`, `{"england-and-wales":{"events":[{"date":"7 June"}]}}`,
		`{"england-and-wales":{"events":[]}}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
	// The file the operator names is read the same way.
	path := filepath.Join(t.TempDir(), "bank-holidays.json")
	if err := os.WriteFile(path, published, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(path); err != nil || len(f.Holidays(2026)) != 8 {
		t.Fatalf("Load: %v", err)
	}
}

func TestDue(t *testing.T) {
	c := Published()
	since := at(t, "2026-12-21") // Monday; Christmas and the Boxing Day substitute follow
	if got := c.Due(since, 5, nil, 0).String(); got != "2026-12-30" {
		t.Errorf("5 working days from 21 December = %s, want 2026-12-30", got)
	}
	// Signed by Thursday 31 December: 7 working days (22, 23, 24, 29, 30, 31 = 6) shared by this
	// step, one after it and the signature: 6/3 = 2 working days, Wednesday 23rd.
	by := date(t, "2026-12-31")
	if got := c.Due(since, 5, &by, 1).String(); got != "2026-12-23" {
		t.Errorf("due with must-sign-by = %s, want 2026-12-23", got)
	}
	// A deadline further off than the service level leaves the service level.
	far := date(t, "2027-03-31")
	if got := c.Due(since, 5, &far, 1).String(); got != "2026-12-30" {
		t.Errorf("due with a far deadline = %s", got)
	}
	// A deadline already passed: due that day.
	past := date(t, "2026-12-18")
	if got := c.Due(since, 5, &past, 0).String(); got != "2026-12-18" {
		t.Errorf("due past the deadline = %s", got)
	}
	if got := c.Waited(since, at(t, "2026-12-29")); got != "4 working days" {
		t.Errorf("Waited = %q", got)
	}
	if got := date(t, "2026-03-12").Words(); got != "Thu 12 March 2026" {
		t.Errorf("Words = %q", got)
	}
}

// TestCheck: an uploaded file is refused, in words for the admin, when it is not JSON, not
// gov.uk's shape, has a date that is not real or one outside the years allowed; the shipped
// list passes.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name, file, want string
	}{
		{"not JSON", "date,title", "The file is not JSON"},
		{"a list", `[{"date": "2027-01-01"}]`, "The file is not in gov.uk’s bank-holidays.json format"},
		{"no division", `{"scotland": {"division": "scotland", "events": [{"title": "x", "date": "2027-01-04"}]}}`, "The file is not in gov.uk’s bank-holidays.json format"},
		{"no events", `{"england-and-wales": {"division": "england-and-wales", "events": []}}`, "The file is not in gov.uk’s bank-holidays.json format"},
		{"no title", `{"england-and-wales": {"events": [{"date": "2027-01-01"}]}}`, "The file is not in gov.uk’s bank-holidays.json format"},
		{"events not a list", `{"england-and-wales": {"events": "2027-01-01"}}`, "The file is not in gov.uk’s bank-holidays.json format"},
		{"bad date", `{"england-and-wales": {"events": [{"title": "Leap", "date": "2027-02-29"}]}}`, `"2027-02-29" (Leap) is not a date like 2027-12-27`},
		{"too early", `{"england-and-wales": {"events": [{"title": "Old", "date": "1999-12-31"}]}}`, "1999-12-31 (Old) is out of range: each date must be in the years 2000 to 2099"},
		{"too late", `{"england-and-wales": {"events": [{"title": "Far", "date": "2100-01-01"}]}}`, "2100-01-01 (Far) is out of range"},
		{"good", `{"england-and-wales": {"events": [{"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true}]}}`, ""},
		{"shipped", string(published), ""},
	} {
		c, msg := Check([]byte(tt.file))
		if !strings.HasPrefix(msg, tt.want) || (tt.want == "") != (msg == "") || (msg == "") != (c != nil) {
			t.Errorf("%s: Check = %v, %q; want %q", tt.name, c != nil, msg, tt.want)
		}
	}
}
