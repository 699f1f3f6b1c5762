package decision

import (
	"strings"
	"testing"
)

func sampleContent() Content {
	fy := 2024
	period := "2024/25"
	funder := "Home Office"
	return Content{
		Reference:       "PCD 1683",
		Title:           "Alpha & <Omega>",
		Summary:         "Accept a grant.",
		Funder:          "Home Office",
		Recommendations: []string{"Accept the grant.", "Sign the agreement."},
		Sections:        []ContentSection{{Kind: "financial_comments", Heading: "Financial Comments", Body: "£2,755,000 in \"2024-25\"."}},
		Funding: []ContentFunding{{AmountPence: 275500000, Currency: "GBP", FYStart: &fy, FYEnd: &fy, Basis: "total",
			Kind: "grant_accepted", Label: "grant", PeriodText: &period, Funder: &funder}},
		Links: []ContentLink{{Kind: "related", Reference: "PCD 1532"}, {Kind: "continues", Reference: "PCD 1682"}},
	}
}

// TestCanonicalBytes pins the documented form: any change to it is a new canonical version.
func TestCanonicalBytes(t *testing.T) {
	want := `{"format":"decision-register/canonical/v1","reference":"PCD 1683","title":"Alpha & <Omega>",` +
		`"summary":"Accept a grant.","funder":"Home Office","recommendations":["Accept the grant.","Sign the agreement."],` +
		`"part_one":[{"kind":"financial_comments","heading":"Financial Comments","body":"£2,755,000 in \"2024-25\"."}],` +
		`"part_two_sha256":null,"funding":[{"amount_pence":275500000,"currency":"GBP","fy_start":2024,"fy_end":2024,` +
		`"basis":"total","kind":"grant_accepted","label":"grant","period_text":"2024/25","funder":"Home Office","recipient":null}],` +
		`"links":[{"kind":"continues","reference":"PCD 1682"},{"kind":"related","reference":"PCD 1532"}]}` + "\n"
	if got := string(Canonical(sampleContent())); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
}

func TestCanonicalNormalises(t *testing.T) {
	a, b := sampleContent(), sampleContent()
	a.Summary = "Caf\u00e9 line one\nline two"    // é composed, LF
	b.Summary = "Cafe\u0301 line one\r\nline two" // e + combining acute, CRLF
	b.Links = []ContentLink{b.Links[1], b.Links[0]}
	if ContentHash(a) != ContentHash(b) {
		t.Error("NFC, line endings or link order changed the hash")
	}
}

func TestCanonicalHashCoversEveryPart(t *testing.T) {
	base := ContentHash(sampleContent())
	changes := map[string]func(*Content){
		"title":          func(c *Content) { c.Title += "!" },
		"summary":        func(c *Content) { c.Summary += "!" },
		"funder":         func(c *Content) { c.Funder = "MOPAC" },
		"recommendation": func(c *Content) { c.Recommendations[1] += "!" },
		"order": func(c *Content) {
			c.Recommendations[0], c.Recommendations[1] = c.Recommendations[1], c.Recommendations[0]
		},
		"section":  func(c *Content) { c.Sections[0].Body += "!" },
		"amount":   func(c *Content) { c.Funding[0].AmountPence++ },
		"basis":    func(c *Content) { c.Funding[0].Basis = "per_year" },
		"link":     func(c *Content) { c.Links[0].Kind = "varies" },
		"part two": func(c *Content) { c.PartTwo = []ContentSection{{Kind: "other", Heading: "II", Body: "Secret"}} },
	}
	for name, change := range changes {
		c := sampleContent()
		change(&c)
		if ContentHash(c) == base {
			t.Errorf("changing the %s left the hash as it was", name)
		}
	}
}

// TestPartTwoEntersOnlyAsASaltedHash: the public bytes never hold Part II's text, and without the
// salt a guess at Part II cannot be confirmed.
func TestPartTwoEntersOnlyAsASaltedHash(t *testing.T) {
	c := sampleContent()
	c.PartTwo = []ContentSection{{Kind: "other", Heading: "Confidential", Body: "Informant budget 7731"}}
	c.PartTwoSalt = "00112233445566778899aabbccddeeff"
	pub := string(Canonical(c))
	if strings.Contains(pub, "Informant") || !strings.Contains(pub, `"part_two_sha256":"`) {
		t.Errorf("the canonical bytes show Part II or lack its hash: %s", pub)
	}
	d := c
	d.PartTwoSalt = "ffeeddccbbaa99887766554433221100"
	if ContentHash(c) == ContentHash(d) {
		t.Error("the salt does not enter Part II's hash")
	}
}
