package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/workday"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// maxBankHolidayFile is the largest bank-holiday file an admin may upload: gov.uk's, with
// three divisions over a decade, is under 20 KB.
const maxBankHolidayFile = 1 << 20

// calendarNow is the working-day calendar in force: the configured one (the shipped list and
// BANK_HOLIDAYS_FILE) with the newest uploaded bank-holiday file over it. The file's id is the
// calendar's version, read before each computation (one index lookup): every instance parses a
// new upload the first time it needs the calendar after it, with no restart.
func (s *Server) calendarNow(ctx context.Context) (*workday.Calendar, error) {
	v, err := s.store.BankHolidaysVersion(ctx)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return s.calendar, nil
	}
	s.holidays.Lock()
	version, cal := s.holidays.version, s.holidays.cal
	s.holidays.Unlock()
	if version == v {
		return cal, nil
	}
	f, err := s.store.BankHolidays(ctx)
	if err != nil {
		return nil, err
	}
	o, msg := workday.Check([]byte(f.Content))
	if msg != "" { // checked before it was stored: only a hand-edited row gets here
		return nil, fmt.Errorf("bank holidays file %d: %s", f.ID, msg)
	}
	cal = s.calendar.Override(o)
	s.holidays.Lock()
	if f.ID > s.holidays.version {
		s.holidays.version, s.holidays.cal = f.ID, cal
	}
	s.holidays.Unlock()
	return cal, nil
}

func (s *Server) handleAdminBankHolidays(w http.ResponseWriter, r *http.Request) error {
	return s.renderBankHolidays(w, r, http.StatusOK, "")
}

func (s *Server) renderBankHolidays(w http.ResponseWriter, r *http.Request, status int, fileErr string) error {
	cal, err := s.calendarNow(r.Context())
	if err != nil {
		return err
	}
	p := pages.AdminBankHolidaysProps{Flash: s.popAdminFlash(r), Action: "/admin/bank-holidays",
		File: components.Field{ID: "bank-holidays-file", Name: "file", Label: "Bank holidays file", Accept: ".json,application/json",
			Hint:  "gov.uk’s bank-holidays.json, or a file in the same format. Its England and Wales holidays replace the register’s for each year it lists, from " + strconv.Itoa(workday.FirstYear) + " to " + strconv.Itoa(workday.LastYear) + ".",
			Error: fileErr}}
	if fileErr != "" {
		p.Errors = []components.FieldError{{FieldID: "bank-holidays-file", Message: fileErr}}
	}
	switch f, err := s.store.BankHolidays(r.Context()); {
	case errors.Is(err, store.ErrNotFound):
		p.Source = "No file uploaded: the list shipped with the register, with the operator’s BANK_HOLIDAYS_FILE over it if one is set"
	case err != nil:
		return err
	default:
		p.Source = fmt.Sprintf("%s, uploaded by %s on %s (%d holidays, %d to %d)", f.FileName, f.UploadedBy,
			formatLondonTime(f.UploadedAt), f.Holidays, f.FirstYear, f.LastYear)
	}
	first, last := cal.Years()
	p.Years = fmt.Sprintf("%d to %d", first, last)
	year := workday.DateOf(s.now()).Year
	for _, y := range []int{year, year + 1} {
		py := pages.HolidayYear{Year: strconv.Itoa(y)}
		for _, d := range cal.Holidays(y) {
			name, _ := cal.Holiday(d)
			py.Days = append(py.Days, pages.Holiday{Date: d.Words(), Name: name})
		}
		p.Upcoming = append(p.Upcoming, py)
	}
	title := "Bank holidays"
	if fileErr != "" {
		title = "Error: " + title
	}
	p.Page = s.page(r, title, "admin", "/admin/bank-holidays")
	s.render(w, r, status, pages.AdminBankHolidays(p))
	return nil
}

// handleAdminBankHolidaysUpload puts an uploaded bank-holiday file in force, once checked: a
// file that is not JSON, not gov.uk's shape or has a date out of range changes nothing and
// comes back as a message by the field.
func (s *Server) handleAdminBankHolidaysUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBankHolidayFile+64<<10)
	if err := r.ParseMultipartForm(maxBankHolidayFile + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "The file must be smaller than 1 MB")
		}
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "Choose a bank holidays file")
	}
	defer r.MultipartForm.RemoveAll()
	file, head, err := r.FormFile("file")
	if err != nil {
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "Choose a bank holidays file")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxBankHolidayFile+1))
	if err != nil {
		return err
	}
	switch {
	case len(data) == 0:
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "The file is empty: choose gov.uk’s bank-holidays.json")
	case len(data) > maxBankHolidayFile:
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "The file must be smaller than 1 MB")
	case !utf8.Valid(data):
		// JSON decoding would replace the bad bytes and PostgreSQL would then refuse the text.
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, "The file is not UTF-8 text: choose gov.uk’s bank-holidays.json")
	}
	cal, msg := workday.Check(data)
	if msg != "" {
		return s.renderBankHolidays(w, r, http.StatusUnprocessableEntity, msg)
	}
	first, last := cal.Years()
	n := 0
	for y := first; y <= last; y++ {
		n += len(cal.Holidays(y))
	}
	sum := sha256.Sum256(data)
	name := filepath.Base(head.Filename)
	if len(name) > 255 || name == "." || name == "/" || !utf8.ValidString(name) {
		name = "bank-holidays.json"
	}
	_, err = s.store.AddBankHolidays(r.Context(), userFrom(r).Act(s.now()), store.BankHolidayFile{FileName: name,
		Content: string(data), SHA256: hex.EncodeToString(sum[:]), FirstYear: first, LastYear: last, Holidays: n})
	if err != nil {
		return err
	}
	s.adminRedirect(w, r, "/admin/bank-holidays", fmt.Sprintf("The bank holidays from %s are in use: %d holidays, %d to %d", name, n, first, last))
	return nil
}
