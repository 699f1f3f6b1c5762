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

// canonicalV1Body is version 1 of sampleContent after its format key.
const canonicalV1Body = `"reference":"PCD 1683","title":"Alpha & <Omega>",` +
	`"summary":"Accept a grant.","funder":"Home Office","recommendations":["Accept the grant.","Sign the agreement."],` +
	`"part_one":[{"kind":"financial_comments","heading":"Financial Comments","body":"£2,755,000 in \"2024-25\"."}],` +
	`"part_two_sha256":null,"funding":[{"amount_pence":275500000,"currency":"GBP","fy_start":2024,"fy_end":2024,` +
	`"basis":"total","kind":"grant_accepted","label":"grant","period_text":"2024/25","funder":"Home Office","recipient":null}],` +
	`"links":[{"kind":"continues","reference":"PCD 1682"},{"kind":"related","reference":"PCD 1532"}]`

// TestCanonicalBytes pins the documented forms: any change to one is a new canonical version.
// Version 1 is what decisions signed before documents were hashed; it must never change.
func TestCanonicalBytes(t *testing.T) {
	c := sampleContent()
	c.Documents = []ContentDocument{{Name: "Business case", MediaType: "application/pdf", Size: 1234,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
	v1 := `{"format":"decision-register/canonical/v1",` + canonicalV1Body + "}\n"
	if got, ok := CanonicalAs(1, c); !ok || string(got) != v1 {
		t.Errorf("CanonicalAs(1) =\n%s\nwant\n%s", got, v1)
	}
	if got, ok := ContentHashAs(1, c); !ok || got != hashHex([]byte(v1)) {
		t.Errorf("ContentHashAs(1) = %s, want the hash of version 1", got)
	}
	v2 := `{"format":"decision-register/canonical/v2",` + canonicalV1Body +
		`,"documents":[{"name":"Business case","media_type":"application/pdf","size":1234,` +
		`"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}` + "\n"
	if got, ok := CanonicalAs(2, c); !ok || string(got) != v2 {
		t.Errorf("CanonicalAs(2) =\n%s\nwant\n%s", got, v2)
	}
	// Version 3 is version 2 with each section's blocks after its body.
	v3 := strings.Replace(strings.Replace(v2, "/v2", "/v3", 1), `\"2024-25\"."}]`,
		`\"2024-25\".","blocks":[{"type":"paragraph","number":"","text":"£2,755,000 in \"2024-25\".","items":[],"rows":[]}]}]`, 1)
	if got, ok := CanonicalAs(3, c); !ok || string(got) != v3 {
		t.Errorf("CanonicalAs(3) =\n%s\nwant\n%s", got, v3)
	}
	// Version 4 is version 3 and the approvals; with none, an empty array, never null.
	v4 := strings.Replace(strings.TrimSuffix(v3, "}\n"), "/v3", "/v4", 1) + `,"approvals":[]}` + "\n"
	if got, ok := CanonicalAs(4, c); !ok || string(got) != v4 {
		t.Errorf("CanonicalAs(4) =\n%s\nwant\n%s", got, v4)
	}
	// Version 5 is version 4 and the Part II sections released since signing, by section;
	// with none, an empty array. Earlier versions leave them out, so a release changes no
	// hash taken under them.
	v5 := strings.Replace(strings.TrimSuffix(v4, "}\n"), "/v4", "/v5", 1) + `,"released":[]}` + "\n"
	if got := string(Canonical(c)); got != v5 {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, v5)
	}
	if got := ContentHash(c); got != hashHex([]byte(v5)) {
		t.Errorf("ContentHash = %s, want the hash of version 5", got)
	}
	c.Released = []ContentRelease{
		{Section: 2, Kind: "other", Heading: "Terms", Body: "B\r\n", Ground: "foi-s43", ReleasedOn: "2027-01-02", ReleasedBy: "Sophie Signer"},
		{Section: 1, Kind: "other", Heading: "Prices", Body: "A", Ground: "foi-s43", ReleasedOn: "2026-12-07", ReleasedBy: "Alex Admin"},
	}
	released := strings.TrimSuffix(v5, `[]}`+"\n") + `[{"section":1,"kind":"other","heading":"Prices","body":"A","ground":"foi-s43",` +
		`"released_on":"2026-12-07","released_by":"Alex Admin"},{"section":2,"kind":"other","heading":"Terms","body":"B\n",` +
		`"ground":"foi-s43","released_on":"2027-01-02","released_by":"Sophie Signer"}]}` + "\n"
	if got := string(Canonical(c)); got != released {
		t.Errorf("Canonical with releases =\n%s\nwant\n%s", got, released)
	}
	if got, _ := CanonicalAs(4, c); string(got) != v4 {
		t.Errorf("CanonicalAs(4) with releases = \n%s\nwant it unchanged", got)
	}
	for _, v := range []int{0, 6} {
		if _, ok := CanonicalAs(v, c); ok {
			t.Errorf("CanonicalAs(%d) computed a version that does not exist", v)
		}
	}
}

// TestCanonicalV3RecordsStructure: version 3 holds the blocks a section reads as, so changing
// only how the text is set out (a list made paragraphs) changes the hash, which it does not
// under version 2 when the words stay.
func TestCanonicalV3RecordsStructure(t *testing.T) {
	c := sampleContent()
	c.Sections[0].Body = "4.1. The breakdown is:\nPay\t£2,310,000\nTotal\t£2,755,000\n\n•\tone\n•\ttwo"
	b, _ := CanonicalAs(3, c)
	for _, want := range []string{`{"type":"numbered","number":"4.1.","text":"The breakdown is:","items":[],"rows":[]}`,
		`{"type":"table","number":"","text":"","items":[],"rows":[["Pay","£2,310,000"],["Total","£2,755,000"]]}`,
		`{"type":"list","number":"","text":"","items":["one","two"],"rows":[]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("CanonicalAs(3) =\n%s\nlacks %s", b, want)
		}
	}
	got, err := ReadSigned(b)
	if err != nil || got.Version != 3 || got.Sections[0] != c.Sections[0] {
		t.Fatalf("ReadSigned(v3) = %+v, %v", got, err)
	}
	// Blocks that do not say what the body reads as are refused.
	forged := strings.Replace(string(b), `"items":["one","two"]`, `"items":["one","three"]`, 1)
	if _, err := ReadSigned([]byte(forged)); err == nil {
		t.Error("ReadSigned accepted blocks that are not its body's")
	}
	for _, v := range []int{1, 2} {
		old, _ := CanonicalAs(v, c)
		if got, err := ReadSigned(old); err != nil || got.Version != v {
			t.Errorf("ReadSigned(v%d) = %d, %v", v, got.Version, err)
		}
	}
}

// TestCanonicalV1Pinned: a version 1 hash, as the code before version 2 computed it, is fixed
// for good: decisions signed then are checked against it.
func TestCanonicalV1Pinned(t *testing.T) {
	const want = "0e466c54274f2ef33c4f685780054536c0bb17512984734da175535d78ea9ea0"
	if got, _ := ContentHashAs(1, sampleContent()); got != want {
		t.Errorf("ContentHashAs(1) = %s, want %s", got, want)
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
		"document": func(c *Content) {
			c.Documents = []ContentDocument{{Name: "Paper", MediaType: "text/csv", Size: 3, SHA256: strings.Repeat("a", 64)}}
		},
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

// TestCleanTextOnInput: text typed into a form is stored with no control character but the
// newline, and with the Unicode line and paragraph separators as the register's own breaks.
func TestCleanTextOnInput(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"  Line one\r\nline two\rline three  ", "Line one\nline two\nline three"},
		{"Line one\u2028line two", "Line one\nline two"},
		{"Paragraph one\u2029Paragraph two", "Paragraph one\n\nParagraph two"},
		{"Amount\t£100", "Amount £100"},
		{"Bell\a, backspace\b, form feed\f, escape\x1b, unit separator\x1f, vertical tab\v: gone", "Bell, backspace, form feed, escape, unit separator, vertical tab: gone"},
		{"Cafe\u0301 \x00\x01é", "Café é"},
		{"Kept: \u007f\u0085\u00a0\u200b\"\\/<&>😀", "Kept: \u007f\u0085\u00a0\u200b\"\\/<&>😀"},
	} {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
