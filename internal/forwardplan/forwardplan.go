// Package forwardplan owns the forward plan's rules, with no I/O: when a key decision has had
// the notice the law asks for (clear days on the register's working-day calendar), what a
// published plan's bytes hold, and what changed between two plans.
//
// Clear days. The Local Authorities (Executive Arrangements) (Meetings and Access to
// Information) (England) Regulations 2012 ask that a key decision's notice be published "at
// least 28 clear days" before it is made (regulation 9), 5 clear days under the general
// exception (regulation 10), and allow special urgency with the chair's agreement (regulation
// 11). They do not define a clear day. Since R v Herefordshire Justices (1820) and R v Swansea
// City Council ex p Elitestone (1993) a clear day excludes both the day the notice is given and
// the day of the event; whether weekends and bank holidays count is unsettled, and councils'
// standing orders differ. The register takes the reading that can never be too short: a clear
// day is a working day (Monday to Friday, not an England and Wales bank holiday, package
// workday) strictly after the day the notice was first published and strictly before the day
// of signing, all in London.
package forwardplan

import (
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/workday"
)

// Modes a series may enforce notice of its key decisions in.
const (
	// ModeStatutory refuses to sign a key decision whose notice has not stood long enough.
	ModeStatutory = "statutory"
	// ModeVoluntary warns the signer and lets them sign.
	ModeVoluntary = "voluntary"
)

// Kinds of exception record.
const (
	GeneralException = "general_exception"
	SpecialUrgency   = "special_urgency"
)

// NoticeDays and ExceptionDays are the clear days a key decision's notice must stand, and a
// general exception's.
const (
	NoticeDays    = 28
	ExceptionDays = 5
)

// Exception is a general-exception or special-urgency record, as the rule needs it.
type Exception struct {
	Kind        string
	PublishedAt time.Time
}

// Standing is what the rule reads about one decision at signing.
type Standing struct {
	Mode       string     // "" when the series has no key-decision rule
	Key        bool       // the decision is a key decision by its series' rule
	NoticedAt  *time.Time // when its notice first stood on the plan; nil for none
	Exceptions []Exception
}

// Verdict is what the rule says of signing now.
type Verdict struct {
	Allowed   bool
	Problem   string // why notice falls short ("" when it does not); a refusal or a warning
	ClearDays int    // clear days the notice has stood, when there is one
	By        string // what allows it: "notice", GeneralException, SpecialUrgency, or "" (not key)
}

// EarliestSigning is the first day a decision noticed at noticed may be signed with days clear
// days between: the day after the days-th working day after it.
func EarliestSigning(cal *workday.Calendar, noticed time.Time, days int) workday.Date {
	return cal.AddDate(workday.DateOf(noticed), days).AddDays(1)
}

// Check applies the key-decision rule to signing at at.
func Check(cal *workday.Calendar, s Standing, at time.Time) Verdict {
	if s.Mode == "" || !s.Key {
		return Verdict{Allowed: true}
	}
	v := Verdict{}
	if s.NoticedAt != nil {
		v.ClearDays = cal.ClearDays(*s.NoticedAt, at)
		if v.ClearDays >= NoticeDays {
			v.Allowed, v.By = true, "notice"
			return v
		}
	}
	for _, e := range s.Exceptions {
		if e.PublishedAt.After(at) {
			continue
		}
		switch {
		case e.Kind == SpecialUrgency:
			v.Allowed, v.By = true, SpecialUrgency
			return v
		case e.Kind == GeneralException && s.NoticedAt != nil && cal.ClearDays(e.PublishedAt, at) >= ExceptionDays:
			v.Allowed, v.By = true, GeneralException
			return v
		}
	}
	switch {
	case s.NoticedAt == nil:
		v.Problem = "This is a key decision and it has no notice on the forward plan. A key decision needs a notice that has stood for 28 clear days, " +
			"or 5 with a general exception, or a special-urgency record."
	default:
		v.Problem = "This is a key decision and its notice has stood for " + clearDays(v.ClearDays) + " of the 28 needed: it may be signed from " +
			EarliestSigning(cal, *s.NoticedAt, NoticeDays).Words() + ", or earlier with a general exception (5 clear days) or a special-urgency record."
	}
	v.Allowed = s.Mode == ModeVoluntary
	return v
}

func clearDays(n int) string {
	if n == 1 {
		return "1 clear day"
	}
	return strconv.Itoa(n) + " clear days"
}
