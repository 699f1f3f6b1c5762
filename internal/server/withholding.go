package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// maxPublicInterestRunes bounds a public-interest note (the database's bound too).
const maxPublicInterestRunes = 1000

const groundHint = "An FOI Act section, like s.43 (commercial interests) or s.22 (intended for future publication), " +
	"or a paragraph of Schedule 12A, like para 3. The public reads it."

// groundInputs are the fields a Part II's ground is recorded in: the ground, the
// public-interest note and the review date, filled from the form or from what is recorded.
func groundInputs(w *store.Withholding, in url.Values, errs map[string]string) []pages.DraftInput {
	ground, note := "", ""
	var day, month, year string
	if w != nil {
		if g, ok := decision.GroundByCode(w.Ground); ok {
			ground = g.Cite
		}
		note = w.PublicInterest
		day, month, year = strconv.Itoa(w.ReviewOn.Day()), strconv.Itoa(int(w.ReviewOn.Month())), strconv.Itoa(w.ReviewOn.Year())
	}
	if in != nil {
		ground, note = in.Get("ground"), in.Get("public_interest")
		day, month, year = in.Get("review_on_day"), in.Get("review_on_month"), in.Get("review_on_year")
	}
	return []pages.DraftInput{
		{Text: &components.Field{ID: "ground", Name: "ground", Label: "Ground for withholding Part II", Hint: groundHint,
			Value: ground, Error: errs["ground"], Width: "20"}},
		{Area: &components.Field{ID: "public-interest", Name: "public_interest", Label: "Public interest note", Rows: 4,
			Hint:  "In a sentence or two, why the public interest in withholding it outweighs the interest in publishing it. The public reads this.",
			Value: note, Error: errs["public-interest"], MaxLength: maxPublicInterestRunes}},
		{Date: &components.DateField{ID: "review-on", Name: "review_on", Legend: "Review date",
			Hint: "When to consider publishing it, for example 27 3 2028. Its owner is reminded before.", Error: errs["review-on"],
			Day: day, Month: month, Year: year}},
	}
}

// groundInput reads a ground, its public-interest note and (with a label) its review date
// from a form, with errors by field id. label "" reads no review date.
func groundInput(in url.Values, now time.Time, label string) (store.WithholdingInput, map[string]string) {
	errs := map[string]string{}
	var w store.WithholdingInput
	switch g, err := decision.ParseGround(in.Get("ground")); {
	case strings.TrimSpace(in.Get("ground")) == "":
		errs["ground"] = "Enter the ground for withholding " + orIt(label) + ", like s.43 or para 3"
	case err != nil:
		errs["ground"] = "Enter an FOI Act section from s.21 to s.44, like s.43, or a Schedule 12A paragraph from 1 to 7, like para 3"
	default:
		w.Ground = g.Code
	}
	note := strings.TrimSpace(in.Get("public_interest"))
	switch {
	case note == "":
		errs["public-interest"] = "Enter the public interest note"
	case len([]rune(note)) > maxPublicInterestRunes:
		errs["public-interest"] = "The public interest note must be " + strconv.Itoa(maxPublicInterestRunes) + " characters or fewer"
	default:
		w.PublicInterest = note
	}
	if label != "" {
		day, msg, _ := dateInput(in, "review_on", "Review date")
		switch {
		case msg != "":
			errs["review-on"] = msg
		case !day.After(now):
			errs["review-on"] = "The review date must be in the future"
		default:
			w.ReviewOn = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		}
	}
	return w, errs
}

func orIt(label string) string {
	if label == "" {
		return "it"
	}
	return label
}
