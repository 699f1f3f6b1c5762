package forwardplan

import (
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/workday"
)

func london(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workday.London())
	if err != nil {
		panic(err)
	}
	return t
}

// The statutory clock at its edges. A notice published on Thursday 10 December 2026 has its
// 28th clear working day on Friday 22 January 2027, counting past Christmas Day, the
// substitute Boxing Day (Monday 28 December), New Year's Day and the weekends: so it may be
// signed on Saturday 23 January (28 clear days) but not on Friday 22 January (27). Counted in
// calendar days, 22 January would be 42 clear days: the test fails under that reading.
func TestCheckClearDays(t *testing.T) {
	cal := workday.Published()
	noticed := london("2026-12-10 16:30")
	tests := []struct {
		name    string
		mode    string
		key     bool
		noticed *time.Time
		excs    []Exception
		at      time.Time
		allowed bool
		clear   int
		by      string
		problem string
	}{
		{"not key", ModeStatutory, false, nil, nil, london("2026-12-11 09:00"), true, 0, "", ""},
		{"no rule", "", true, nil, nil, london("2026-12-11 09:00"), true, 0, "", ""},
		{"no notice, statutory", ModeStatutory, true, nil, nil, london("2027-03-01 09:00"), false, 0, "", "no notice on the forward plan"},
		{"no notice, voluntary", ModeVoluntary, true, nil, nil, london("2027-03-01 09:00"), true, 0, "", "no notice on the forward plan"},
		{"27 clear days, the day before", ModeStatutory, true, &noticed, nil, london("2027-01-22 23:59"), false, 27, "", "27 clear days of the 28 needed: it may be signed from Sat 23 January 2027"},
		{"28 clear days, Saturday", ModeStatutory, true, &noticed, nil, london("2027-01-23 00:00"), true, 28, "notice", ""},
		{"28 clear days over the weekend, Monday", ModeStatutory, true, &noticed, nil, london("2027-01-25 10:00"), true, 28, "notice", ""},
		{"27 clear days, voluntary warns", ModeVoluntary, true, &noticed, nil, london("2027-01-22 10:00"), true, 27, "", "27 clear days"},
		// The general exception's 5 clear days from the record: published Thursday 10 December,
		// the 5th working day after is Thursday 17 December.
		{"general exception, 4 clear days", ModeStatutory, true, &noticed, []Exception{{GeneralException, noticed}}, london("2026-12-17 12:00"), false, 4, "", "4 clear days"},
		{"general exception, 5 clear days", ModeStatutory, true, &noticed, []Exception{{GeneralException, noticed}}, london("2026-12-18 09:00"), true, 5, GeneralException, ""},
		{"special urgency at once", ModeStatutory, true, &noticed, []Exception{{SpecialUrgency, noticed}}, london("2026-12-10 17:00"), true, 0, SpecialUrgency, ""},
		{"special urgency not yet made", ModeStatutory, true, &noticed, []Exception{{SpecialUrgency, london("2026-12-11 09:00")}}, london("2026-12-10 17:00"), false, 0, "", "0 clear days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(cal, Standing{Mode: tt.mode, Key: tt.key, NoticedAt: tt.noticed, Exceptions: tt.excs}, tt.at)
			if v.Allowed != tt.allowed || v.ClearDays != tt.clear || v.By != tt.by {
				t.Errorf("Check = allowed %v, %d clear days, by %q; want %v, %d, %q (%s)", v.Allowed, v.ClearDays, v.By, tt.allowed, tt.clear, tt.by, v.Problem)
			}
			if (tt.problem == "") != (v.Problem == "") || !strings.Contains(v.Problem, tt.problem) {
				t.Errorf("Check's problem = %q, want one with %q", v.Problem, tt.problem)
			}
		})
	}
}

// A bank holiday inside the period moves the earliest signing day by a working day: the
// same notice with Christmas, Boxing Day and New Year's Day as working days could be signed
// three working days sooner.
func TestEarliestSigningBankHolidays(t *testing.T) {
	noticed := london("2026-12-10 16:30")
	if got := EarliestSigning(workday.Published(), noticed, NoticeDays).String(); got != "2027-01-23" {
		t.Errorf("EarliestSigning with bank holidays = %s, want 2027-01-23", got)
	}
	if got := EarliestSigning(&workday.Calendar{}, noticed, NoticeDays).String(); got != "2027-01-20" {
		t.Errorf("EarliestSigning without bank holidays = %s, want 2027-01-20", got)
	}
}

func TestDiff(t *testing.T) {
	prev := []Notice{{ID: 1, Version: 1}, {ID: 2, Version: 1}, {ID: 3, Version: 2}}
	cur := []Notice{{ID: 2, Version: 2}, {ID: 3, Version: 2}, {ID: 4, Version: 1}}
	c := Diff(prev, cur)
	if len(c.New) != 1 || c.New[0] != 4 || len(c.Changed) != 1 || c.Changed[0] != 2 || len(c.Withdrawn) != 1 || c.Withdrawn[0] != 1 {
		t.Errorf("Diff = %+v, want new [4], changed [2], withdrawn [1]", c)
	}
}

func TestEncodeDecode(t *testing.T) {
	at := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	p := Build(at, nil, 0, "", []Notice{{ID: 7, Version: 1, Series: "PCD", Matter: "Buy <boats> & oars", ExpectedFrom: "2027-02-01"}})
	b := p.Encode()
	if !strings.Contains(string(b), "<boats> & oars") {
		t.Errorf("Encode escaped the text: %s", b)
	}
	q, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(q.Encode()) != string(b) {
		t.Errorf("Decode then Encode changed the bytes:\n%s\n%s", b, q.Encode())
	}
	if len(q.Changes.New) != 1 || q.Changes.New[0] != 7 {
		t.Errorf("first plan's changes = %+v, want the notice new", q.Changes)
	}
}
