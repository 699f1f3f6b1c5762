// Package threesixty owns the register's grants as 360Giving data (the 360Giving Data Standard,
// schema 1.4.3, in schema/): which funding lines are grants, what a grant record holds, which
// grants cannot be a valid record and why, the package's metadata and the flattened CSV
// columns. It does no I/O; the store reads the lines and the server writes the files.
package threesixty

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
)

// Schema holds the 360Giving schema files, unchanged from the standard (CC BY 4.0, 360Giving):
// the package schema and the grant schema it names.
//
//go:embed schema/*.json
var Schema embed.FS

// SchemaVersion is the version of the standard the exports follow; PackageVersion is how a
// package states it (the package schema takes major.minor only).
const (
	SchemaVersion  = "1.4.3"
	PackageVersion = "1.4"
)

// DefaultPrefix starts identifiers while the register's owner has no 360Giving publisher
// prefix. Real prefixes are issued by 360Giving when a publisher registers ("360G-" and a
// name); this one says plainly that none has been, so nobody mistakes the data for registered
// data. THREESIXTY_PREFIX replaces it.
const DefaultPrefix = "360G-unregistered"

var prefixPattern = regexp.MustCompile(`^360G-[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

// ValidPrefix reports whether p can start 360Giving identifiers: "360G-" then letters and
// digits, which may be joined by single dots, dashes or underscores.
func ValidPrefix(p string) bool { return prefixPattern.MatchString(p) }

// Registered reports whether p is a prefix the owner set rather than the placeholder.
func Registered(p string) bool { return p != DefaultPrefix }

// Org is an organisation as the register holds it.
type Org struct {
	LocalID int64  // the register's own id for it
	OrgID   string // its org-id.guide identifier; "" when not known
	Name    string
}

// Line is one accepted grant of a published decision: a funding line, with what it takes
// from its decision. Nil means unknown.
type Line struct {
	Reference   string
	Slug        string
	Position    int // the line's place in its decision
	Title       *string
	Summary     *string
	DateSigned  *time.Time
	UpdatedAt   time.Time
	AmountPence int64
	Currency    string
	Basis       string
	FYStart     *int
	FYEnd       *int
	Funder      *Org
	Recipient   *Org
}

// Known says which of the values a grant record needs are known: enough to tell whether a line
// can be a record, and why not. The store counts lines by these facts without reading them.
type Known struct {
	Title, Description, AwardDate, Funder, Recipient, AmountClear bool
}

// Known is what is known of l.
func (l Line) Known() Known {
	return Known{Title: l.Title != nil, Description: l.Summary != nil, AwardDate: l.DateSigned != nil,
		Funder: l.Funder != nil, Recipient: l.Recipient != nil, AmountClear: l.Basis != decision.BasisUnclear}
}

// Reason is why a grant was left out: a value the standard requires that the register does
// not know. Reasons lists them in the order they are reported.
type Reason int

const (
	NoAwardDate Reason = iota
	NoRecipient
	NoFunder
	NoTitle
	NoDescription
	AmountUnclear
)

// Reasons are every Reason, in order.
var Reasons = []Reason{NoAwardDate, NoRecipient, NoFunder, NoTitle, NoDescription, AmountUnclear}

// Text completes "K grants …" for a count of grants left out for r.
func (r Reason) Text() string {
	switch r {
	case NoAwardDate:
		return "no award date (the date the decision was signed is not recorded)"
	case NoRecipient:
		return "no recipient recorded"
	case NoFunder:
		return "no funder recorded"
	case NoTitle:
		return "no title recorded"
	case NoDescription:
		return "no summary recorded, for the grant’s description"
	case AmountUnclear:
		return "an amount the source does not say is per year or in total"
	}
	return "an unknown reason"
}

// Key names r in HTTP headers and tests.
func (r Reason) Key() string {
	return [...]string{"no-award-date", "no-recipient", "no-funder", "no-title", "no-description", "amount-unclear"}[r]
}

// Missing lists why a line with what k says is known cannot be a 360Giving record; none means
// it can. A value the register does not know is never filled in with a guess.
func (k Known) Missing() []Reason {
	known := [...]bool{NoAwardDate: k.AwardDate, NoRecipient: k.Recipient, NoFunder: k.Funder,
		NoTitle: k.Title, NoDescription: k.Description, AmountUnclear: k.AmountClear}
	var out []Reason
	for _, r := range Reasons {
		if !known[r] {
			out = append(out, r)
		}
	}
	return out
}

// Counts are how many grants an export holds and how many it left out, with why.
type Counts struct {
	Published int
	LeftOut   int
	// ByReason counts the grants left out for each reason; a grant lacking several values
	// counts under each.
	ByReason map[Reason]int
}

// Add counts n lines with what k says is known.
func (c *Counts) Add(k Known, n int) {
	missing := k.Missing()
	if len(missing) == 0 {
		c.Published += n
		return
	}
	c.LeftOut += n
	if c.ByReason == nil {
		c.ByReason = map[Reason]int{}
	}
	for _, r := range missing {
		c.ByReason[r] += n
	}
}

// Headline says the counts alone: "3 grants published; 8 left out".
func (c Counts) Headline() string {
	s := fmt.Sprintf("%s published", decision.Plural(c.Published, "grant"))
	if c.LeftOut == 0 {
		return s + "; none left out"
	}
	return s + fmt.Sprintf("; %d left out", c.LeftOut)
}

// Summary says the counts in a sentence: "3 grants published; 8 left out: 8 have no award
// date (…), 7 have no recipient recorded."
func (c Counts) Summary() string {
	s := c.Headline()
	if c.LeftOut == 0 {
		return s + "."
	}
	s += ": " + strings.Join(c.ReasonTexts(), ", ")
	if c.overlap() {
		s += " (a grant can lack more than one)"
	}
	return s + "."
}

// ReasonTexts says each reason's count: "8 have no award date (…)".
func (c Counts) ReasonTexts() []string {
	var parts []string
	for _, r := range Reasons {
		if n := c.ByReason[r]; n > 0 {
			verb := "have"
			if n == 1 {
				verb = "has"
			}
			parts = append(parts, fmt.Sprintf("%d %s %s", n, verb, r.Text()))
		}
	}
	return parts
}

func (c Counts) overlap() bool {
	sum := 0
	for _, n := range c.ByReason {
		sum += n
	}
	return sum > c.LeftOut
}

// Grant is one 360Giving grant record, with the fields the register can fill.
type Grant struct {
	ID                    string         `json:"id"`
	Title                 string         `json:"title"`
	Description           string         `json:"description"`
	Currency              string         `json:"currency"`
	AmountAwarded         json.Number    `json:"amountAwarded"`
	AwardDate             string         `json:"awardDate"`
	URL                   string         `json:"url"`
	PlannedDates          []Event        `json:"plannedDates,omitempty"`
	RecipientOrganization []Organization `json:"recipientOrganization"`
	FundingOrganization   []Organization `json:"fundingOrganization"`
	DateModified          string         `json:"dateModified"`
}

// Event is a span of time: here, the financial years a grant's money is for.
type Event struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
	Duration  int    `json:"duration"` // months
}

// Organization is a funder or recipient in a grant record.
type Organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Builder makes grant records for one register.
type Builder struct {
	Prefix  string // the publisher's 360Giving prefix
	BaseURL string // the register's address, without a trailing slash
}

// Grant makes l's record, or says why it cannot: the values it lacks.
func (b Builder) Grant(l Line) (Grant, []Reason) {
	if missing := l.Known().Missing(); len(missing) > 0 {
		return Grant{}, missing
	}
	total := decision.TotalOf([]decision.Line{{AmountPence: l.AmountPence, Kind: decision.KindGrantAccepted,
		Basis: l.Basis, FYStart: l.FYStart, FYEnd: l.FYEnd}})
	if total.Overflow {
		return Grant{}, []Reason{AmountUnclear}
	}
	g := Grant{
		ID:                    b.Prefix + "-" + l.Slug + "-" + strconv.Itoa(l.Position),
		Title:                 l.Reference + ": " + *l.Title,
		Description:           *l.Summary,
		Currency:              l.Currency,
		AmountAwarded:         Pounds(total.Pence),
		AwardDate:             l.DateSigned.Format(time.DateOnly),
		URL:                   b.BaseURL + "/decisions/" + l.Slug,
		RecipientOrganization: []Organization{b.org(*l.Recipient)},
		FundingOrganization:   []Organization{b.org(*l.Funder)},
		DateModified:          l.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if e, ok := PlannedDates(l.FYStart, l.FYEnd); ok {
		g.PlannedDates = []Event{e}
	}
	return g, nil
}

// org identifies an organisation by its org-id when the register holds one, and otherwise by
// the publisher's prefix and the register's own id for it, as the standard allows for
// organisations without a registered identifier.
func (b Builder) org(o Org) Organization {
	return Organization{ID: b.OrgIdentifier(o.OrgID, o.LocalID), Name: o.Name}
}

// OrgIdentifier is the identifier of the organisation with orgID ("" for none) and the
// register's own id localID in the 360Giving data.
func (b Builder) OrgIdentifier(orgID string, localID int64) string {
	if orgID != "" {
		return orgID
	}
	return b.Prefix + "-org-" + strconv.FormatInt(localID, 10)
}

// Pounds writes pence as a JSON number of pounds, exactly: 147930616 is 1479306.16, 27550000
// is 275500. No floating point touches the amount.
func Pounds(p int64) json.Number {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	s := sign + strconv.FormatInt(p/100, 10)
	if p%100 != 0 {
		s += fmt.Sprintf(".%02d", p%100)
	}
	return json.Number(s)
}

// PlannedDates is the span of UK financial years start to end (2024 is 2024-25: 1 April 2024
// to 31 March 2025), or false when no year is known.
func PlannedDates(start, end *int) (Event, bool) {
	if start == nil {
		return Event{}, false
	}
	last := *start
	if end != nil {
		last = *end
	}
	return Event{StartDate: fmt.Sprintf("%04d-04-01", *start), EndDate: fmt.Sprintf("%04d-03-31", last+1),
		Duration: 12 * (last - *start + 1)}, true
}

// Package is a 360Giving data package's metadata; its grants are written after it.
type Package struct {
	Version     string    `json:"version"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Identifier  string    `json:"identifier"`
	Issued      string    `json:"issued"`
	Publisher   Publisher `json:"publisher"`
	AccessURL   string    `json:"accessURL"`
	DownloadURL string    `json:"downloadURL"`
}

// Publisher is who publishes a package.
type Publisher struct {
	Name    string `json:"name"`
	Website string `json:"website"`
}

// Description is a package's description: what it holds and what it left out.
func (b Builder) Description(owner string, c Counts) string {
	s := "Grants accepted in the published decisions of the " + owner + "’s Decision Register, one record per accepted grant. " +
		c.Summary() + " A grant whose required values are not recorded is left out rather than guessed."
	if !Registered(b.Prefix) {
		s += " Identifiers start " + b.Prefix + ": this register has no 360Giving publisher prefix yet."
	}
	return s
}

// CSVHeader is the flattened CSV's columns, titled as the standard's templates title them.
var CSVHeader = []string{"Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date", "URL",
	"Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)",
	"Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name", "Last Modified"}

// CSVRow is g flattened into CSVHeader's columns.
func (g Grant) CSVRow() []string {
	var e Event
	duration := ""
	if len(g.PlannedDates) > 0 {
		e = g.PlannedDates[0]
		duration = strconv.Itoa(e.Duration)
	}
	return []string{g.ID, g.Title, g.Description, g.Currency, g.AmountAwarded.String(), g.AwardDate, g.URL,
		e.StartDate, e.EndDate, duration,
		g.RecipientOrganization[0].ID, g.RecipientOrganization[0].Name,
		g.FundingOrganization[0].ID, g.FundingOrganization[0].Name, g.DateModified}
}

var orgIDPattern = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{2,}-[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// ValidOrgID reports whether s has the form of an org-id.guide identifier: a list's code (a
// country or XI, a dash, the list's own letters: "GB-CHC", "GB-COH", "XI-IATI"), a dash, then
// the organisation's identifier in that list ("GB-CHC-1092948"). The database holds the same
// rule; whether the list and the number are real is for whoever sets it to have checked.
func ValidOrgID(s string) bool { return orgIDPattern.MatchString(s) }
