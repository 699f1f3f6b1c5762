package decision

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// vectorInput is a test vector's content as docs/canonical.md keys it.
type vectorInput struct {
	Reference       string            `json:"reference"`
	Title           string            `json:"title"`
	Summary         string            `json:"summary"`
	Funder          string            `json:"funder"`
	Recommendations []string          `json:"recommendations"`
	PartOne         []ContentSection  `json:"part_one"`
	PartTwo         []ContentSection  `json:"part_two"`
	PartTwoSalt     string            `json:"part_two_salt"`
	Funding         []ContentFunding  `json:"funding"`
	Links           []ContentLink     `json:"links"`
	Documents       []ContentDocument `json:"documents"`
	Approvals       []ContentApproval `json:"approvals"`
	Released        []ContentRelease  `json:"released"`
}

func (v vectorInput) content() Content {
	return Content{Reference: v.Reference, Title: v.Title, Summary: v.Summary, Funder: v.Funder,
		Recommendations: v.Recommendations, Sections: v.PartOne, PartTwo: v.PartTwo, PartTwoSalt: v.PartTwoSalt,
		Funding: v.Funding, Links: v.Links, Documents: v.Documents, Approvals: v.Approvals,
		Released: v.Released}
}

// TestCanonicalVectors holds the register to its published specification (docs/canonical.md):
// for every test vector and every canonical version, the bytes it computes are the pinned
// bytes, hash to the pinned hash, and are byte for byte what an independent implementation
// written from the specification alone (testdata/canonical.py, Python's standard library)
// computes. The pinned bytes never change: a change to them is a new canonical version.
func TestCanonicalVectors(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is missing: it runs the independent implementation of docs/canonical.md")
	}
	dir := filepath.Join("testdata", "canonical")
	sums := map[string]string{}
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		sums[name] = sum
	}
	inputs, err := filepath.Glob(filepath.Join(dir, "*.input.json"))
	if err != nil || len(inputs) < 2 {
		t.Fatalf("test vectors: %v, %v", inputs, err)
	}
	checked := 0
	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".input.json")
		raw, err := os.ReadFile(input)
		if err != nil {
			t.Fatal(err)
		}
		var in vectorInput
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			t.Fatalf("%s: %v", input, err)
		}
		for _, version := range KnownCanonicalVersions() {
			file := name + ".v" + strconv.Itoa(version)
			want, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := CanonicalAs(version, in.content())
			if !bytes.Equal(got, want) {
				t.Errorf("CanonicalAs(%d, %s) =\n%q\nwant (%s)\n%q", version, name, got, file, want)
			}
			if h, _ := ContentHashAs(version, in.content()); h != sums[file] {
				t.Errorf("ContentHashAs(%d, %s) = %s, want %s (SHA256SUMS)", version, name, h, sums[file])
			}
			var out, stderr bytes.Buffer
			cmd := exec.Command(python, filepath.Join("testdata", "canonical.py"), strconv.Itoa(version), input)
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("canonical.py %d %s: %v: %s", version, input, err, stderr.String())
			}
			if !bytes.Equal(out.Bytes(), got) {
				t.Errorf("canonical.py %d %s =\n%q\nthe register's bytes are\n%q", version, name, out.Bytes(), got)
			}
			if hashHex(out.Bytes()) != sums[file] {
				t.Errorf("canonical.py %d %s hashes to %s, want %s", version, name, hashHex(out.Bytes()), sums[file])
			}
			checked++
		}
	}
	if checked != CanonicalVersion*len(inputs) {
		t.Errorf("checked %d vectors, want every vector under every version", checked)
	}
}

// TestSpecialVectorHoldsEverySpecialCharacter: the "special" vector holds each character the
// specification names, so a rule it states is never left unchecked.
func TestSpecialVectorHoldsEverySpecialCharacter(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "canonical", "special.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var in vectorInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	text := in.Title + in.Summary + in.Funder + strings.Join(in.Recommendations, "") + in.PartOne[0].Heading + in.PartOne[0].Body +
		in.PartTwo[0].Heading + in.Funding[0].Label + *in.Funding[0].Recipient + in.Documents[0].Name + in.Documents[1].Name +
		in.Approvals[0].Approver + *in.Approvals[0].OnBehalfOf + in.Approvals[0].Cover.SetBy + *in.Approvals[0].DispensationBy
	want := []string{"\"", "\\", "/", "<", ">", "&", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\U0001F600",
		"\r\n", "e\u0301", "\u212b"}
	for r := rune(0); r < 0x20; r++ {
		want = append(want, string(r))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the special vector lacks %q", w)
		}
	}
	if !strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\r") {
		t.Error("the special vector lacks a carriage return alone")
	}
}

// TestTextModelAgreesWithPython runs the independent implementation over many bodies made of
// the characters the text model turns on (white space, bullets, numbers, brackets, line
// breaks), so that docs/canonical.md's section 10 says enough to compute every block, not only
// those of the pinned vectors.
func TestTextModelAgreesWithPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is missing: it runs the independent implementation of docs/canonical.md")
	}
	pieces := []string{" ", "  ", "\t", "\n", "\n\n", "\r\n", "•", "·", "-", "*", "–", "o", "1", "4.2", "4.1.", "12", "2024.",
		"(", ")", "(a)", "(iv)", "b)", "a", "A", "The", "x", "\u00a0", "£2,310,000", ".", "\u2028", "é", "Pay\t£1\n", "\t\n"}
	state := uint64(17)
	next := func(n int) int { // a fixed sequence: the same bodies on every run
		state = state*6364136223846793005 + 1442695040888963407
		return int((state >> 33) % uint64(n))
	}
	in := vectorInput{Reference: "PCD 1", Recommendations: []string{}, PartTwo: []ContentSection{}, Funding: []ContentFunding{},
		Links: []ContentLink{}, Documents: []ContentDocument{}}
	for i := 0; i < 400; i++ {
		var b strings.Builder
		for j := next(40); j >= 0; j-- {
			b.WriteString(pieces[next(len(pieces))])
		}
		in.PartOne = append(in.PartOne, ContentSection{Kind: "other", Heading: strconv.Itoa(i), Body: b.String()})
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bodies.input.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(python, filepath.Join("testdata", "canonical.py"), strconv.Itoa(CanonicalVersion), file)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("canonical.py: %v: %s", err, stderr.String())
	}
	got, _ := CanonicalAs(CanonicalVersion, in.content())
	kinds := map[string]int{}
	for _, s := range in.PartOne {
		for _, b := range ParseText(clean(s.Body)) {
			kinds[b.Type]++
		}
	}
	for _, k := range []string{BlockParagraph, BlockNumbered, BlockList, BlockTable} {
		if kinds[k] < 10 {
			t.Errorf("the bodies hold %d blocks of type %s, want 10 or more: they do not test it", kinds[k], k)
		}
	}
	if bytes.Equal(out.Bytes(), got) {
		return
	}
	// Name the first body on which they differ.
	var py, goDoc struct {
		PartOne []sectionV3 `json:"part_one"`
	}
	if json.Unmarshal(out.Bytes(), &py) != nil || json.Unmarshal(got, &goDoc) != nil || len(py.PartOne) != len(goDoc.PartOne) {
		t.Fatalf("canonical.py and the register differ:\n%s\n%s", out.Bytes(), got)
	}
	for i := range py.PartOne {
		if fmt.Sprint(py.PartOne[i]) != fmt.Sprint(goDoc.PartOne[i]) {
			t.Fatalf("body %q: canonical.py reads\n%+v\nthe register\n%+v", in.PartOne[i].Body, py.PartOne[i].Blocks, goDoc.PartOne[i].Blocks)
		}
	}
	t.Fatal("canonical.py and the register differ outside the sections")
}
