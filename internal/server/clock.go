package server

import (
	"context"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/workday"
)

// mustSignByDate is a decision's must-be-signed-by date as a calendar date.
func mustSignByDate(t *time.Time) *workday.Date {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	return &workday.Date{Year: y, Month: m, Day: d}
}

// stepDue is the date the step c stands for is due, by the rule in workday.Due.
func stepDue(cal *workday.Calendar, c store.StepClock) workday.Date {
	return cal.Due(c.Since, c.SLADays, mustSignByDate(c.MustSignBy), c.After)
}

// clockLine is the one line the chain says of the step a decision waits on: "Waiting on
// Legal · A. Name for 4 working days · reminded twice · due Thu 12 March 2026".
func clockLine(cal *workday.Calendar, c store.StepClock, now time.Time) string {
	who := "Waiting on " + c.StepName
	if len(c.Who) > 0 && len(c.Who) <= 3 {
		who += " · " + strings.Join(c.Who, ", ")
	}
	parts := []string{who + " for " + cal.Waited(c.Since, now)}
	if c.Reminded > 0 {
		parts = append(parts, "reminded "+workday.Times(c.Reminded))
	}
	if c.Escalated {
		parts = append(parts, "escalated")
	}
	parts = append(parts, "due "+stepDue(cal, c).Words())
	return strings.Join(parts, " · ")
}

// addClock puts the clock line and the must-be-signed-by date on a sign-off page.
func (s *Server) addClock(r *http.Request, id int64, p *pages.SignoffProps) error {
	clocks, err := s.store.StepClocks(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	if c, ok := clocks[id]; ok {
		cal, err := s.calendarNow(r.Context())
		if err != nil {
			return err
		}
		p.Clock = clockLine(cal, c, s.now())
	}
	by, err := s.store.MustSignBy(r.Context(), id)
	if err != nil {
		return err
	}
	if d := mustSignByDate(by); d != nil {
		p.MustSignBy = d.Words()
	}
	return nil
}

// SendReminders sends the reminders and escalations that come due, every interval, under
// the server's clock, until ctx ends. Each instance runs it; each reminder goes once.
func (s *Server) SendReminders(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n := 0
		cal, err := s.calendarNow(ctx)
		if err == nil {
			n, err = s.store.SendReminders(ctx, s.now(), cal)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "send reminders", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "sent reminders", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// mustSignByField is the draft's optional must-be-signed-by date input.
func mustSignByField(ed draftEdit, in url.Values, errs map[string]string) *components.DateField {
	f := &components.DateField{ID: "must-sign-by", Name: "must_sign_by", Legend: "Must be signed by (optional)",
		Hint:  "For example, a grant’s acceptance deadline, like 27 3 2027. Everyone in the sign-off chain sees it, and each step is due in time to meet it.",
		Error: errs["must-sign-by"]}
	switch {
	case in != nil:
		f.Day, f.Month, f.Year = in.Get("must_sign_by_day"), in.Get("must_sign_by_month"), in.Get("must_sign_by_year")
	case ed.mustSignBy != nil:
		y, m, d := ed.mustSignBy.Date()
		f.Day, f.Month, f.Year = strconv.Itoa(d), strconv.Itoa(int(m)), strconv.Itoa(y)
	}
	return f
}

// mustSignByInput reads the optional must-be-signed-by date: nil when left blank, and an
// error for a date that is not real or has passed.
func mustSignByInput(in url.Values, now time.Time) (*time.Time, string) {
	if strings.TrimSpace(in.Get("must_sign_by_day")+in.Get("must_sign_by_month")+in.Get("must_sign_by_year")) == "" {
		return nil, ""
	}
	day, msg, _ := dateInput(in, "must_sign_by", "Must be signed by")
	if msg != "" {
		return nil, msg
	}
	if workday.DateOf(day).Before(workday.DateOf(now)) {
		return nil, "Must be signed by must be today or in the future"
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return &d, ""
}
