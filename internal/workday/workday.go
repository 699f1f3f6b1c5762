// Package workday is the register's working-day calendar: Monday to Friday in London, less
// the England and Wales bank holidays. The published list (gov.uk's bank-holidays.json,
// england-and-wales division) ships with the code for 2018-2028; an operator's file or an
// admin's upload in the same format overrides it for the years it covers and extends it to
// new ones, so a new year's list or a one-off holiday needs no release.
package workday

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"sort"
	"time"
	_ "time/tzdata" // working days are London's, whatever the host's zone files
)

//go:embed bank-holidays.json
var published []byte

// Division is the gov.uk division the register keeps.
const Division = "england-and-wales"

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// London is the zone the calendar's dates are in.
func London() *time.Location { return london }

// Date is a day in London, with no time.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is t's date in London.
func DateOf(t time.Time) Date {
	y, m, d := t.In(london).Date()
	return Date{y, m, d}
}

// ParseDate reads "2026-12-25".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// Start is the first instant of d in London.
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, london) }

// AddDays is the date n calendar days after d (before, when n < 0).
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Calendar is a set of bank holidays. The zero value has none; it is never changed once
// made, so one may be shared by every request.
type Calendar struct {
	holidays map[Date]string
}

// Published is the calendar shipped with the code.
func Published() *Calendar {
	c, err := Parse(published)
	if err != nil {
		panic(err) // checked by the tests
	}
	return c
}

// file is gov.uk's bank-holidays.json, of which only one division is read.
type file map[string]struct {
	Division string `json:"division"`
	Events   []struct {
		Title string `json:"title"`
		Date  string `json:"date"`
	} `json:"events"`
}

// Parse reads a calendar in gov.uk's bank-holidays.json format, england-and-wales division.
func Parse(data []byte) (*Calendar, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("bank holidays: not gov.uk's bank-holidays.json format: %w", err)
	}
	div, ok := f[Division]
	if !ok {
		return nil, errors.New(`bank holidays: the file has no "england-and-wales" division`)
	}
	c := &Calendar{holidays: map[Date]string{}}
	for _, e := range div.Events {
		d, err := ParseDate(e.Date)
		if err != nil {
			return nil, fmt.Errorf("bank holidays: %q is not a date like 2026-12-25", e.Date)
		}
		c.holidays[d] = e.Title
	}
	if len(c.holidays) == 0 {
		return nil, errors.New("bank holidays: the file lists no holidays")
	}
	return c, nil
}

// Override is c with o's holidays in place of c's for every year o lists any in, and c's
// for the other years: a file for 2029 extends the calendar, and a file for 2027 that
// moves or adds a holiday replaces that year's list.
func (c *Calendar) Override(o *Calendar) *Calendar {
	years := map[int]bool{}
	for d := range o.holidays {
		years[d.Year] = true
	}
	out := &Calendar{holidays: maps.Clone(o.holidays)}
	for d, name := range c.holidays {
		if !years[d.Year] {
			out.holidays[d] = name
		}
	}
	return out
}

// Holiday is the bank holiday on d, if d is one.
func (c *Calendar) Holiday(d Date) (string, bool) {
	name, ok := c.holidays[d]
	return name, ok
}

// Holidays are the calendar's bank holidays in year, in order.
func (c *Calendar) Holidays(year int) []Date {
	var out []Date
	for d := range c.holidays {
		if d.Year == year {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Years are the first and last years the calendar lists holidays for.
func (c *Calendar) Years() (first, last int) {
	for d := range c.holidays {
		if first == 0 || d.Year < first {
			first = d.Year
		}
		if d.Year > last {
			last = d.Year
		}
	}
	return first, last
}

// IsWorkingDay reports whether d is Monday to Friday and not a bank holiday.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, hol := c.holidays[d]
	return !hol
}

// Between is how many working days have passed from from to to: the working days after
// from's date up to and including to's date, in London. Something waiting since Monday
// has waited 1 working day on Tuesday and 0 on Monday; 0 when to is not after from.
func (c *Calendar) Between(from, to time.Time) int {
	a, b := DateOf(from), DateOf(to)
	n := 0
	for d := a.AddDays(1); !b.Before(d); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// ClearDays is how many whole working days lie strictly between from's date and to's date:
// the notice "of N clear working days" counts neither the day given nor the day due.
func (c *Calendar) ClearDays(from, to time.Time) int {
	n := c.Between(from, to)
	if b := DateOf(to); n > 0 && c.IsWorkingDay(b) {
		n--
	}
	return n
}

// Add is the date n working days after t's date (n > 0), or before it (n < 0); for n == 0,
// t's date if it is a working day, else the next working day.
func (c *Calendar) Add(t time.Time, n int) Date {
	return c.AddDate(DateOf(t), n)
}

// AddDate is Add from a date.
func (c *Calendar) AddDate(d Date, n int) Date {
	if n == 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDays(1)
		}
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// Easter is Easter Sunday in year (Gregorian; the anonymous algorithm of Meeus, Jones and
// Butcher), from which Good Friday and Easter Monday follow.
func Easter(year int) Date {
	a := year % 19
	b, k := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, l := k/4, k%4
	m := (32 + 2*e + 2*i - h - l) % 7
	n := (a + 11*h + 22*m) / 451
	month := (h + m - 7*n + 114) / 31
	day := (h+m-7*n+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// Load is the published calendar overridden by the file at path (BANK_HOLIDAYS_FILE), or the
// published calendar alone when path is "".
func Load(path string) (*Calendar, error) {
	c := Published()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bank holidays: %w", err)
	}
	o, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c.Override(o), nil
}
