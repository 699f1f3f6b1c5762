package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/importer"
)

// TestJSONFaults plants faults in an export of the public JSON: content changed after signing,
// a withdrawn decision, bad UTF-8, a record that is not a decision, and the same decision in a
// .json array beside the .jsonl. Each is reported at its line or record; the rest import.
func TestJSONFaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "b-export.jsonl")
	syntheticExport(t, path, 20)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	ref := func(i int) string {
		_, after, _ := bytes.Cut(lines[i], []byte(`"reference":"`))
		r, _, _ := bytes.Cut(after, []byte(`"`))
		return string(r)
	}
	refs := []string{ref(2), ref(4), ref(6), ref(8)}
	lines[2] = bytes.Replace(lines[2], []byte(`"title":"`), []byte(`"title":"Changed: `), 1)
	lines[4] = bytes.Replace(lines[4], []byte(`"status":"published"`), []byte(`"status":"withdrawn"`), 1)
	lines[6] = bytes.Replace(lines[6], []byte(`"summary":"`), []byte("\"summary\":\"\xff"), 1)
	lines[8] = []byte(`{"reference":"` + refs[3] + `","colour":"blue"}`)
	if err := os.WriteFile(path, append(bytes.Join(lines, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// The tenth decision again, as a .json array's second record.
	if err := os.WriteFile(filepath.Join(dir, "a-again.json"), []byte("[\n"+string(lines[0])+",\n"+string(lines[10])+"\n]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, st, blobs := newImportStore(t)
	res, err := importer.Run(context.Background(), st, importer.Options{Source: dir, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		// The hash in the message is the changed content's: only its start is pinned here.
		got = append(got, strings.SplitN(p.String(), " hashes to ", 2)[0])
	}
	want := []string{
		fmt.Sprintf("a-again.json:1: %s: reference: duplicate reference: also at b-export.jsonl:1", ref(0)),
		fmt.Sprintf("a-again.json:2: %s: reference: duplicate reference: also at b-export.jsonl:11", ref(10)),
		fmt.Sprintf("b-export.jsonl:1: %s: reference: duplicate reference: also at a-again.json:1", ref(0)),
		fmt.Sprintf("b-export.jsonl:3: %s: content_hash: the record's content", refs[0]),
		fmt.Sprintf("b-export.jsonl:5: %s: status: withdrawn decisions are not imported", refs[1]),
		"b-export.jsonl:7: not valid UTF-8",
		`b-export.jsonl:9: not a decision as /api/v1/decisions/{slug} serves it: json: unknown field "colour"`,
		fmt.Sprintf("b-export.jsonl:11: %s: reference: duplicate reference: also at a-again.json:2", ref(10)),
	}
	if !slices.Equal(got, want) {
		t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Imported != 14 || res.Refused != 6 {
		t.Errorf("imported %d, refused %d; want 14, 6", res.Imported, res.Refused)
	}
}
