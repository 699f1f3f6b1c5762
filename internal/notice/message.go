package notice

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // dates in messages are London's, whatever the host's zone files

	"github.com/wneessen/go-mail"

	"github.com/decision-register/decisions/internal/store"
)

// Letter is what one message says, before it is an e-mail: one notice, or a digest of several.
type Letter struct {
	To, Name    string
	Subject     string
	MessageID   string // without the angle brackets
	Groups      []Group
	Digest      bool
	Unsubscribe string // the one-click unsubscribe address, for messages that only tell
	Preferences string // the page where the person changes how notices reach them
	// Alert says the message is for an alert subscription, not a member of staff: it has no
	// name to greet, nothing to sign in for, and says why it came (see alert.go).
	Alert bool
}

// Group is what a message says of one decision: its notices, newest first.
type Group struct {
	Reference, Title string
	Items            []Item
}

// Item is one notice in a message.
type Item struct {
	Body, Comment string
	Due           string // "Thursday 12 March 2026", or ""
	Link          string // the page where it is done or seen
	At            string
	Action        bool
}

// MessageID is a notice's stable Message-ID, without the angle brackets: a retry after a
// crash sends the same one, so a mail client shows the message once.
func MessageID(noticeID int64, host string) string {
	return "notice-" + strconv.FormatInt(noticeID, 10) + "@" + host
}

// NewLetter is what delivery d says: its notices grouped by decision, the decision with the
// newest notice first, each group newest first, and a notice that says what another already
// said left out. A digest is named for its newest notice.
func NewLetter(d store.Delivery, baseURL, host, unsubscribe string) Letter {
	l := Letter{To: d.Email, Name: d.Name, Digest: d.Digest || len(d.Notices) > 1,
		Preferences: baseURL + "/account/notices"}
	ns := slices.Clone(d.Notices)
	slices.SortStableFunc(ns, func(a, b store.OutNotice) int { return b.CreatedAt.Compare(a.CreatedAt) })
	first := ns[0]
	minID := first.ID
	action := false
	seen := map[string]bool{}
	for _, n := range ns {
		minID = min(minID, n.ID)
		action = action || n.Kind == store.NoticeAction
		key := n.Reference + "\x00" + n.Body + "\x00" + deref(n.Comment)
		if seen[key] {
			continue
		}
		seen[key] = true
		it := Item{Body: n.Body, Comment: deref(n.Comment), Link: baseURL + n.LinkPath,
			At: n.CreatedAt.In(london()).Format("2 January 2006 at 15:04"), Action: n.Kind == store.NoticeAction}
		if n.DueAt != nil {
			it.Due = n.DueAt.In(london()).Format("Monday 2 January 2006")
		}
		i := slices.IndexFunc(l.Groups, func(g Group) bool { return g.Reference == n.Reference })
		if i < 0 {
			l.Groups = append(l.Groups, Group{Reference: n.Reference, Title: n.Title})
			i = len(l.Groups) - 1
		}
		l.Groups[i].Items = append(l.Groups[i].Items, it)
	}
	// A digest is named for its first notice, so a retry of the same digest keeps its name.
	l.MessageID = MessageID(minID, host)
	l.Subject = first.Subject
	if l.Digest {
		l.Subject = fmt.Sprintf("Your daily summary: %d %s", len(l.Groups), plural(len(l.Groups), "decision", "decisions"))
	}
	if !action {
		l.Unsubscribe = unsubscribe
	}
	return l
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func london() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}

// Text is the message's plain-text part.
func (l Letter) Text() string {
	if l.Alert {
		return l.alertText()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", l.Name)
	if l.Digest {
		b.WriteString("Here is what happened to the decisions you are part of.\n\n")
	}
	for _, g := range l.Groups {
		fmt.Fprintf(&b, "%s: %s\n\n", g.Reference, g.Title)
		for _, it := range g.Items {
			if l.Digest {
				fmt.Fprintf(&b, "%s: ", it.At)
			}
			b.WriteString(it.Body + "\n")
			if it.Comment != "" {
				fmt.Fprintf(&b, "\n  %q\n", it.Comment)
			}
			if it.Due != "" {
				fmt.Fprintf(&b, "\nBy: %s\n", it.Due)
			}
			fmt.Fprintf(&b, "\nGo to %s\n\n", it.Link)
		}
	}
	b.WriteString("You will be asked to sign in. Nothing is approved or signed until you do it on that page.\n\n")
	b.WriteString("-- \nDecision Register\n")
	fmt.Fprintf(&b, "Choose how these notices reach you: %s\n", l.Preferences)
	if l.Unsubscribe != "" {
		fmt.Fprintf(&b, "Stop notices that only tell you what happened: %s\n", l.Unsubscribe)
	}
	return b.String()
}

var htmlLetter = template.Must(template.New("letter").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 19px; line-height: 1.3; color: #0b0c0c;">
<p>Dear {{.Name}},</p>
{{if .Digest}}<p>Here is what happened to the decisions you are part of.</p>{{end}}
{{range .Groups}}<h2 style="font-size: 24px;">{{.Reference}}: {{.Title}}</h2>
{{range .Items}}<p>{{if $.Digest}}<strong>{{.At}}</strong>: {{end}}{{.Body}}</p>
{{if .Comment}}<blockquote style="border-left: 5px solid #b1b4b6; margin: 0 0 15px; padding-left: 15px;">{{.Comment}}</blockquote>{{end}}
{{if .Due}}<p>By: <strong>{{.Due}}</strong></p>{{end}}
<p><a href="{{.Link}}" style="color: #1d70b8;">{{if .Action}}Open it in the register{{else}}See it in the register{{end}}</a></p>
{{end}}{{end}}
<p>You will be asked to sign in. Nothing is approved or signed until you do it on that page.</p>
<hr>
<p style="font-size: 16px;">Decision Register. <a href="{{.Preferences}}" style="color: #1d70b8;">Choose how these notices reach you</a>.{{if .Unsubscribe}}
<a href="{{.Unsubscribe}}" style="color: #1d70b8;">Stop notices that only tell you what happened</a>.{{end}}</p>
</body>
</html>
`))

// HTML is the message's HTML part.
func (l Letter) HTML() string {
	var b bytes.Buffer
	t := htmlLetter
	if l.Alert {
		t = htmlAlert
	}
	if err := t.Execute(&b, l); err != nil {
		return "" // the template is fixed and its values are strings: it cannot fail
	}
	return b.String()
}

// Msg makes the e-mail: plain text and HTML alternatives, the stable Message-ID, and for a
// message that only tells, List-Unsubscribe with its one-click POST (RFC 8058).
func (l Letter) Msg(from string, at time.Time) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("MAIL_FROM %q: %w", from, err)
	}
	if err := m.AddToFormat(l.Name, l.To); err != nil {
		return nil, fmt.Errorf("address %q: %w", l.To, err)
	}
	m.Subject(l.Subject)
	m.SetMessageIDWithValue(l.MessageID)
	m.SetDateWithValue(at)
	m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	if l.Unsubscribe != "" {
		m.SetGenHeader("List-Unsubscribe", "<"+l.Unsubscribe+">")
		m.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	m.SetBodyString(mail.TypeTextPlain, l.Text())
	m.AddAlternativeString(mail.TypeTextHTML, l.HTML())
	return m, nil
}
