package server

import (
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// whyNotStep says, in plain words, why an adviser who holds the step waiting may not clear it:
// the one-step-per-adviser rule, or having written part of the decision. "" when they may.
func whyNotStep(rec store.SignoffRecord, so decision.Signoff, a decision.Actor, next string) string {
	step := chainStepName(rec, next)
	if i := slices.IndexFunc(so.Approvals, func(ap decision.Approval) bool { return ap.UserID == a.ID }); i >= 0 {
		return "You cannot clear the " + step + " step because you have already cleared the " +
			chainStepName(rec, so.Approvals[i].StepKind) + " step of this decision. Each step must be cleared by a " +
			"different person, so that every check is made by someone new: another adviser for the " + step + " step will clear it."
	}
	if slices.Contains(so.Drafters, a.ID) {
		return "You cannot clear the " + step + " step because you wrote part of this decision. Steps are cleared by " +
			"people who did not write it, so that every check is independent: another adviser for the " + step + " step will clear it."
	}
	return ""
}

// whyNotSign says why the series' decision maker may not sign this decision, when the reason is
// their own part in it. "" when there is none.
func whyNotSign(rec store.SignoffRecord, so decision.Signoff, a decision.Actor) string {
	if i := slices.IndexFunc(so.Approvals, func(ap decision.Approval) bool { return ap.UserID == a.ID }); i >= 0 {
		return "You cannot sign this decision because you cleared its " + chainStepName(rec, so.Approvals[i].StepKind) +
			" step. The decision maker must be someone who did not clear a step, so that the signature is a check of its own: another decision maker for " +
			so.Series + " will sign it."
	}
	if slices.Contains(so.Drafters, a.ID) {
		return "You cannot sign this decision because you wrote part of it: another decision maker for " + so.Series + " will sign it."
	}
	return ""
}

// changeURL is the task list of a decision, for a drafter of its team while it may change.
func changeURL(u *store.User, so decision.Signoff, slug string) string {
	if u == nil || !u.Has(decision.RoleDrafter) || !slices.Contains(so.Drafters, u.ID) ||
		(so.Status != decision.StatusDraft && so.Status != decision.StatusAwaitingSignoff) {
		return ""
	}
	return "/decisions/" + slug + "/edit"
}

// signoffParts is the text of Part I and Part II as stored.
func signoffParts(sections []store.Section) []pages.SignoffPart {
	var out []pages.SignoffPart
	last := 0
	for _, sec := range sections {
		if sec.Part != last {
			out = append(out, pages.SignoffPart{Heading: partHeading(sec.Part), Confidential: sec.Part == 2})
			last = sec.Part
		}
		blocks := textBlocks(sec.Body, components.Plain)
		cur := &out[len(out)-1]
		cur.Sections = append(cur.Sections, pages.SignoffSection{
			ID: "part-" + strconv.Itoa(sec.Part) + "-section-" + strconv.Itoa(sec.Position), Heading: sec.Heading, Blocks: blocks})
	}
	return out
}

// fromTo is "from A · to B", each part only when known.
func fromTo(funder, recipient *string) string {
	var parts []string
	if v := deref(funder); v != "" {
		parts = append(parts, "from "+v)
	}
	if v := deref(recipient); v != "" {
		parts = append(parts, "to "+v)
	}
	return strings.Join(parts, " · ")
}

func signoffFunding(fs []store.FundingLine) []pages.SignoffFunding {
	out := make([]pages.SignoffFunding, len(fs))
	for i, f := range fs {
		out[i] = pages.SignoffFunding{Kind: decision.KindLabel(f.Kind), Amount: decision.FormatPence(f.AmountPence),
			Basis: basisText(f.Basis), Label: f.Label, FromTo: fromTo(f.Funder, f.Recipient), Counts: toLine(f).Counts()}
		if f.FYStart != nil {
			end := *f.FYStart
			if f.FYEnd != nil {
				end = *f.FYEnd
			}
			out[i].Years = decision.FinancialYearRange(decision.FinancialYear(*f.FYStart), decision.FinancialYear(end))
		}
	}
	return out
}

// basisText says how an amount applies across its years, in words.
func basisText(basis string) string {
	switch basis {
	case decision.BasisPerYear:
		return "a year"
	case decision.BasisTotal:
		return "in total"
	}
	return "(the source does not say whether for each year or in total)"
}

func signoffLinks(ls []store.Link) []pages.SignoffLink {
	out := make([]pages.SignoffLink, len(ls))
	for i, l := range ls {
		out[i] = pages.SignoffLink{Relation: relation(l), Reference: l.Ref, URL: "/decisions/" + l.Slug}
	}
	return out
}

func chainStepName(rec store.SignoffRecord, code string) string {
	for _, st := range rec.Steps {
		if st.Code == code {
			return strings.ToLower(st.Name[:1]) + st.Name[1:]
		}
	}
	return code
}

// staffNote says, for staff, what became of a signed decision the public cannot read yet:
// rejected, or published on a later day. Dates are London days.
func staffNote(rec store.SignoffRecord) string {
	switch {
	case rec.Status == decision.StatusRejected && rec.Signature != nil:
		out := "Rejected on " + formatLondonDay(rec.Signature.SignedAt) + "."
		if rec.RejectionReason != nil && *rec.RejectionReason != "" {
			out += " Reason: " + strings.TrimSuffix(*rec.RejectionReason, ".") + "."
		}
		return out
	case rec.Status == decision.StatusApproved && rec.PublishAt != nil:
		out := "Publication deferred until " + formatLondonDay(*rec.PublishAt) + "."
		if rec.Deferral != nil {
			out += " Reason: " + strings.TrimSuffix(*rec.Deferral, ".") + "."
		}
		return out
	}
	return ""
}

// signoffSteps is the chain as its tables show it. For staff it is every step of the chain
// with its state; for the public, the approvals the signature rests on, in the order given,
// and the signature.
func signoffSteps(rec store.SignoffRecord, staff bool) []pages.SignoffStep {
	var out []pages.SignoffStep
	if staff {
		waiting := rec.Status == decision.StatusAwaitingSignoff
		for _, st := range rec.Steps {
			row := pages.SignoffStep{Step: st.Name, Statement: st.Statement, Role: "Adviser", State: "Not yet", Tag: "grey"}
			if a := st.Approval; a != nil {
				row.State, row.Tag, row.Name, row.Date, row.Hash = "Approved", "green", a.UserName, formatLondonTime(a.ActedAt), a.ContentHash
				row.For, row.Declared = a.ForWhom(), a.Declared()
				row.Step, row.Statement = a.StepName, a.Statement // as approved, not as the step reads now
				row.Comment = deref(a.Comment)
			} else if waiting {
				row.State, row.Tag, waiting = "Waiting", "yellow", false
			}
			out = append(out, row)
		}
	} else {
		for _, a := range rec.Approvals {
			out = append(out, pages.SignoffStep{Step: a.StepName, Statement: a.Statement, Role: "Adviser",
				Name: a.UserName, Date: formatLondonDay(a.ActedAt), Hash: a.ContentHash, For: a.ForWhom(), Declared: a.Declared()})
		}
	}
	sig := pages.SignoffStep{Step: "Signature", Role: "Decision maker", State: "Not yet", Tag: "grey"}
	if g := rec.Signature; g != nil && g.Kind == "signed" {
		sig.State, sig.Tag = "Signed", "green"
		if g.Outcome == store.OutcomeRejected {
			sig.State, sig.Tag = "Rejected", "red"
		}
		sig.Name, sig.Date, sig.Hash, sig.For = deref(g.SignerName), formatLondonDay(g.SignedAt), g.ContentHash, g.ForWhom()
		if g.SignerRole != nil {
			sig.Role = *g.SignerRole
		}
	}
	if !staff {
		sig.State = ""
	}
	return append(out, sig)
}
