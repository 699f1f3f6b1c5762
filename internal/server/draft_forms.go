package server

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// The drafting forms: each is decoded from the request as typed, and its Validate returns a
// message for each field that is not right, keyed by the field's id.

const (
	// maxSummaryRunes keeps a summary a summary: it heads the decision and its search result,
	// and the reasoning belongs in the sections. The longest of the real decisions' is 260.
	maxSummaryRunes      = 1500
	maxTitleRunes        = 300
	maxOrganisationRunes = 200
)

// newDraftForm starts a decision, with its sections from its series' template when Template.
type newDraftForm struct {
	Series, Title string
	Template      bool
}

func decodeNewDraftForm(in url.Values) newDraftForm {
	return newDraftForm{Series: strings.TrimSpace(in.Get("series")), Title: decision.CleanName(in.Get("title")),
		Template: in.Get("template") == "yes"}
}

// Validate checks the form against the series a draft can be started in, and those that keep
// section templates.
func (f newDraftForm) Validate(chained, templated []string) map[string]string {
	errs := map[string]string{}
	if !slices.Contains(chained, f.Series) {
		errs["series"] = "Select a series"
	} else if f.Template && !slices.Contains(templated, f.Series) {
		errs["template"] = "The " + f.Series + " series has no section template: untick this, or choose a series that has one"
	}
	checkTitle(errs, f.Title)
	return errs
}

// maxTemplateRunes bounds a section template: the longest section of the real decisions is
// under 2,000 characters.
const maxTemplateRunes = 20000

// templatesForm is a series' section templates, one text a section kind.
type templatesForm struct{ Bodies map[string]string }

func templateField(kind string) string { return "template-" + kindSlug(kind) }

func decodeTemplatesForm(in url.Values) templatesForm {
	f := templatesForm{Bodies: map[string]string{}}
	for _, kind := range decision.SectionKinds {
		f.Bodies[kind] = decision.CleanSectionText(in.Get(templateField(kind)))
	}
	return f
}

func (f templatesForm) Validate() map[string]string {
	errs := map[string]string{}
	for _, kind := range decision.SectionKinds {
		if n := utf8.RuneCountInString(f.Bodies[kind]); n > maxTemplateRunes {
			errs[templateField(kind)] = decision.SectionKindLabel(kind) + " must be " + commas(maxTemplateRunes) +
				" characters or fewer: you have " + commas(n)
		}
	}
	return errs
}

func checkTitle(errs map[string]string, title string) {
	switch {
	case title == "":
		errs["title"] = "Enter a title"
	case utf8.RuneCountInString(title) > maxTitleRunes:
		errs["title"] = fmt.Sprintf("Title must be %d characters or fewer", maxTitleRunes)
	}
}

// titleForm is a draft's title and summary.
type titleForm struct{ Title, Summary string }

func decodeTitleForm(in url.Values) titleForm {
	return titleForm{Title: decision.CleanName(in.Get("title")), Summary: decision.CleanText(in.Get("summary"))}
}

func (f titleForm) Validate() map[string]string {
	errs := map[string]string{}
	checkTitle(errs, f.Title)
	switch n := utf8.RuneCountInString(f.Summary); {
	case f.Summary == "":
		errs["summary"] = "Enter a summary"
	case n > maxSummaryRunes:
		errs["summary"] = "Summary must be " + commas(maxSummaryRunes) + " characters or fewer: you have " + commas(n) +
			". Put the detail in the sections"
	}
	return errs
}

// sectionForm is one Part I section.
type sectionForm struct{ Heading, Body string }

func decodeSectionForm(in url.Values) sectionForm {
	return sectionForm{Heading: decision.CleanName(in.Get("heading")), Body: decision.CleanSectionText(in.Get("body"))}
}

func (f sectionForm) Validate() map[string]string {
	errs := map[string]string{}
	if f.Heading == "" {
		errs["heading"] = "Enter a heading"
	}
	if f.Body == "" {
		errs["body"] = "Enter the text of this section"
	}
	return errs
}

// fundingForm is a funding line as typed: amounts and years in any form people write them.
type fundingForm struct{ Amount, FYStart, FYEnd, Basis, Kind, Label, Funder, Recipient string }

func decodeFundingForm(in url.Values) fundingForm {
	return fundingForm{Amount: strings.TrimSpace(in.Get("amount")), FYStart: strings.TrimSpace(in.Get("fy_start")),
		FYEnd: strings.TrimSpace(in.Get("fy_end")), Basis: in.Get("basis"), Kind: in.Get("kind"),
		Label: decision.CleanName(in.Get("label")), Funder: decision.CleanName(in.Get("funder")),
		Recipient: decision.CleanName(in.Get("recipient"))}
}

// The messages for amounts and years say the whole range the register (and its database)
// accepts, with examples.
var (
	amountMessage = fmt.Sprintf("Enter an amount from £%d.%02d to £%d trillion, like £2,755,000 or £2.755m",
		decision.MinPence/100, decision.MinPence%100, decision.MaxPence/100/1_000_000_000_000)
	// A minus sign: amounts are never negative, and a reduction has a kind of its own.
	negativeAmountMessage = "Enter an amount of £0.01 or more, without a minus sign. To record a reduction, enter " +
		"the new total with the kind “Maximum after variation”"
	// "1e9": a spreadsheet's way of writing a number, not a person's.
	figuresMessage = "Enter the amount in figures, like 2,755,000 or £2.755m"
	yearMessage    = "Enter a financial year from " + decision.FinancialYear(decision.MinYear).String() + " to " +
		decision.FinancialYear(decision.MaxYear).String() + ", like 2024-25"
	lastYearMessage = "Enter the last financial year from " + decision.FinancialYear(decision.MinYear).String() + " to " +
		decision.FinancialYear(decision.MaxYear).String() + ", like 2026-27, or leave it empty"
)

// Validate checks the form and returns the funding line it describes.
func (f fundingForm) Validate() (store.NewFundingLine, map[string]string) {
	errs := map[string]string{}
	l := store.NewFundingLine{Basis: f.Basis, Kind: f.Kind, Label: f.Label, Funder: f.Funder, Recipient: f.Recipient}
	if f.Amount == "" {
		errs["amount"] = amountMessage
	} else {
		p, err := decision.ParsePence(f.Amount)
		switch {
		case strings.HasPrefix(strings.TrimPrefix(f.Amount, "£"), "-") || strings.HasPrefix(f.Amount, "−"):
			errs["amount"] = negativeAmountMessage
		case err != nil && strings.ContainsAny(f.Amount, "eE") && !strings.ContainsAny(f.Amount, "gGbBpP"):
			errs["amount"] = figuresMessage
		case err != nil:
			errs["amount"] = amountMessage
		case p < decision.MinPence || p > decision.MaxPence:
			errs["amount"] = amountMessage
		}
		l.AmountPence = p
	}
	if f.FYStart == "" {
		errs["fy_start"] = yearMessage
	} else if start, err := decision.ParseFinancialYear(f.FYStart); err != nil {
		errs["fy_start"] = yearMessage
	} else {
		y := int(start)
		l.FYStart, l.FYEnd = &y, &y
	}
	if f.FYEnd != "" {
		end, err := decision.ParseFinancialYear(f.FYEnd)
		switch {
		case err != nil:
			errs["fy_end"] = lastYearMessage
		case l.FYStart != nil && int(end) < *l.FYStart:
			errs["fy_end"] = "The last financial year must be the same as or after the first"
		default:
			y := int(end)
			l.FYEnd = &y
		}
	}
	if !slices.Contains([]string{decision.BasisTotal, decision.BasisPerYear, decision.BasisUnclear}, f.Basis) {
		errs["basis"] = "Select how the amount applies across its years"
	}
	if !slices.Contains(decision.FundingKinds, f.Kind) {
		errs["kind"] = "Select what kind of amount this is"
	}
	if f.Label == "" {
		errs["label"] = "Enter what the amount is for"
	}
	// An organisation's name is a key of its own (a unique index, which has a size limit), and
	// no funder's name comes near this.
	if utf8.RuneCountInString(f.Funder) > maxOrganisationRunes {
		errs["funder"] = fmt.Sprintf("The funder’s name must be %d characters or fewer", maxOrganisationRunes)
	}
	if utf8.RuneCountInString(f.Recipient) > maxOrganisationRunes {
		errs["recipient"] = fmt.Sprintf("The recipient’s name must be %d characters or fewer", maxOrganisationRunes)
	}
	return l, errs
}

// linkForm links a draft to another decision, by its reference in any spelling the search box
// takes ("PCD 1215", "pcd1215", "1215").
type linkForm struct{ Reference, Kind string }

func decodeLinkForm(in url.Values) linkForm {
	return linkForm{Reference: strings.TrimSpace(in.Get("reference")), Kind: in.Get("kind")}
}

// Validate checks the form and returns the reference it names.
func (f linkForm) Validate() (decision.Ref, map[string]string) {
	errs := map[string]string{}
	ref, err := decision.ParseReference(f.Reference)
	switch {
	case f.Reference == "":
		errs["reference"] = "Enter the reference of the other decision"
	case err != nil:
		errs["reference"] = "Enter a decision reference like PCD 1215"
	}
	if !slices.Contains(decision.LinkKinds, f.Kind) {
		errs["kind"] = "Select how this decision relates to the other"
	}
	return ref, errs
}

// commas writes a count as people read it: 1,500.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
