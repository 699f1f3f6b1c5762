package notice

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/decision-register/decisions/internal/store"
)

// NewAlertLetter is what a delivery to an alert subscription says: the confirmation it asks
// for (confirm is its link, made as it is sent), word that the address already has the
// alerts, or the alerts themselves, one or a digest. Only alerts carry List-Unsubscribe: the
// other two answer a request and ask nothing more.
func NewAlertLetter(d store.Delivery, baseURL, host, unsubscribe, confirm string) Letter {
	l := Letter{To: d.Email, Alert: true, Digest: d.Digest || len(d.Notices) > 1}
	ns := slices.Clone(d.Notices)
	slices.SortStableFunc(ns, func(a, b store.OutNotice) int { return b.CreatedAt.Compare(a.CreatedAt) })
	minID := ns[0].ID
	alerts := 0
	for _, n := range ns {
		minID = min(minID, n.ID)
		it := Item{Body: n.Body, Link: baseURL + n.LinkPath, At: n.CreatedAt.In(london()).Format("2 January 2006 at 15:04")}
		switch n.Event {
		case store.EventAlertConfirm:
			it.Link, it.Action = confirm, true
		case store.EventAlertKnown:
		default:
			alerts++
		}
		i := slices.IndexFunc(l.Groups, func(g Group) bool { return g.Reference == n.Reference })
		if i < 0 {
			l.Groups = append(l.Groups, Group{Reference: n.Reference, Title: n.Title})
			i = len(l.Groups) - 1
		}
		l.Groups[i].Items = append(l.Groups[i].Items, it)
	}
	l.MessageID = "alert-" + MessageID(minID, host)
	l.Subject = ns[0].Subject
	if l.Digest {
		l.Subject = fmt.Sprintf("Your alerts: %d %s", len(l.Groups), plural(len(l.Groups), "decision", "decisions"))
		if l.forwardPlan() {
			l.Subject = fmt.Sprintf("Your forward plan alerts: %d %s", len(ns), plural(len(ns), "change", "changes"))
		}
	}
	if alerts > 0 {
		l.Unsubscribe = unsubscribe
	}
	return l
}

// forwardPlan reports whether the letter is a forward-plan subscription's: it has one group,
// the plan's.
func (l Letter) forwardPlan() bool {
	return len(l.Groups) == 1 && l.Groups[0].Reference == store.PlanAlertReference
}

// DigestIntro opens a summary.
func (l Letter) DigestIntro() string {
	if l.forwardPlan() {
		return "Here is what changed on the forward plan."
	}
	return "Here is what happened to the decisions your alert follows."
}

func (l Letter) alertText() string {
	var b strings.Builder
	if l.Digest {
		b.WriteString(l.DigestIntro() + "\n\n")
	}
	for _, g := range l.Groups {
		if g.Reference != "" {
			fmt.Fprintf(&b, "%s: %s\n\n", g.Reference, g.Title)
		}
		for _, it := range g.Items {
			if l.Digest {
				fmt.Fprintf(&b, "%s: ", it.At)
			}
			b.WriteString(it.Body + "\n")
			if it.Action {
				fmt.Fprintf(&b, "\nConfirm your alerts: %s\n\n", it.Link)
			} else {
				fmt.Fprintf(&b, "\nSee it in the register: %s\n\n", it.Link)
			}
		}
	}
	b.WriteString("-- \nDecision Register\n")
	if l.Unsubscribe != "" {
		fmt.Fprintf(&b, "You get these alerts because this address asked for them and confirmed it. Stop these alerts: %s\n", l.Unsubscribe)
	}
	return b.String()
}

var htmlAlert = template.Must(template.New("alert").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 19px; line-height: 1.3; color: #0b0c0c;">
{{if .Digest}}<p>{{.DigestIntro}}</p>{{end}}
{{range .Groups}}{{if .Reference}}<h2 style="font-size: 24px;">{{.Reference}}: {{.Title}}</h2>{{end}}
{{range .Items}}<p>{{if $.Digest}}<strong>{{.At}}</strong>: {{end}}{{.Body}}</p>
<p><a href="{{.Link}}" style="color: #1d70b8;">{{if .Action}}Confirm your alerts{{else}}See it in the register{{end}}</a></p>
{{end}}{{end}}
<hr>
<p style="font-size: 16px;">Decision Register.{{if .Unsubscribe}} You get these alerts because this address asked for them and confirmed it.
<a href="{{.Unsubscribe}}" style="color: #1d70b8;">Stop these alerts</a>.{{end}}</p>
</body>
</html>
`))
