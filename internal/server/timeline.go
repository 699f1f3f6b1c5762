package server

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

// addSignoff adds a decision page's sign-off section and, for staff, its timeline. Reading
// a page with Part II in it is audited.
func (s *Server) addSignoff(r *http.Request, p *pages.ShowProps, d store.DecisionDetail) error {
	u := userFrom(r)
	rec, err := s.reader(r).SignoffChain(r.Context(), s.access(r), d.Slug)
	if err != nil {
		return err
	}
	if g := rec.Signature; g != nil {
		proof := &pages.SignoffProof{Slug: d.Slug, Imported: g.Kind == "imported", Hash: g.ContentHash}
		if !proof.Imported {
			proof.Steps = signoffSteps(rec, false)
			proof.Interests = "none"
			if g.Interests != nil && *g.Interests == store.InterestsDeclared {
				proof.Interests = deref(g.InterestsDetail)
			}
		}
		p.Proof = proof
	}
	if u == nil {
		return nil
	}
	if p.Proof == nil {
		p.Proof = &pages.SignoffProof{Slug: d.Slug}
	}
	p.Proof.StaffNote = staffNote(rec)
	if rec.Status == decision.StatusAwaitingSignoff || rec.Status == decision.StatusDraft {
		p.Proof.SignoffURL = "/decisions/" + d.Slug + "/signoff"
		so, err := s.store.SignoffState(r.Context(), d.Slug)
		if err != nil {
			return err
		}
		p.Proof.ChangeURL = changeURL(u, so, d.Slug)
	}
	for _, sec := range d.Sections {
		if sec.Part == 2 {
			err := s.recordPartTwoRead(r, d.ID, map[string]string{"reference": d.Reference, "page": "decision"})
			if err != nil {
				return err
			}
			break
		}
	}
	entries, err := s.store.Timeline(r.Context(), d.ID)
	if err != nil {
		return err
	}
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, k := range kinds {
		names[k.Code] = k.Name
	}
	p.Timeline = timeline(entries, names)
	return nil
}

// timeline is the audit trail newest first, in words. Readings of Part II one after another by
// the same person on the same London day show as one line with their count, at the latest
// reading's time; the trail itself keeps each.
func timeline(entries []store.AuditEntry, stepNames map[string]string) []pages.TimelineEntry {
	var out []pages.TimelineEntry
	reads := 0
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Event == store.EventPartTwoRead && i < len(entries)-1 && reads > 0 {
			prev := entries[i+1]
			if prev.Event == e.Event && prev.Actor == e.Actor && prev.ActorID != nil && e.ActorID != nil &&
				*prev.ActorID == *e.ActorID && formatLondonDay(prev.At) == formatLondonDay(e.At) {
				reads++
				last := &out[len(out)-1]
				last.Title = eventTitles[e.Event] + " " + strconv.Itoa(reads) + " times"
				continue
			}
		}
		reads = 0
		if e.Event == store.EventPartTwoRead {
			reads = 1
		}
		out = append(out, timelineEntry(e, stepNames))
	}
	return out
}

// fieldLabels name the parts of a draft an edit changed as its task list does.
var fieldLabels = map[string]string{
	"title,summary": "Title and summary", "recommendations": "Recommendations", "part_two": "Part II",
	"funding": "Funding", "links": "Links", "drafters": "Drafting team",
}

func fieldLabel(f string) string {
	if kind, ok := strings.CutPrefix(f, "part_one:"); ok {
		return "Part I: " + decision.SectionKindLabel(kind)
	}
	if n, ok := strings.CutPrefix(f, "funding:"); ok {
		return "Funding line " + n
	}
	if f == "reason" {
		return "Reason for the correction"
	}
	return cmp.Or(fieldLabels[f], f)
}

var eventTitles = map[string]string{
	store.EventCreated: "Created", store.EventEdited: "Edited", store.EventSubmitted: "Submitted for sign-off",
	store.EventApproved: "Approved", store.EventReturned: "Returned to the drafter", store.EventSigned: "Signed",
	store.EventRejected: "Rejected", store.EventPublished: "Published", store.EventDeferred: "Publication deferred",
	store.EventReleased: "Published at its deferred date", store.EventPartTwoRead: "Part II read",
	store.EventImported: "Content recorded on import", store.EventDrafterAdded: "Added to the drafting team",
	store.EventCorrectionStarted: "Correction started", store.EventCorrectionEdited: "Correction edited",
	store.EventCorrectionDiscarded: "Correction discarded", store.EventCorrectionSent: "Correction sent for approval",
	store.EventCorrectionReturned: "Correction returned to its drafters", store.EventDraftDiscarded: "Draft discarded",
	store.EventCorrected: "Corrected", store.EventWithdrawn: "Withdrawn",
	store.EventOrganisationAdded: "Organisation added to the register",
}

// timelineEntry puts an audit entry in words. Newest entries come first on the page.
func timelineEntry(e store.AuditEntry, stepNames map[string]string) pages.TimelineEntry {
	var detail map[string]string
	_ = json.Unmarshal([]byte(e.Detail), &detail)
	t := pages.TimelineEntry{Title: eventTitles[e.Event], By: e.Actor, When: formatLondonTime(e.At),
		DateTime: e.At.UTC().Format(time.RFC3339)}
	if t.Title == "" {
		t.Title = strings.ReplaceAll(e.Event, "_", " ")
	}
	if e.Actor == "system" {
		t.By = "the register"
	}
	if step := detail["step"]; step != "" {
		t.Title += ": " + cmp.Or(stepNames[step], step)
	}
	if c := detail["comment"]; c != "" {
		t.Description = append(t.Description, "Comment: "+c)
	}
	if o := detail["organisation"]; o != "" && e.Event == store.EventOrganisationAdded {
		t.Description = append(t.Description, "Organisation: "+o)
	}
	if d := detail["drafter"]; d != "" {
		t.Description = append(t.Description, "Drafter: "+d)
	}
	if on := detail["on_behalf_of"]; on != "" {
		t.By += " for " + on + " (" + detail["cover"] + ")"
	}
	if e.Event == store.EventApproved && detail["interests"] == decision.DeclareNone {
		t.Description = append(t.Description, "No interests declared")
	}
	if n := detail["interest_nature"]; n != "" {
		t.Description = append(t.Description, "Interest declared: "+n+". Dispensation granted by "+detail["dispensation_by"])
	}
	if (e.Event == store.EventRejected || e.Event == store.EventCorrected || e.Event == store.EventWithdrawn ||
		e.Event == store.EventCorrectionStarted || e.Event == store.EventCorrectionDiscarded) && detail["reason"] != "" {
		t.Description = append(t.Description, "Reason: "+detail["reason"])
	}
	if src := detail["source"]; e.Event == store.EventImported && src != "" {
		// Where `decisions import` took it from (docs/import.md): its provenance, for staff.
		from := "From " + src
		if id := detail["source_id"]; id != "" {
			from += ", where it is " + id
		}
		t.Description = append(t.Description, from+" (import run "+detail["import_run"]+")")
	}
	if f := detail["fields"]; f != "" {
		t.Description = append(t.Description, "Changed: "+fieldLabel(f))
	}
	if until := detail["until"]; until != "" {
		if at, err := time.Parse(time.RFC3339, until); err == nil {
			until = formatLondonTime(at)
		}
		t.Description = append(t.Description, "Until "+until+": "+detail["reason"])
	}
	if detail["interests"] == store.InterestsDeclared {
		t.Description = append(t.Description, "Interests declared")
	}
	t.Hash = detail["content_sha256"]
	return t
}
