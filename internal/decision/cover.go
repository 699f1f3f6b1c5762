package decision

import (
	"slices"
	"strings"
	"time"
)

// Cover is someone acting for a person over a period of London days, first and last included.
type Cover struct {
	ID        int64
	PersonID  int64
	CovererID int64
	Starts    time.Time // a London day, at midnight UTC
	Ends      time.Time
}

// Runs reports whether the cover runs on day (a London day, at midnight UTC).
func (c Cover) Runs(day time.Time) bool { return !day.Before(c.Starts) && !day.After(c.Ends) }

// CoverRequest is a cover someone asks to set, with what the rules need to judge it.
type CoverRequest struct {
	Person   Actor // whom it covers
	Coverer  *Actor
	Starts   time.Time // zero when not given (the form says so itself)
	Ends     time.Time
	Reason   string
	Today    time.Time         // the London day it is set on
	Existing []Cover           // the person's covers not ended
	Names    map[int64]string  // people's names, for the messages
	Steps    map[string]string // step kinds' names, for the messages
	Self     bool              // the person sets their own cover: the messages say "you"
}

// CoverProblem is what is wrong with one field of a cover.
type CoverProblem struct {
	Field   string // "coverer", "starts", "ends" or "reason"
	Message string
}

// CheckCover judges a cover: the coverer may clear every step the person clears and sign for
// every series they sign for (so nothing waits on someone who cannot act), is not the person,
// and it ends on or after it starts, not before today, and overlaps none of the person's
// other covers. Cover never cascades, so whether the coverer is covered does not matter.
func CheckCover(r CoverRequest) []CoverProblem {
	var out []CoverProblem
	add := func(field, msg string) { out = append(out, CoverProblem{field, msg}) }
	who, has := r.Names[r.Person.ID], "has"
	if r.Self {
		who, has = "you", "have"
	}
	switch c := r.Coverer; {
	case c == nil:
		add("coverer", "Select who will act for "+pronoun(r.Self, who))
	case c.ID == r.Person.ID:
		add("coverer", "Select someone else: a person cannot cover for themself")
	default:
		if missing := cannotCover(r.Person, *c, r.Steps); missing != "" {
			add("coverer", r.Names[c.ID]+" cannot cover for "+pronoun(r.Self, who)+": they do not "+missing)
		} else if len(r.Person.StepKinds) == 0 && len(r.Person.Series) == 0 {
			nothing := r.Names[r.Person.ID] + " clears no steps and signs for no series"
			if r.Self {
				nothing = "You clear no steps and sign for no series"
			}
			add("coverer", nothing+", so there is nothing to cover")
		}
	}
	if strings.TrimSpace(r.Reason) == "" {
		add("reason", "Enter why cover is needed")
	}
	if r.Starts.IsZero() {
		add("starts", "Enter the start date")
	}
	if r.Ends.IsZero() {
		add("ends", "Enter the end date")
	}
	if r.Starts.IsZero() || r.Ends.IsZero() {
		return out
	}
	switch {
	case r.Ends.Before(r.Starts):
		add("ends", "The end date must be the same as or after the start date")
	case r.Ends.Before(r.Today):
		add("ends", "The end date must be today or later")
	default:
		for _, e := range r.Existing {
			if !e.Ends.Before(r.Starts) && !e.Starts.After(r.Ends) {
				add("starts", capital(who)+" already "+has+" cover "+CoverDays(e.Starts, e.Ends)+
					": this would overlap it. End that cover first, or choose other dates")
				break
			}
		}
	}
	return out
}

func pronoun(self bool, who string) string {
	if self {
		return "you"
	}
	return who
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// CanCover reports whether coverer may cover for person: someone else who clears every step
// they clear and signs for every series they sign for, when they clear or sign anything.
func CanCover(person, coverer Actor) bool {
	return coverer.ID != person.ID && (len(person.StepKinds) > 0 || len(person.Series) > 0) &&
		cannotCover(person, coverer, nil) == ""
}

// cannotCover says what of the person's work the coverer cannot do ("" when they can do all).
func cannotCover(person, coverer Actor, steps map[string]string) string {
	var miss []string
	for _, k := range person.StepKinds {
		if !coverer.Has(RoleAdviser) || !slices.Contains(coverer.StepKinds, k) {
			name := steps[k]
			if name == "" {
				name = k
			}
			miss = append(miss, "clear the "+name+" step")
		}
	}
	for _, s := range person.Series {
		if !coverer.Has(RoleDecisionMaker) || !slices.Contains(coverer.Series, s) {
			miss = append(miss, "sign for the "+s+" series")
		}
	}
	return strings.Join(miss, " or ")
}

// CoverDays writes a cover's days as people read them: "1–14 August 2026", "30 July – 2 August
// 2026", "29 December 2026 – 2 January 2027".
func CoverDays(from, to time.Time) string {
	switch {
	case from.Year() != to.Year():
		return from.Format("2 January 2006") + " – " + to.Format("2 January 2006")
	case from.Month() != to.Month():
		return from.Format("2 January") + " – " + to.Format("2 January 2006")
	case from.Day() != to.Day():
		return from.Format("2") + "–" + to.Format("2 January 2006")
	}
	return to.Format("2 January 2006")
}

// ActingFor is whom a's approval of step kind is given for under cover: the first person a
// covers now who would themself clear it (holds the step, did not write the decision, and has
// cleared no other step of it). False when a acts on their own account. Cover never makes an
// approval a would not be allowed to give (CanAct judges a); it records for whom it was given.
func (s Signoff) ActingFor(kind string, covered []Actor) (Actor, bool) {
	for _, p := range covered {
		if p.Has(RoleAdviser) && slices.Contains(p.StepKinds, kind) && !s.drafted(p) && !s.approvedBy(p) {
			return p, true
		}
	}
	return Actor{}, false
}

// SigningFor is whom a's signature (or rejection) is given for under cover: the first person a
// covers now who would themself sign it (signs for its series, did not write it, and cleared
// none of its steps). False when a signs on their own account. As with ActingFor, cover never
// lets a sign what CanSign refuses them; it records for whom they signed.
func (s Signoff) SigningFor(covered []Actor) (Actor, bool) {
	for _, p := range covered {
		if p.Has(RoleDecisionMaker) && slices.Contains(p.Series, s.Series) && !s.drafted(p) && !s.approvedBy(p) {
			return p, true
		}
	}
	return Actor{}, false
}

// What an adviser says of their interests when they clear a step, and what they did about one.
const (
	DeclareNone        = "none"
	DeclareInterest    = "declared"
	ActionWithdrew     = "withdrew"
	ActionDispensation = "dispensation"
)

// Declaration is what an adviser declares as they approve a step.
type Declaration struct {
	Interests      string // DeclareNone or DeclareInterest
	Nature         string // the interest, when declared
	Action         string // ActionWithdrew or ActionDispensation, when declared
	DispensationBy string // who granted the dispensation
}

// ErrWithdrawn refuses the approval of an adviser whose declared interest requires them to
// withdraw: the step goes to whoever covers for them.
var ErrWithdrawn = notAllowed("You declared an interest that requires you to withdraw, so you cannot approve this step. " +
	"It goes to the person who covers for you: set your cover on the Cover page, or ask an admin to.")

// Check says what is wrong with each field of the declaration, by field ("interests",
// "nature", "action", "dispensation_by"); none when it may stand with an approval.
func (d Declaration) Check() []CoverProblem {
	var out []CoverProblem
	switch d.Interests {
	case DeclareNone:
		return nil
	case DeclareInterest:
	default:
		return []CoverProblem{{"interests", "Select whether you have an interest to declare"}}
	}
	if strings.TrimSpace(d.Nature) == "" {
		out = append(out, CoverProblem{"nature", "Enter the interest you declare"})
	}
	switch d.Action {
	case ActionWithdrew:
	case ActionDispensation:
		if strings.TrimSpace(d.DispensationBy) == "" {
			out = append(out, CoverProblem{"dispensation_by", "Enter who granted the dispensation"})
		}
	default:
		out = append(out, CoverProblem{"action", "Select whether you withdrew or went on under a dispensation"})
	}
	return out
}

// Withdrew reports whether the declaration keeps its adviser from approving.
func (d Declaration) Withdrew() bool {
	return d.Interests == DeclareInterest && d.Action == ActionWithdrew
}

// ForWhom says for whom an approval was given under cover, as the chain shows it: "for Ann
// Jones (cover 1–14 August 2026, set by Cal Green)".
func ForWhom(person string, from, to time.Time, setBy string) string {
	return "for " + person + " (cover " + CoverDays(from, to) + ", set by " + setBy + ")"
}

// DeclaredText says what an adviser declared, in words: "No interests declared", or the
// interest and the dispensation; "" when the register did not ask (interests nil).
func DeclaredText(interests, nature, dispensationBy *string) string {
	switch {
	case interests == nil:
		return ""
	case *interests == DeclareNone:
		return "No interests declared"
	}
	out := "Declared an interest"
	if nature != nil {
		out += ": " + strings.TrimSuffix(*nature, ".") + "."
	}
	if dispensationBy != nil {
		out += " Went on under a dispensation granted by " + strings.TrimSuffix(*dispensationBy, ".") + "."
	}
	return out
}

// ForWhom is the approval's "for …" as signed, or "" when the approver acted for themself.
func (a ContentApproval) ForWhom() string {
	if a.OnBehalfOf == nil || a.Cover == nil {
		return ""
	}
	from, err1 := time.Parse(time.DateOnly, a.Cover.From)
	to, err2 := time.Parse(time.DateOnly, a.Cover.To)
	if err1 != nil || err2 != nil {
		return "for " + *a.OnBehalfOf + " (cover " + a.Cover.From + " to " + a.Cover.To + ", set by " + a.Cover.SetBy + ")"
	}
	return ForWhom(*a.OnBehalfOf, from, to, a.Cover.SetBy)
}

// Declared is what the approver declared, as signed.
func (a ContentApproval) Declared() string {
	return DeclaredText(a.Interests, a.InterestNature, a.DispensationBy)
}
