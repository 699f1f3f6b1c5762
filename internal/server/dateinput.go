package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/web/components"
)

// dateInput reads a GOV.UK date input (name_day, name_month, name_year) as a London day. On
// error it returns the message, in GOV.UK's words for the pattern, and the boxes it is about,
// so the form marks those and keeps what was typed. label starts the messages ("Date withdrawn").
func dateInput(in url.Values, name, label string) (time.Time, string, []string) {
	vals := map[string]string{}
	var missing []string
	for _, part := range []string{"day", "month", "year"} {
		vals[part] = strings.TrimSpace(in.Get(name + "_" + part))
		if vals[part] == "" {
			missing = append(missing, part)
		}
	}
	switch len(missing) {
	case 3:
		return time.Time{}, "Enter the " + strings.ToLower(label[:1]) + label[1:], nil
	case 2:
		return time.Time{}, label + " must include a " + missing[0] + " and " + missing[1], missing
	case 1:
		return time.Time{}, label + " must include a " + missing[0], missing
	}
	nums := map[string]int{}
	var bad []string
	for _, part := range []string{"day", "month", "year"} {
		n, err := strconv.Atoi(vals[part])
		if err != nil || n < 1 || strings.ContainsAny(vals[part], "+-") {
			bad = append(bad, part)
		}
		nums[part] = n
	}
	if len(bad) > 0 {
		return time.Time{}, label + " must be a real date", bad
	}
	if len(vals["year"]) != 4 {
		return time.Time{}, "Year must include 4 numbers", []string{"year"}
	}
	if nums["month"] > 12 {
		return time.Time{}, label + " must be a real date", []string{"month"}
	}
	t := time.Date(nums["year"], time.Month(nums["month"]), nums["day"], 0, 0, 0, 0, london())
	if t.Day() != nums["day"] {
		return time.Time{}, label + " must be a real date", []string{"day"}
	}
	return t, "", nil
}

// dateField is the date input for name, showing what was typed (or the day given, the first
// time) and the error.
func dateField(in url.Values, name, id, legend, hint string, day time.Time, msg string, parts []string) *components.DateField {
	f := &components.DateField{ID: id, Name: name, Legend: legend, Hint: hint, Error: msg, ErrorParts: parts}
	if in == nil {
		f.Day, f.Month, f.Year = strconv.Itoa(day.Day()), strconv.Itoa(int(day.Month())), strconv.Itoa(day.Year())
	} else {
		f.Day, f.Month, f.Year = in.Get(name+"_day"), in.Get(name+"_month"), in.Get(name+"_year")
	}
	return f
}
