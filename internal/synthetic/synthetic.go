// Package synthetic generates realistic, made-up decisions for load runs and demonstrations:
// several series and decision makers, funders, multi-paragraph sections, funding over several
// financial years, funding chains, some Part II, drafts, deferred and rejected decisions. The
// same seed always gives the same decisions. Nothing here touches the database.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// FirstNumber is where synthetic numbering starts in each series, well above the real ones.
const FirstNumber = 20001

type series struct {
	code   string
	weight int
	makers []string // decision makers' names
	role   string
}

// The people are invented; the roles are the real ones of the London registers.
var allSeries = []series{
	{"PCD", 50, []string{"Rosa Delacourt", "Imran Whitfield"}, "Deputy Mayor for Policing and Crime"},
	{"MD", 25, []string{"Helena Okafor"}, "Mayor of London"},
	{"DD", 15, []string{"Tomasz Reilly", "Priya Nandakumar", "Owen Castellano"}, "Executive Director"},
	{"ADD", 10, []string{"Grace Mbeki", "Lewis Harrow"}, "Assistant Director"},
}

// Funders are bodies that pay; recipients are those who receive.
var (
	Funders = []string{"Home Office", "Ministry of Justice", "Youth Endowment Fund", "Department for Education",
		"Department of Health and Social Care", "Greater London Authority", "Mayor's Office for Policing and Crime",
		"National Lottery Community Fund", "Department for Levelling Up, Housing and Communities", "Cabinet Office"}
	Recipients = []string{"Metropolitan Police Service", "London Borough of Hackney", "London Borough of Lambeth",
		"London Borough of Newham", "Victim Support", "St Giles Trust", "Safer London", "Redthread",
		"London Ambulance Service", "Mental Health Partnership Trust", "Croydon Council", "Standing Together"}
)

var topics = []string{"youth violence", "knife crime", "domestic abuse", "violence against women and girls",
	"social media monitoring", "victim support", "custody healthcare", "drug treatment", "hate crime",
	"rape and serious sexual offences", "neighbourhood policing", "cyber crime", "county lines", "gang violence",
	"online harms", "reoffending", "child exploitation", "anti-social behaviour", "road safety", "modern slavery"}

var programmes = []string{"Alpha", "Beacon", "Compass", "Harbour", "Keystone", "Lantern", "Meridian", "Northstar",
	"Pathway", "Quarry", "Riverside", "Sentinel", "Threshold", "Union", "Vanguard", "Waymark"}

var kinds = []string{"Programme", "Hub", "Project", "Service", "Partnership", "Fund", "Pilot", "Initiative"}

var actions = []string{"Grant acceptance", "Funding extension", "Contract award", "Variation", "Continuation",
	"Procurement", "Commissioning", "Approval of expenditure"}

var places = []string{"Hackney", "Lambeth", "Newham", "Croydon", "Southwark", "Haringey", "Brent", "Ealing",
	"Tower Hamlets", "Lewisham", "Barking and Dagenham", "Enfield", "pan-London"}

var sectionHeads = []struct{ kind, heading string }{
	{"introduction_and_background", "Introduction and background"},
	{"issues_for_consideration", "Issues for consideration"},
	{"financial_comments", "Financial comments"},
	{"legal_comments", "Legal comments"},
	{"equality_comments", "Equality comments"},
	{"gdpr_and_data_privacy", "GDPR and data privacy"},
}

var sentences = []string{
	"The {name} {kind} was set up to reduce {topic} in {place}.",
	"Evaluation of the first year found a measurable fall in {topic} among those the service reached.",
	"Partners in {place} have asked that the work continue while a longer-term settlement is agreed.",
	"The {name} {kind} provides dedicated caseworkers who support people affected by {topic}.",
	"Delivery is monitored quarterly against outcomes agreed with the {funder}.",
	"The service works closely with schools, health services and the voluntary sector in {place}.",
	"Demand has grown since the service began, particularly for support related to {topic}.",
	"Without this funding the service would close and referrals would return to core policing.",
	"The proposal is consistent with the Police and Crime Plan priorities on {topic}.",
	"Officers have considered alternative options, including recommissioning the service in full.",
	"All expenditure will be made in line with the financial regulations and contract procedure rules.",
	"The grant conditions have been reviewed and no unusual obligations have been identified.",
	"An equality impact assessment found no disproportionate adverse effect on any protected group.",
	"Data will be shared only under the existing information sharing agreement with the {funder}.",
	"The work supports the wider strategy to tackle {topic} across {place}.",
	"Progress will be reported to the oversight board, which meets every two months.",
}

var partTwoSentences = []string{
	"The commercial terms offered by the preferred bidder are set out in the attached appendix.",
	"Legal advice on the procurement route is provided in confidence and is exempt from publication.",
	"Details of individual cases are withheld to protect the people concerned.",
}

// Generator makes synthetic decisions one at a time, deterministically for its seed.
type Generator struct {
	rng    *rand.Rand
	now    time.Time
	next   map[string]int // the next number in each series
	recent []chainEnd     // recent published decisions that a later one may continue
	Made   int
}

type chainEnd struct {
	ref, funder, programme string
	series                 string
}

// New returns a generator for seed. last is the highest number each series already uses, so
// new references follow on; now dates deferred publication into the future.
func New(seed uint64, last map[string]int, now time.Time) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, 0x5eed5)), now: now.UTC().Truncate(time.Second), next: map[string]int{}}
	for _, s := range allSeries {
		g.next[s.code] = max(FirstNumber, last[s.code]+1)
	}
	return g
}

// Organisations lists every organisation a generated decision may name.
func Organisations() []string {
	return append(append([]string{}, Funders...), Recipients...)
}

func (g *Generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *Generator) pickSeries() series {
	total := 0
	for _, s := range allSeries {
		total += s.weight
	}
	n := g.rng.IntN(total)
	for _, s := range allSeries {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return allSeries[0]
}

// Next makes the next decision.
func (g *Generator) Next() store.SyntheticDecision {
	s := g.pickSeries()
	number := g.next[s.code]
	g.next[s.code]++
	g.Made++

	d := store.SyntheticDecision{Series: s.code, Number: number, DecisionMakerName: g.pick(s.makers), DecisionMakerRole: s.role,
		PartTwoSalt: fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64())}
	funder := g.pick(Funders)
	recipient := g.pick(Recipients)
	programme := g.pick(programmes) + " " + g.pick(topics[:]) // a name and the harm it tackles
	topic := programme[strings.IndexByte(programme, ' ')+1:]
	name := strings.Fields(programme)[0]
	kind := g.pick(kinds)
	place := g.pick(places)

	// A quarter of decisions continue an earlier one of their series: a funding chain.
	if g.rng.IntN(4) == 0 {
		for i := len(g.recent) - 1; i >= 0 && i >= len(g.recent)-8; i-- {
			if c := g.recent[i]; c.series == s.code {
				d.Continues, funder, programme = c.ref, c.funder, c.programme
				topic = programme[strings.IndexByte(programme, ' ')+1:]
				name = strings.Fields(programme)[0]
				break
			}
		}
	}
	d.Funder = funder

	// Signed in the eleven financial years from April 2014: a fixed span, so a seed gives the
	// same dates whenever it runs.
	first := time.Date(2014, 4, 1, 10, 0, 0, 0, time.UTC)
	span := time.Date(2025, 3, 31, 10, 0, 0, 0, time.UTC).Sub(first)
	signed := first.Add(time.Duration(g.rng.Int64N(int64(span)))).Truncate(time.Second)
	fy := financialYear(signed)

	action := g.pick(actions)
	if d.Continues != "" {
		action = "Continuation"
	}
	d.Title = fmt.Sprintf("%s %s %s – %s %s", name, titleCase(topic), kind, action, decision.FinancialYear(fy))
	amount := (g.rng.Int64N(2_000_000) + 5_000) * 100 // whole pounds, £5,000 to £2m
	years := 1 + g.rng.IntN(3)
	d.Summary = fmt.Sprintf("This decision approves %s from the %s for the %s %s in %s, to tackle %s over %s.",
		decision.FormatMoney(amount, "GBP"), funder, name, kind, place, topic, plural(years, "financial year"))

	d.Recommendations = []string{fmt.Sprintf("The %s is recommended to approve the acceptance of %s from the %s for the %s %s.",
		s.role, decision.FormatMoney(amount, "GBP"), funder, name, kind)}
	if g.rng.IntN(2) == 0 {
		d.Recommendations = append(d.Recommendations, fmt.Sprintf("Approve the award of grant funding to %s to deliver the service in %s.", recipient, place))
	}
	if g.rng.IntN(4) == 0 {
		d.Recommendations = append(d.Recommendations, "Delegate authority to the Chief Finance Officer to agree the final grant conditions.")
	}

	nsec := 3 + g.rng.IntN(3)
	for i := range nsec {
		h := sectionHeads[i]
		if i == nsec-1 && nsec < len(sectionHeads) {
			h = sectionHeads[len(sectionHeads)-2] // every decision says something about equality
		}
		d.Sections = append(d.Sections, decision.ContentSection{Kind: h.kind, Heading: h.heading,
			Body: g.paragraphs(2+g.rng.IntN(2), name, kind, topic, place, funder)})
	}
	if g.rng.IntN(10) == 0 {
		d.PartTwo = []decision.ContentSection{{Kind: "other", Heading: "Exempt information",
			Body: g.pick(partTwoSentences) + " Confidential Part II detail for " + d.Ref().String() + ": " + g.pick(partTwoSentences)}}
	}

	// Funding over one to three financial years, in equal parts or as a total.
	funderName, recipientName := funder, recipient
	if years == 1 || g.rng.IntN(2) == 0 {
		end := fy + years - 1
		d.Funding = append(d.Funding, decision.ContentFunding{AmountPence: amount, Currency: "GBP", FYStart: &fy, FYEnd: &end,
			Basis: "total", Kind: "grant_accepted", Label: "Grant accepted", Funder: &funderName, Recipient: &recipientName})
	} else {
		each := amount / int64(years)
		for y := range years {
			start := fy + y
			d.Funding = append(d.Funding, decision.ContentFunding{AmountPence: each, Currency: "GBP", FYStart: &start, FYEnd: &start,
				Basis: "total", Kind: "grant_accepted", Label: "Grant for " + decision.FinancialYear(start).String(),
				Funder: &funderName, Recipient: &recipientName})
		}
	}
	if g.rng.IntN(5) == 0 {
		extra := (g.rng.Int64N(200_000) + 1_000) * 100
		start := fy
		d.Funding = append(d.Funding, decision.ContentFunding{AmountPence: extra, Currency: "GBP", FYStart: &start,
			Basis: "total", Kind: "context", Label: "Match funding from core budget", Funder: &funderName})
	}

	// Status: most published; some drafts, deferred and rejected.
	switch r := g.rng.IntN(100); {
	case r < 5:
		d.Status = "draft"
		d.Funding = d.Funding[:1]
		d.Continues = "" // drafts make no links yet
	case r < 8:
		d.Status = "approved"
		at := g.now.Add(time.Duration(1+g.rng.IntN(90)) * 24 * time.Hour)
		reason := "Publication is deferred until the contract has been awarded."
		d.PublishAt, d.DeferralReason, d.SignedAt, d.DateSigned = &at, &reason, &signed, dateOf(signed)
	case r < 10:
		d.Status = "rejected"
		d.SignedAt, d.DateSigned = &signed, dateOf(signed)
	default:
		d.Status = "published"
		d.SignedAt, d.PublishAt = &signed, &signed
		if g.rng.IntN(20) != 0 { // a few have no date recorded
			d.DateSigned = dateOf(signed)
			d.DatePublished = dateOf(signed.Add(time.Duration(g.rng.IntN(15)) * 24 * time.Hour))
		}
		g.recent = append(g.recent, chainEnd{ref: d.Ref().String(), funder: funder, programme: programme, series: s.code})
		if len(g.recent) > 64 {
			g.recent = g.recent[32:]
		}
	}
	return d
}

func (g *Generator) paragraphs(n int, name, kind, topic, place, funder string) string {
	fill := strings.NewReplacer("{name}", name, "{kind}", kind, "{topic}", topic, "{place}", place, "{funder}", funder)
	paras := make([]string, n)
	for i := range paras {
		var b strings.Builder
		for j := range 2 + g.rng.IntN(2) {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(fill.Replace(g.pick(sentences)))
		}
		paras[i] = b.String()
	}
	return strings.Join(paras, "\n\n")
}

// financialYear is the UK financial year (April to March) a time falls in, by its first year.
func financialYear(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// titleCase capitalises each word but the small ones: "Violence Against Women and Girls".
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if i == 0 || (w != "and" && w != "of" && w != "against") {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func dateOf(t time.Time) *time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func plural(n int, noun string) string {
	if n == 1 {
		return "one " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
