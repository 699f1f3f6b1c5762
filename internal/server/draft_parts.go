package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// change is one thing saved by someone else, and what the person sent instead.
type change struct{ what, saved, yours string }

// value is the person's input when there is some, else what is saved.
func value(in url.Values, name, saved string) string {
	if in != nil {
		return in.Get(name)
	}
	return saved
}

func toEdit(ed draftEdit) string { return editURL(ed.slug) }

var titlePart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		return pages.DraftFormProps{
			Heading: "Title and summary",
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "title", Name: "title", Label: "Title", Value: value(in, "title", deref(ed.d.Title)), Error: errs["title"]}},
				{Area: &components.Field{ID: "summary", Name: "summary", Label: "Summary", Rows: 8, Value: value(in, "summary", deref(ed.d.Summary)), Error: errs["summary"],
					MaxLength: maxSummaryRunes,
					Hint: "What is decided and why, in plain English, in a paragraph or two: it heads the decision and its search result. " +
						"The detail goes in the sections. Separate paragraphs with a blank line."}},
				{Date: mustSignByField(ed, in, errs)},
				{Radios: affectsAreasField(ed, in)},
			},
			Submit: "Save and continue",
		}
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		f := decodeTitleForm(in)
		errs := f.Validate()
		by, err := mustSignByInput(in, act.At)
		if err != "" {
			errs["must-sign-by"] = err
		}
		if len(errs) > 0 {
			return errs, nil
		}
		if err := s.store.SetTitleSummary(ctx, act, ed.slug, base, f.Title, f.Summary); err != nil {
			return nil, err
		}
		if v := in.Get("affects_areas"); v != "" {
			if err := s.store.SetAffectsAreas(ctx, act, ed.d.ID, v == "yes"); err != nil {
				return nil, err
			}
		}
		return nil, s.store.SetMustSignBy(ctx, ed.d.ID, by)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		return []change{{"Title", deref(ed.d.Title), in.Get("title")}, {"Summary", deref(ed.d.Summary), in.Get("summary")}}
	},
	next:       toEdit,
	checkField: "title",
	part:       store.PartTitle,
}

var recommendationsPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Recommendations",
			Intro:     "What the decision maker is asked to approve, one recommendation at a time, in order.",
			ListTitle: "Recommendations so far",
			Inputs: []pages.DraftInput{{Area: &components.Field{ID: "recommendation", Name: "recommendation", Label: "Add a recommendation",
				Rows: 4, Value: value(in, "recommendation", ""), Error: errs["recommendation"], Paste: true,
				Hint: "For example, “Accept grant funding of £2,755,000 from the Home Office for Project Alpha in 2024-25.” " +
					"To add several at once, paste or type a numbered list: each number becomes a recommendation."}}},
			Submit: "Add recommendation",
		}
		n := len(ed.d.Recommendations)
		if c := ed.change; c >= 1 && c <= n {
			label := "Recommendation " + strconv.Itoa(c)
			return pages.DraftFormProps{
				Heading: "Change recommendation " + strconv.Itoa(c),
				Inputs: []pages.DraftInput{{Area: &components.Field{ID: "recommendation", Name: "recommendation", Label: label,
					Rows: 4, Value: value(in, "recommendation", ed.d.Recommendations[c-1]), Error: errs["recommendation"]}}},
				Submit: "Save recommendation",
				Change: c,
				Cancel: editURL(ed.slug) + "/recommendations",
			}
		}
		for i, rec := range ed.d.Recommendations {
			ctx := "recommendation " + strconv.Itoa(i+1)
			it := pages.DraftListItem{Text: rec, Change: editURL(ed.slug) + "/recommendations?change=" + strconv.Itoa(i+1), Context: ctx}
			if i > 0 {
				it.Actions = append(it.Actions, pages.DraftAction{Label: "Move up", Context: ctx, Value: "up:" + strconv.Itoa(i)})
			}
			if i < n-1 {
				it.Actions = append(it.Actions, pages.DraftAction{Label: "Move down", Context: ctx, Value: "down:" + strconv.Itoa(i)})
			}
			it.Actions = append(it.Actions, pages.DraftAction{Label: "Remove", Context: ctx, Value: "remove:" + strconv.Itoa(i)})
			p.List = append(p.List, it)
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		recs := slices.Clone(ed.d.Recommendations)
		action, arg, _ := strings.Cut(in.Get("action"), ":")
		if action == "" {
			action = "save"
		}
		i, err := strconv.Atoi(arg)
		if action != "save" && (err != nil || i < 0 || i >= len(recs)) {
			// The list changed under the person's feet, or the form was not ours.
			return nil, fmt.Errorf("recommendation %q of %d: %w", arg, len(recs), store.ErrConflict)
		}
		switch {
		case ed.change > 0 && action == "save":
			if ed.change > len(recs) {
				return nil, fmt.Errorf("recommendation %d of %d: %w", ed.change, len(recs), store.ErrConflict)
			}
			rec := decision.CleanText(in.Get("recommendation"))
			if rec == "" {
				return map[string]string{"recommendation": "Enter the recommendation"}, nil
			}
			recs[ed.change-1] = rec
			return nil, s.store.SetRecommendations(ctx, act, ed.slug, base, recs)
		}
		switch action {
		case "up":
			if i > 0 {
				recs[i-1], recs[i] = recs[i], recs[i-1]
			}
		case "down":
			if i < len(recs)-1 {
				recs[i+1], recs[i] = recs[i], recs[i+1]
			}
		case "remove":
			recs = slices.Delete(recs, i, i+1)
		default:
			rec := decision.CleanText(in.Get("recommendation"))
			if rec == "" {
				return map[string]string{"recommendation": "Enter a recommendation"}, nil
			}
			added := decision.SplitRecommendations(rec)
			recs = append(recs, added...)
			if err := s.store.SetRecommendations(ctx, act, ed.slug, base, recs); err != nil || len(added) == 1 {
				return nil, err
			}
			s.putDraftFlash(ctx, decision.Plural(len(added), "recommendation")+" added",
				"The list you entered became one recommendation for each of its numbers or bullets. Check their order and wording below.")
			return nil, nil
		}
		return nil, s.store.SetRecommendations(ctx, act, ed.slug, base, recs)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		yours := "Add: " + in.Get("recommendation")
		if ed.change > 0 {
			yours = "Change recommendation " + strconv.Itoa(ed.change) + " to: " + in.Get("recommendation")
		}
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action != "save" && action != "" {
			n, _ := strconv.Atoi(arg)
			yours = map[string]string{"up": "Move up", "down": "Move down", "remove": "Remove"}[action] +
				" recommendation " + strconv.Itoa(n+1) + " of the list as you saw it"
		}
		return []change{{"Recommendations", numbered(ed.d.Recommendations), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/recommendations" },
	checkField: "recommendation",
	part:       store.PartRecommendations,
}

func numbered(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d. %s", i+1, it)
	}
	return b.String()
}

func sectionPart(kind string) draftPart {
	label := decision.SectionKindLabel(kind)
	return draftPart{
		page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
			sec, ok := ed.section(1, kind)
			heading := label
			if ok {
				heading = sec.Heading
			}
			p := pages.DraftFormProps{
				Heading: label,
				Intro:   "Part I is published with the decision.",
				Inputs: []pages.DraftInput{
					{Text: &components.Field{ID: "heading", Name: "heading", Label: "Heading", Value: value(in, "heading", heading), Error: errs["heading"]}},
					{Area: &components.Field{ID: "body", Name: "body", Label: "Text", Rows: 14, Value: value(in, "body", sec.Body), Error: errs["body"],
						Paste: true, Hint: sectionHint}},
				},
				Submit: "Save and continue",
			}
			if ok {
				p.Remove = "Remove this section"
				p.Preview = textBlocks(sec.Body, components.Plain)
			}
			return p
		},
		save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
			if in.Get("action") == "remove" {
				return nil, s.store.DeleteSection(ctx, act, ed.slug, base, kind)
			}
			f := decodeSectionForm(in)
			if errs := f.Validate(); len(errs) > 0 {
				return errs, nil
			}
			if err := s.store.SetSection(ctx, act, ed.slug, base, kind, f.Heading, f.Body); err != nil {
				return nil, err
			}
			s.savedText(ctx, label, f.Body)
			return nil, nil
		},
		changed: func(ed draftEdit, in url.Values) []change {
			sec, _ := ed.section(1, kind)
			if in.Get("action") == "remove" {
				return []change{{"Section", sec.Heading + "\n\n" + sec.Body, "Remove this section"}}
			}
			return []change{{"Heading", sec.Heading, in.Get("heading")}, {"Text", sec.Body, in.Get("body")}}
		},
		next:       toEdit,
		checkField: "body",
		part:       store.PartSection(kind),
	}
}

// sectionHint says how a section's text is read (decision.ParseText).
const sectionHint = "Type or paste from Word. Separate paragraphs with a blank line. Lines starting “•” or “- ” make a list; " +
	"a number such as “4.1.” or “(a)” starts a numbered paragraph and is kept; lines whose cells are separated by tabs make a table."

var partTwoPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		sec, _ := ed.section(2, "")
		return pages.DraftFormProps{
			Heading: "Part II: confidential facts and advice",
			Intro: "Part II is never published. Only the decision maker, the advisers of this series, the people who drafted " +
				"this decision and admins can read it. The public page says that a Part II exists.",
			Inputs: append([]pages.DraftInput{{Area: &components.Field{ID: "body", Name: "body", Label: "Confidential facts and advice", Rows: 14,
				Value: value(in, "body", sec.Body), Error: errs["body"], Paste: true,
				Hint: "Leave this empty if the decision has no Part II. " + sectionHint}}}, groundInputs(ed.partTwoGround, in, errs)...),
			Submit:  "Save and continue",
			Preview: textBlocks(sec.Body, components.Plain),
		}
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		var ground *store.WithholdingInput
		if strings.TrimSpace(in.Get("body")) != "" {
			g, errs := groundInput(in, act.At, "Part II")
			if len(errs) > 0 {
				return errs, nil
			}
			ground = &g
		}
		if err := s.store.SetPartTwo(ctx, act, ed.slug, base, in.Get("body")); err != nil {
			return nil, err
		}
		if err := s.store.SetPartTwoWithholding(ctx, ed.d.ID, ground, act.At); err != nil {
			return nil, err
		}
		s.savedText(ctx, "Part II", decision.CleanSectionText(in.Get("body")))
		return nil, nil
	},
	changed: func(ed draftEdit, in url.Values) []change {
		sec, _ := ed.section(2, "")
		return []change{{"Part II", sec.Body, in.Get("body")}}
	},
	next:       toEdit,
	checkField: "body",
	part:       store.PartTwo,
}

var basisLabels = []components.Option{
	{Value: decision.BasisTotal, Label: "In total, across its years"},
	{Value: decision.BasisPerYear, Label: "In each of its years"},
	{Value: decision.BasisUnclear, Label: "The papers do not say"},
}

func options(opts []components.Option, chosen string) []components.Option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Checked = out[i].Value == chosen
	}
	return out
}

func fundingKindOptions(chosen string) []components.Option {
	var opts []components.Option
	for _, k := range decision.FundingKinds {
		opts = append(opts, components.Option{Value: k, Label: decision.KindLabel(k), Checked: k == chosen})
	}
	return opts
}

func fundingLineText(f store.FundingLine) (string, string) {
	text := decision.FormatPence(f.AmountPence) + " – " + f.Label
	hint := []string{decision.KindLabel(f.Kind)}
	if f.FYStart != nil {
		end := *f.FYStart
		if f.FYEnd != nil {
			end = *f.FYEnd
		}
		hint = append(hint, decision.FinancialYearRange(decision.FinancialYear(*f.FYStart), decision.FinancialYear(end)))
	}
	if f.Basis == decision.BasisPerYear {
		hint = append(hint, "each year")
	}
	if p := fromTo(f.Funder, f.Recipient); p != "" {
		hint = append(hint, p)
	}
	return text, strings.Join(hint, " · ")
}

// fundingFormOf is a saved funding line as its form shows it, to change it.
func fundingFormOf(f store.FundingLine) fundingForm {
	ff := fundingForm{Amount: decision.FormatPence(f.AmountPence), Basis: f.Basis, Kind: f.Kind, Label: f.Label,
		Funder: deref(f.Funder), Recipient: deref(f.Recipient)}
	if f.FYStart != nil {
		ff.FYStart = decision.FinancialYear(*f.FYStart).String()
		if f.FYEnd != nil && *f.FYEnd != *f.FYStart {
			ff.FYEnd = decision.FinancialYear(*f.FYEnd).String()
		}
	}
	return ff
}

// newOrgHint says what becomes of a funder or recipient the register does not know.
const newOrgHint = "Choose one the register knows as you type. A name it does not know is added as a new organisation " +
	"when you save, recorded in the audit trail under your name"

// fundingInputs are the fields of a funding line, holding the person's input when there is
// some, else saved.
func fundingInputs(in url.Values, errs map[string]string, saved fundingForm) []pages.DraftInput {
	return []pages.DraftInput{
		{Text: &components.Field{ID: "amount", Name: "amount", Label: "Amount", Width: "10", Value: value(in, "amount", saved.Amount), Error: errs["amount"],
			Hint: "In pounds, for example £2,755,000, 2755000 or £2.755m"}},
		{Text: &components.Field{ID: "fy_start", Name: "fy_start", Label: "Financial year", Width: "5", Value: value(in, "fy_start", saved.FYStart), Error: errs["fy_start"],
			Hint: "The first financial year the amount is for, for example 2024-25"}},
		{Text: &components.Field{ID: "fy_end", Name: "fy_end", Label: "Last financial year (optional)", Width: "5", Value: value(in, "fy_end", saved.FYEnd), Error: errs["fy_end"],
			Hint: "Leave empty when the amount is for one year"}},
		{Radios: &components.Choice{ID: "basis", Name: "basis", Legend: "How the amount applies across its years", Error: errs["basis"],
			Options: options(basisLabels, value(in, "basis", saved.Basis))}},
		{Radios: &components.Choice{ID: "kind", Name: "kind", Legend: "What kind of amount this is", Error: errs["kind"],
			Options: fundingKindOptions(value(in, "kind", saved.Kind))}},
		{Text: &components.Field{ID: "label", Name: "label", Label: "What the amount is for", Value: value(in, "label", saved.Label), Error: errs["label"],
			Hint: "For example, Home Office grant for Project Alpha"}},
		{Text: &components.Field{ID: "funder", Name: "funder", Label: "Funder (optional)", Value: value(in, "funder", saved.Funder), Error: errs["funder"],
			Options: pages.OrgNamesID, Hint: "The organisation paying, for example Home Office. " + newOrgHint}},
		{Text: &components.Field{ID: "recipient", Name: "recipient", Label: "Recipient (optional)", Value: value(in, "recipient", saved.Recipient), Error: errs["recipient"],
			Options: pages.OrgNamesID, Hint: "The organisation receiving the money, for example Metropolitan Police Service. " +
				"A grant is published as 360Giving data only when its recipient is known. " + newOrgHint}},
	}
}

var fundingPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Funding",
			Intro:     "Each amount the decision accepts, varies or mentions, one line at a time.",
			ListTitle: "Funding lines so far",
			Inputs:    fundingInputs(in, errs, fundingForm{Basis: decision.BasisTotal}),
			Submit:    "Add funding line",
		}
		for _, f := range ed.d.Funding {
			if ed.change == f.Position {
				return pages.DraftFormProps{
					Heading: "Change funding line",
					Inputs:  fundingInputs(in, errs, fundingFormOf(f)),
					Submit:  "Save funding line",
					Change:  f.Position,
					Cancel:  editURL(ed.slug) + "/funding",
				}
			}
		}
		for _, f := range ed.d.Funding {
			text, hint := fundingLineText(f)
			p.List = append(p.List, pages.DraftListItem{Text: text, Hint: hint,
				Change: editURL(ed.slug) + "/funding?change=" + strconv.Itoa(f.Position), Context: "funding line " + text,
				Actions: []pages.DraftAction{{Label: "Remove", Context: "funding line " + text, Value: "remove:" + strconv.Itoa(f.Position)}}})
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			pos, err := strconv.Atoi(arg)
			if err != nil {
				return nil, errBadForm
			}
			err = s.store.RemoveFundingLine(ctx, act, ed.slug, base, pos)
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("funding line %d: %w", pos, store.ErrConflict)
			}
			return nil, err
		}
		l, errs := decodeFundingForm(in).Validate()
		if len(errs) > 0 {
			return errs, nil
		}
		if ed.change > 0 {
			err := s.store.ChangeFundingLine(ctx, act, ed.slug, base, ed.change, l)
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("funding line %d: %w", ed.change, store.ErrConflict)
			}
			return nil, err
		}
		return nil, s.store.AddFundingLine(ctx, act, ed.slug, base, l)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		var lines []string
		for _, f := range ed.d.Funding {
			text, hint := fundingLineText(f)
			lines = append(lines, text+" ("+hint+")")
		}
		yours := "Add: " + strings.Join(slices.DeleteFunc([]string{in.Get("amount"), in.Get("label"), in.Get("fy_start"), in.Get("funder"), in.Get("recipient")},
			func(v string) bool { return strings.TrimSpace(v) == "" }), ", ")
		if action, _, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			yours = "Remove a funding line"
		} else if ed.change > 0 {
			yours = "Change funding line " + strconv.Itoa(ed.change) + " to: " + strings.TrimPrefix(yours, "Add: ")
		}
		return []change{{"Funding lines", numbered(lines), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/funding" },
	checkField: "amount",
	part:       store.PartFunding,
}

func linkKindOptions(chosen string) []components.Option {
	hints := map[string]string{
		decision.LinkContinues: "This decision is the next in a funding chain after the other",
		decision.LinkVaries:    "This decision changes what the other decided",
		decision.LinkRelated:   "The decisions are about related things",
	}
	var opts []components.Option
	for _, k := range decision.LinkKinds {
		opts = append(opts, components.Option{Value: k, Label: decision.LinkKindLabel(k), Hint: hints[k], Checked: k == chosen})
	}
	return opts
}

func linkText(l store.Link) string {
	t := decision.LinkKindLabel(l.Kind) + " " + l.Ref
	if l.Title != nil {
		t += ": " + *l.Title
	}
	return t
}

var linksPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Links to other decisions",
			Intro:     "The decisions this one continues, varies or relates to.",
			ListTitle: "Links so far",
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "reference", Name: "reference", Label: "Decision reference", Width: "10",
					Value: value(in, "reference", ""), Error: errs["reference"], Hint: "For example, PCD 1215"}},
				{Radios: &components.Choice{ID: "kind", Name: "kind", Legend: "How this decision relates to it", Error: errs["kind"],
					Options: linkKindOptions(value(in, "kind", ""))}},
			},
			Submit: "Add link",
		}
		for _, l := range ed.d.Links {
			if l.Outgoing {
				p.List = append(p.List, pages.DraftListItem{Text: linkText(l), Actions: []pages.DraftAction{
					{Label: "Remove", Context: "link: " + linkText(l), Value: "remove:" + l.Kind + ":" + l.Ref}}})
			}
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			kind, ref, _ := strings.Cut(arg, ":")
			err := s.store.RemoveLink(ctx, act, ed.slug, base, ref, kind)
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnknownReference) {
				err = fmt.Errorf("link %s: %w", arg, store.ErrConflict)
			}
			return nil, err
		}
		f := decodeLinkForm(in)
		ref, errs := f.Validate()
		if len(errs) > 0 {
			return errs, nil
		}
		err := s.store.AddLink(ctx, act, ed.slug, base, ref.String(), f.Kind)
		switch {
		case errors.Is(err, store.ErrUnknownReference):
			return map[string]string{"reference": "There is no decision " + ref.String() + " in the register"}, nil
		case errors.Is(err, store.ErrSelfLink):
			return map[string]string{"reference": "A decision cannot link to itself"}, nil
		}
		return nil, err
	},
	changed: func(ed draftEdit, in url.Values) []change {
		var lines []string
		for _, l := range ed.d.Links {
			if l.Outgoing {
				lines = append(lines, linkText(l))
			}
		}
		yours := "Add: " + decision.LinkKindLabel(in.Get("kind")) + " " + in.Get("reference")
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			kind, ref, _ := strings.Cut(arg, ":")
			yours = "Remove: " + decision.LinkKindLabel(kind) + " " + ref
		}
		return []change{{"Links", numbered(lines), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/links" },
	checkField: "reference",
	part:       store.PartLinks,
}
