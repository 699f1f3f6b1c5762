package decision

import (
	"errors"
	"regexp"
	"strings"
)

// Ground is a lawful ground for withholding information from the public: a section of the
// Freedom of Information Act 2000 (Part II exemptions), or a paragraph of Schedule 12A to the
// Local Government Act 1972 (exempt information, for councils).
type Ground struct {
	Code  string // "foi-s43", "sch12a-3": what is stored
	Cite  string // "FOI Act s.43", "Schedule 12A para 3"
	Label string // what it protects, in words
}

// Grounds are the grounds a Part II or a deferral may record, FOI sections first.
var Grounds = []Ground{
	{"foi-s21", "FOI Act s.21", "information accessible by other means"},
	{"foi-s22", "FOI Act s.22", "information intended for future publication"},
	{"foi-s23", "FOI Act s.23", "information supplied by, or relating to, bodies dealing with security matters"},
	{"foi-s24", "FOI Act s.24", "national security"},
	{"foi-s26", "FOI Act s.26", "defence"},
	{"foi-s27", "FOI Act s.27", "international relations"},
	{"foi-s28", "FOI Act s.28", "relations within the United Kingdom"},
	{"foi-s29", "FOI Act s.29", "the economy"},
	{"foi-s30", "FOI Act s.30", "investigations and proceedings"},
	{"foi-s31", "FOI Act s.31", "law enforcement"},
	{"foi-s33", "FOI Act s.33", "audit functions"},
	{"foi-s35", "FOI Act s.35", "formulation of government policy"},
	{"foi-s36", "FOI Act s.36", "prejudice to effective conduct of public affairs"},
	{"foi-s38", "FOI Act s.38", "health and safety"},
	{"foi-s40", "FOI Act s.40", "personal information"},
	{"foi-s41", "FOI Act s.41", "information provided in confidence"},
	{"foi-s42", "FOI Act s.42", "legal professional privilege"},
	{"foi-s43", "FOI Act s.43", "commercial interests"},
	{"foi-s44", "FOI Act s.44", "prohibitions on disclosure"},
	{"sch12a-1", "Schedule 12A para 1", "information relating to any individual"},
	{"sch12a-2", "Schedule 12A para 2", "information likely to reveal the identity of an individual"},
	{"sch12a-3", "Schedule 12A para 3", "the financial or business affairs of any particular person (including the authority)"},
	{"sch12a-4", "Schedule 12A para 4", "consultations or negotiations on labour relations"},
	{"sch12a-5", "Schedule 12A para 5", "legal professional privilege"},
	{"sch12a-6", "Schedule 12A para 6", "a notice, order or direction the authority proposes to give or make"},
	{"sch12a-7", "Schedule 12A para 7", "the prevention, investigation or prosecution of crime"},
}

// GroundByCode is the ground stored as code.
func GroundByCode(code string) (Ground, bool) {
	for _, g := range Grounds {
		if g.Code == code {
			return g, true
		}
	}
	return Ground{}, false
}

// String is the ground as the public reads it: "FOI Act s.43 (commercial interests)".
func (g Ground) String() string { return g.Cite + " (" + g.Label + ")" }

// ErrNotGround is text that names no ground the register knows.
var ErrNotGround = errors.New("not a ground for withholding")

var (
	schedulePara = regexp.MustCompile(`^(?:(?:lga|local government act)?(?:1972)?(?:sch(?:edule)?\.?12a)?(?:,|:)?)(?:para(?:graph)?\.?)([1-7])$`)
	scheduleOnly = regexp.MustCompile(`^sch(?:edule)?\.?12a(?:,|:)?(?:para(?:graph)?\.?)?([1-7])$`)
	foiSection   = regexp.MustCompile(`^(?:foi(?:a|act)?(?:2000)?(?:,|:)?)?(?:s|sec|section)?\.?([0-9]{2})$`)
)

// ParseGround reads a ground as people write it: "s.43", "s43", "section 43", "FOI Act s.43",
// "43"; "para 3", "paragraph 3", "Schedule 12A para 3", "Sch 12A 3".
func ParseGround(s string) (Ground, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	t = strings.TrimSuffix(t, ".")
	if g, ok := GroundByCode(t); ok {
		return g, nil
	}
	if m := scheduleOnly.FindStringSubmatch(t); m != nil {
		return byCode("sch12a-" + m[1])
	}
	if m := schedulePara.FindStringSubmatch(t); m != nil {
		return byCode("sch12a-" + m[1])
	}
	if m := foiSection.FindStringSubmatch(t); m != nil {
		return byCode("foi-s" + m[1])
	}
	return Ground{}, ErrNotGround
}

func byCode(code string) (Ground, error) {
	if g, ok := GroundByCode(code); ok {
		return g, nil
	}
	return Ground{}, ErrNotGround
}
