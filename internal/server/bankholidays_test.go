package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
	"github.com/decision-register/decisions/internal/workday"
)

// uploadHolidays posts a file to the admins' bank-holidays page as a browser does.
func uploadHolidays(t *testing.T, c *http.Client, base, name string, data []byte) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	resp, err := c.Post(base+"/admin/bank-holidays", mw.FormDataContentType(), &body)
	return read(t, resp, err)
}

// holidaysFile is a file in gov.uk's format listing the shipped 2026 holidays and extra.
func holidaysFile(t *testing.T, extra map[string]string) []byte {
	t.Helper()
	type event struct {
		Title string `json:"title"`
		Date  string `json:"date"`
	}
	cal := workday.Published()
	var events []event
	for _, d := range cal.Holidays(2026) {
		name, _ := cal.Holiday(d)
		events = append(events, event{name, d.String()})
	}
	for d, name := range extra {
		events = append(events, event{name, d})
	}
	b, err := json.Marshal(map[string]any{"england-and-wales": map[string]any{"division": "england-and-wales", "events": events},
		"scotland": map[string]any{"division": "scotland", "events": []event{}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An admin uploads a bank-holiday file over HTTP: a bad one changes nothing and is refused by
// the field; a good one is audited and moves due dates at once on every instance, here a
// second server on the same database that had already read the calendar.
func TestAdminUploadsBankHolidays(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	other := testsite.NewWith(t, testsite.Options{DatabaseURL: site.Pool.Config().ConnString()})
	admin := site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	ac := site.Client(t, admin.Email)
	slug := site.awaitingDecision(t, 9504)
	london, _ := time.LoadLocation("Europe/London")
	since := time.Date(2026, 12, 17, 10, 0, 0, 0, london) // Thursday; 5 working days: due Thu 24th
	if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET updated_at = $1 WHERE slug = $2`, since, slug); err != nil {
		t.Fatal(err)
	}
	drafter := other.Client(t, site.drafter.Email)
	clock := func() string {
		t.Helper()
		return get(t, drafter, other.URL+"/decisions/"+slug+"/signoff").text(`[data-testid=chain-clock]`)
	}
	if got := clock(); !strings.HasSuffix(got, "due Thu 24 December 2026") {
		t.Fatalf("clock before = %q", got)
	}
	p := get(t, ac, site.URL+"/admin/bank-holidays")
	if p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid=holidays-source]`), "No file uploaded") {
		t.Fatalf("GET /admin/bank-holidays = %d, source %q", p.status, p.text(`[data-testid=holidays-source]`))
	}

	for _, tt := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"no file", "", nil, "Choose a bank holidays file"},
		{"empty", "bank-holidays.json", nil, "The file is empty: choose gov.uk’s bank-holidays.json"},
		{"not JSON", "holidays.csv", []byte("date,title\n2027-01-01,New Year’s Day\n"), "The file is not JSON"},
		{"wrong shape", "bank-holidays.json", []byte(`[{"date": "2027-01-01"}]`), "The file is not in gov.uk’s bank-holidays.json format"},
		{"no division", "bank-holidays.json", []byte(`{"scotland": {"division": "scotland", "events": [{"title": "Hogmanay", "date": "2027-01-02"}]}}`),
			"The file is not in gov.uk’s bank-holidays.json format"},
		{"bad date", "bank-holidays.json", holidaysFile(t, map[string]string{"2026-02-30": "Leap"}), `"2026-02-30" (Leap) is not a date like 2027-12-27`},
		{"out of range", "bank-holidays.json", holidaysFile(t, map[string]string{"2126-12-22": "Far off"}),
			"2126-12-22 (Far off) is out of range: each date must be in the years 2000 to 2099"},
		// JSON decoding alone would accept these bytes, replacing them, and the database refuse them.
		{"not UTF-8", "bank-holidays.json", []byte("{\"england-and-wales\": {\"division\": \"england-and-wales\", \"events\": [{\"title\": \"Caf\xe9\", \"date\": \"2027-01-01\"}]}}"),
			"The file is not UTF-8 text: choose gov.uk’s bank-holidays.json"},
	} {
		p := uploadHolidays(t, ac, site.URL, tt.file, tt.data)
		inline := p.text(`#bank-holidays-file-error`)
		summary := p.text(`[data-testid="error-summary"] a[href="#bank-holidays-file"]`)
		if p.status != http.StatusUnprocessableEntity || !strings.HasPrefix(inline, "Error: "+tt.want) || !strings.HasPrefix(summary, tt.want) {
			t.Errorf("%s: POST = %d, inline %q, summary %q; want 422 and %q", tt.name, p.status, inline, summary, tt.want)
		}
	}
	var files, audited int
	if err := site.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM bank_holiday_files),
		(SELECT count(*) FROM audit_log WHERE event = 'bank_holidays_uploaded')`).Scan(&files, &audited); err != nil {
		t.Fatal(err)
	}
	if files != 0 || audited != 0 {
		t.Fatalf("after refused uploads: %d files, %d audit entries; want none", files, audited)
	}
	if got := clock(); !strings.HasSuffix(got, "due Thu 24 December 2026") {
		t.Errorf("clock after refused uploads = %q", got)
	}

	p = uploadHolidays(t, ac, site.URL, "bank-holidays.json", holidaysFile(t, map[string]string{"2026-12-22": "Closure day"}))
	if p.status != http.StatusSeeOther || p.location != "/admin/bank-holidays" {
		t.Fatalf("good upload = %d to %q, want 303 to /admin/bank-holidays", p.status, p.location)
	}
	p = get(t, ac, site.URL+"/admin/bank-holidays")
	if got := p.text(`[data-testid="flash"] p`); got != "The bank holidays from bank-holidays.json are in use: 9 holidays, 2026 to 2026" {
		t.Errorf("banner = %q", got)
	}
	if got := p.text(`[data-testid=holidays-source]`); !strings.Contains(got, "bank-holidays.json, uploaded by Ada Admin") {
		t.Errorf("source = %q", got)
	}
	// Tuesday 22nd is now a holiday, then Christmas and the Boxing Day substitute: due Tue 29th.
	if got := clock(); !strings.HasSuffix(got, "due Tue 29 December 2026") {
		t.Errorf("clock on the other instance after the upload = %q, want due Tue 29 December 2026", got)
	}
	var detail string
	if err := site.Pool.QueryRow(context.Background(), `SELECT actor || ' ' || (detail::jsonb->>'file') || ' ' || (detail::jsonb->>'years') || ' ' ||
		(detail::jsonb->>'holidays') FROM audit_log WHERE event = 'bank_holidays_uploaded'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if detail != "Ada Admin bank-holidays.json 2026–2026 9" {
		t.Errorf("audit entry = %q", detail)
	}
}
