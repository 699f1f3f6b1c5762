package decision

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CanonicalVersion names the serialisation below that new hashes are taken under. A change to
// it is a new version; hashes made under an older version stay checkable with that version's
// rules (CanonicalAs), and each signature records the version it used.
//
//   - Version 1: the decision's text, money and links.
//   - Version 2: version 1 and, after the links, the supporting documents (name, media type,
//     size and SHA-256 of each, in the order they were attached).
//   - Version 3: version 2 with each Part I section's structure after its body: the blocks
//     ParseText reads it into (paragraphs, numbered paragraphs, lists, tables), so what is
//     signed says how the text is set out.
//   - Version 4: version 3 and, after the documents, the advisers' approvals the decision rests
//     on: who approved each step, for whom when under cover (and the cover's days and who set
//     it), and what they declared.
//   - Version 5: version 4 and, after the approvals, the Part II sections released since the
//     decision was signed: each section's text, the ground it was withheld on, the day it was
//     released and by whom. A release is a signed version of its own (the earlier versions'
//     hashes still verify), and Part II's hash stays that of the whole Part II as signed.
//
// A version is version-1-and-more: CanonicalAs adds what each version brings with a check of
// the form "version >= N", so the next one is a format key below and one more such check.
const CanonicalVersion = 5

// canonicalFormats is the format key of each version, by number: the bytes say which rules
// made them.
var canonicalFormats = []string{1: formatV1, 2: formatV2, 3: formatV3, 4: formatV4, 5: formatV5}

// KnownCanonical reports whether this program computes a canonical version.
func KnownCanonical(version int) bool { return version >= 1 && version < len(canonicalFormats) }

// KnownCanonicalVersions lists the versions this program computes, oldest first.
func KnownCanonicalVersions() []int {
	vs := make([]int, 0, len(canonicalFormats))
	for v := 1; v < len(canonicalFormats); v++ {
		vs = append(vs, v)
	}
	return vs
}

// Content is what a signature covers: the decision's own words, money and links, not the
// register's notes about it (provenance, field statuses), which can be reworded without
// touching a signature.
type Content struct {
	Reference       string
	Title           string
	Summary         string
	Funder          string
	Recommendations []string
	Sections        []ContentSection // Part I, in order
	PartTwo         []ContentSection // Part II, in order; enters the hash as its own SHA-256
	PartTwoSalt     string           // random, kept with the decision, never published
	// PartTwoHash stands in for PartTwo and PartTwoSalt once they are withheld (WithPartTwoHashed):
	// the SHA-256 that enters the canonical form in their place.
	PartTwoHash string
	Funding     []ContentFunding  // in order
	Links       []ContentLink     // the links this decision makes, sorted by kind then reference
	Documents   []ContentDocument // the supporting documents, in the order attached (from version 2)
	Approvals   []ContentApproval // the live approvals, in the order given (from version 4)
	Released    []ContentRelease  // Part II sections released since signing, by section (from version 5)
}

// ContentRelease is one Part II section released after the decision was signed (version 5):
// its text, now public, what it was withheld under until then, and when and by whom it was
// released.
type ContentRelease struct {
	Section    int    `json:"section" db:"section"`         // its place in Part II, counting from 1
	Kind       string `json:"kind" db:"kind"`               // as stored
	Heading    string `json:"heading" db:"heading"`         // text
	Body       string `json:"body" db:"body"`               // text
	Ground     string `json:"ground" db:"ground"`           // the ground's code, as stored: foi-s43, sch12a-3
	ReleasedOn string `json:"released_on" db:"released_on"` // the London day, YYYY-MM-DD
	ReleasedBy string `json:"released_by" db:"released_by"` // text: who released it
}

// ContentApproval is one adviser's approval of a step, as the signature covers it (version 4):
// who approved, for whom under cover, and what they declared. Unknown is nil: approvals given
// before the register kept declarations declared nothing it recorded.
type ContentApproval struct {
	Step           string        `json:"step"`            // the step kind's code, as stored
	Approver       string        `json:"approver"`        // text: the approver's name as kept
	OnBehalfOf     *string       `json:"on_behalf_of"`    // text: whom they covered, or null
	Cover          *ContentCover `json:"cover"`           // the cover they acted under, or null
	Interests      *string       `json:"interests"`       // "none" or "declared", or null when not recorded
	InterestNature *string       `json:"interest_nature"` // text: the interest declared, or null
	DispensationBy *string       `json:"dispensation_by"` // text: who granted the dispensation, or null
}

// ContentCover is the cover an approval was given under, as it was then.
type ContentCover struct {
	From  string `json:"from"`   // its first London day, YYYY-MM-DD
	To    string `json:"to"`     // its last London day, YYYY-MM-DD
	SetBy string `json:"set_by"` // text: who set it
}

// ContentDocument is one supporting document: the bytes enter the hash as their own SHA-256,
// so the decision's hash covers every byte of every paper without holding them. The signed
// decision document is not one: it is made from the signed content, hash included.
type ContentDocument struct {
	Name      string `json:"name" db:"name"`
	MediaType string `json:"media_type" db:"media_type"`
	Size      int64  `json:"size" db:"size_bytes"`
	SHA256    string `json:"sha256" db:"sha256"`
}

// ContentSection is one section of Part I or Part II.
type ContentSection struct {
	Kind    string `json:"kind" db:"kind"`
	Heading string `json:"heading" db:"heading"`
	Body    string `json:"body" db:"body"`
}

// ContentFunding is one funding line. Amounts are integers in pence.
type ContentFunding struct {
	AmountPence int64   `json:"amount_pence" db:"amount_pence"`
	Currency    string  `json:"currency" db:"currency"`
	FYStart     *int    `json:"fy_start" db:"fy_start"`
	FYEnd       *int    `json:"fy_end" db:"fy_end"`
	Basis       string  `json:"basis" db:"basis"`
	Kind        string  `json:"kind" db:"kind"`
	Label       string  `json:"label" db:"label"`
	PeriodText  *string `json:"period_text" db:"period_text"`
	Funder      *string `json:"funder" db:"funder"`
	Recipient   *string `json:"recipient" db:"recipient"`
}

// ContentLink is a link this decision makes to another, by the other's reference.
type ContentLink struct {
	Kind      string `json:"kind" db:"kind"`
	Reference string `json:"reference" db:"reference"`
}

// The format key of each version: the bytes say which rules made them.
const (
	formatV1 = "decision-register/canonical/v1"
	formatV2 = "decision-register/canonical/v2"
	formatV3 = "decision-register/canonical/v3"
	formatV4 = "decision-register/canonical/v4"
	formatV5 = "decision-register/canonical/v5"
)

// canonicalDoc is version 1's keys, for reading canonical bytes back (ParseCanonical); Go
// writes and reads struct fields in declaration order.
type canonicalDoc struct {
	Format          string           `json:"format"`
	Reference       string           `json:"reference"`
	Title           string           `json:"title"`
	Summary         string           `json:"summary"`
	Funder          string           `json:"funder"`
	Recommendations []string         `json:"recommendations"`
	Sections        []ContentSection `json:"part_one"`
	PartTwoSHA256   *string          `json:"part_two_sha256"`
	Funding         []ContentFunding `json:"funding"`
	Links           []ContentLink    `json:"links"`
}

// readDoc holds the keys of every version, for reading canonical bytes back strictly.
type readDoc struct {
	Format          string            `json:"format"`
	Reference       string            `json:"reference"`
	Title           string            `json:"title"`
	Summary         string            `json:"summary"`
	Funder          string            `json:"funder"`
	Recommendations []string          `json:"recommendations"`
	Sections        []sectionV3       `json:"part_one"`
	PartTwoSHA256   *string           `json:"part_two_sha256"`
	Funding         []ContentFunding  `json:"funding"`
	Links           []ContentLink     `json:"links"`
	Documents       []ContentDocument `json:"documents"`
	Approvals       []ContentApproval `json:"approvals"`
	Released        []ContentRelease  `json:"released"`
}

// sectionV3 is a section from version 3: its kind, heading and body, then the blocks its body
// reads as.
type sectionV3 struct {
	Kind    string  `json:"kind"`
	Heading string  `json:"heading"`
	Body    string  `json:"body"`
	Blocks  []Block `json:"blocks"`
}

// field is one key of the canonical object and its value.
type field struct {
	key   string
	value any
}

// Canonical serialises content in the form of the current version that docs/canonical.md
// specifies byte for byte, for verifiers outside the register (its test vectors hold this code
// and an independent implementation to it): UTF-8 JSON with keys in a fixed order, no insignificant whitespace, no
// HTML escaping, every string in Unicode NFC with line endings as "\n", quotes exactly as
// stored, lists in their stored order (links by kind, then reference; documents in the order
// attached), amounts and sizes as integers, unknown values as null, Part II replaced by the
// SHA-256 of its own canonical bytes, and each document by its name, media type, size and the
// SHA-256 of its bytes. A final newline ends it.
func Canonical(c Content) []byte {
	b, _ := CanonicalAs(CanonicalVersion, c)
	return b
}

// CanonicalAs serialises content under a version of the form; false for a version this program
// does not know. Version 1 leaves the documents out: a decision signed under it had none (the
// database refuses documents on a signed decision).
func CanonicalAs(version int, c Content) ([]byte, bool) {
	if !KnownCanonical(version) {
		return nil, false
	}
	var partOne any = cleanSections(c.Sections)
	if version >= 3 {
		partOne = structuredSections(c.Sections)
	}
	var partTwo *string
	if h := c.partTwoHash(); h != "" {
		partTwo = &h
	}
	fields := []field{
		{"format", canonicalFormats[version]},
		{"reference", clean(c.Reference)},
		{"title", clean(c.Title)},
		{"summary", clean(c.Summary)},
		{"funder", clean(c.Funder)},
		{"recommendations", cleanAll(c.Recommendations)},
		{"part_one", partOne},
		{"part_two_sha256", partTwo},
		{"funding", cleanFunding(c.Funding)},
		{"links", cleanLinks(c.Links)},
	}
	if version >= 2 {
		fields = append(fields, field{"documents", cleanDocuments(c.Documents)})
	}
	if version >= 4 {
		fields = append(fields, field{"approvals", cleanApprovals(c.Approvals)})
	}
	if version >= 5 {
		fields = append(fields, field{"released", cleanReleased(c.Released)})
	}
	return object(fields), true
}

// object writes the canonical object: its fields in order, then a line feed.
func object(fields []field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(bytes.TrimSuffix(encode(f.key), []byte("\n")))
		b.WriteByte(':')
		b.Write(bytes.TrimSuffix(encode(f.value), []byte("\n")))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// structuredSections are the sections of version 3: cleaned, each with the blocks of its body.
func structuredSections(ss []ContentSection) []sectionV3 {
	out := make([]sectionV3, len(ss))
	for i, s := range cleanSections(ss) {
		blocks := ParseText(s.Body)
		for j := range blocks {
			// Empty, never null: one shape for every block.
			if blocks[j].Items == nil {
				blocks[j].Items = []string{}
			}
			if blocks[j].Rows == nil {
				blocks[j].Rows = [][]string{}
			}
		}
		if blocks == nil {
			blocks = []Block{}
		}
		out[i] = sectionV3{Kind: s.Kind, Heading: s.Heading, Body: s.Body, Blocks: blocks}
	}
	return out
}

// ContentHashAs is the hash of content under a version of the form; false for an unknown one.
func ContentHashAs(version int, c Content) (string, bool) {
	b, ok := CanonicalAs(version, c)
	if !ok {
		return "", false
	}
	return hashHex(b), true
}

// SignedContent is canonical content read back from its bytes: what a signature covers, with
// Part II only as its hash. The signed decision document is printed from it.
type SignedContent struct {
	Version         int // the canonical version the bytes are in
	Reference       string
	Title           string
	Summary         string
	Funder          string
	Recommendations []string
	Sections        []ContentSection // Part I
	PartTwoSHA256   *string          // nil when the decision has no Part II
	Funding         []ContentFunding
	Links           []ContentLink
	Documents       []ContentDocument // none under version 1
	Approvals       []ContentApproval // none before version 4
	Released        []ContentRelease  // none before version 5
}

// ReadSigned reads canonical bytes of a version this program knows back into their content,
// strictly (ParseCanonical is the lenient reading, for showing an earlier version): written
// again, what it read must be the same bytes, so nothing in them is left unread or read in two
// ways. What is printed from it is exactly what was hashed.
//
// From version 3 the bytes hold each section's blocks beside its body; written again, they are
// the blocks ParseText reads the body into, so bytes whose blocks say anything else are refused.
func ReadSigned(b []byte) (SignedContent, error) {
	var doc readDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return SignedContent{}, fmt.Errorf("canonical content: %w", err)
	}
	version := slices.Index(canonicalFormats, doc.Format)
	if doc.Format == "" || !KnownCanonical(version) {
		return SignedContent{}, fmt.Errorf("canonical content: unknown format %q", doc.Format)
	}
	sections := make([]ContentSection, len(doc.Sections))
	for i, s := range doc.Sections {
		sections[i] = ContentSection{Kind: s.Kind, Heading: s.Heading, Body: s.Body}
	}
	c := Content{Reference: doc.Reference, Title: doc.Title, Summary: doc.Summary, Funder: doc.Funder,
		Recommendations: doc.Recommendations, Sections: sections, Funding: doc.Funding, Links: doc.Links, Documents: doc.Documents,
		Approvals: doc.Approvals, Released: doc.Released}
	if doc.PartTwoSHA256 != nil {
		c.PartTwoHash = *doc.PartTwoSHA256
	}
	if again, _ := CanonicalAs(version, c); !bytes.Equal(again, b) {
		return SignedContent{}, errors.New("canonical content: the bytes are not in canonical form")
	}
	return SignedContent{Version: version, Reference: doc.Reference, Title: doc.Title, Summary: doc.Summary,
		Funder: doc.Funder, Recommendations: doc.Recommendations, Sections: sections, PartTwoSHA256: doc.PartTwoSHA256,
		Funding: doc.Funding, Links: doc.Links, Documents: doc.Documents, Approvals: doc.Approvals, Released: doc.Released}, nil
}

// partTwoHash is the SHA-256 Part II enters the canonical form as, or "" with no Part II.
func (c Content) partTwoHash() string {
	if len(c.PartTwo) > 0 {
		return hashHex(PartTwoCanonical(c.PartTwoSalt, c.PartTwo))
	}
	return c.PartTwoHash
}

// WithPartTwoHashed is c with Part II and its salt replaced by Part II's hash: the same
// canonical form and hash, and nothing confidential, for content that leaves the store to be
// hashed or shown apart from Part II.
func (c Content) WithPartTwoHashed() Content {
	c.PartTwoHash = c.partTwoHash()
	c.PartTwo, c.PartTwoSalt = nil, ""
	return c
}

// PartTwoCanonical serialises Part II alone, by the same rules, with the decision's salt first:
// without it, anyone could confirm a guess at a short Part II by hashing it.
func PartTwoCanonical(salt string, sections []ContentSection) []byte {
	return encode(struct {
		Format   string           `json:"format"`
		Salt     string           `json:"salt"`
		Sections []ContentSection `json:"part_two"`
	}{"decision-register/part-two/v1", salt, cleanSections(sections)})
}

// WithoutApprovals is c with no approvals: what an adviser approves and what a signer reads is
// the decision's own content, whose hash (ApprovedHash) does not move as approvals are given;
// the signature's hash (ContentHash) covers the approvals too, which can no longer change once
// every step has approved, but by an edit, which changes the content itself.
func (c Content) WithoutApprovals() Content {
	c.Approvals = nil
	return c
}

// ApprovedHash is the hash of the content without its approvals, under the current version:
// the hash each approval records and the sign-off forms carry.
func ApprovedHash(c Content) string { return ContentHash(c.WithoutApprovals()) }

// ContentHash is the lower-case hex SHA-256 of the canonical content.
func ContentHash(c Content) string {
	return hashHex(Canonical(c))
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// encode writes v as the form's JSON. encoding/json with HTML escaping off writes strings
// exactly as docs/canonical.md's table says (Go 1.22 and later); the pinned test vectors would
// catch any change, which would have to become a new canonical version.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only strings, integers, slices and structs go in: encoding cannot fail.
		panic("canonical: " + err.Error())
	}
	return buf.Bytes()
}

// clean puts text in the one form that is hashed: NFC, "\n" line endings.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return norm.NFC.String(s)
}

func cleanPtr(s *string) *string {
	if s == nil {
		return nil
	}
	c := clean(*s)
	return &c
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

func cleanSections(ss []ContentSection) []ContentSection {
	out := make([]ContentSection, len(ss))
	for i, s := range ss {
		out[i] = ContentSection{Kind: s.Kind, Heading: clean(s.Heading), Body: clean(s.Body)}
	}
	return out
}

func cleanFunding(fs []ContentFunding) []ContentFunding {
	out := make([]ContentFunding, len(fs))
	for i, f := range fs {
		f.Label = clean(f.Label)
		f.PeriodText = cleanPtr(f.PeriodText)
		f.Funder = cleanPtr(f.Funder)
		f.Recipient = cleanPtr(f.Recipient)
		out[i] = f
	}
	return out
}

func cleanDocuments(ds []ContentDocument) []ContentDocument {
	out := make([]ContentDocument, len(ds))
	for i, d := range ds {
		d.Name = clean(d.Name)
		out[i] = d
	}
	return out
}

func cleanApprovals(as []ContentApproval) []ContentApproval {
	out := make([]ContentApproval, len(as))
	for i, a := range as {
		a.Approver = clean(a.Approver)
		a.OnBehalfOf = cleanPtr(a.OnBehalfOf)
		if a.Cover != nil {
			c := *a.Cover
			c.SetBy = clean(c.SetBy)
			a.Cover = &c
		}
		a.InterestNature = cleanPtr(a.InterestNature)
		a.DispensationBy = cleanPtr(a.DispensationBy)
		out[i] = a
	}
	return out
}

func cleanLinks(ls []ContentLink) []ContentLink {
	out := make([]ContentLink, len(ls))
	copy(out, ls)
	sortLinks(out)
	return out
}

func cleanReleased(rs []ContentRelease) []ContentRelease {
	out := make([]ContentRelease, len(rs))
	for i, r := range rs {
		r.Heading, r.Body, r.ReleasedBy = clean(r.Heading), clean(r.Body), clean(r.ReleasedBy)
		out[i] = r
	}
	slices.SortStableFunc(out, func(a, b ContentRelease) int { return a.Section - b.Section })
	return out
}
