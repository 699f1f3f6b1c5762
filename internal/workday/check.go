package workday

import (
	"encoding/json"
	"fmt"
)

// The years an uploaded file's dates must fall in: a date outside them is a typing mistake,
// not a bank holiday.
const (
	FirstYear = 2000
	LastYear  = 2099
)

// Check reads a bank-holiday file an admin uploads, more strictly than Parse: every event of
// the england-and-wales division must have a title and a date from FirstYear to LastYear. It
// returns the calendar the file alone makes, or a message for the person who chose the file.
func Check(data []byte) (*Calendar, string) {
	if !json.Valid(data) {
		return nil, "The file is not JSON: choose gov.uk’s bank-holidays.json, or a file in the same format"
	}
	const shape = `The file is not in gov.uk’s bank-holidays.json format: it needs an "england-and-wales" division with a list of events, each with a title and a date`
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, shape
	}
	div, ok := f[Division]
	if !ok || len(div.Events) == 0 {
		return nil, shape
	}
	c := &Calendar{holidays: map[Date]string{}}
	for _, e := range div.Events {
		if e.Title == "" || e.Date == "" {
			return nil, shape
		}
		d, err := ParseDate(e.Date)
		if err != nil {
			return nil, fmt.Sprintf("%q (%s) is not a date like 2027-12-27", e.Date, e.Title)
		}
		if d.Year < FirstYear || d.Year > LastYear {
			return nil, fmt.Sprintf("%s (%s) is out of range: each date must be in the years %d to %d", e.Date, e.Title, FirstYear, LastYear)
		}
		c.holidays[d] = e.Title
	}
	return c, ""
}
