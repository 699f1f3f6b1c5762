// Package importer owns `decisions import`: reading decisions signed outside the register from
// the register's own public JSON or a CSV layout (docs/import.md), checking every record and
// saying where each problem is, and loading the good ones, each all or nothing, with their
// provenance. The SQL is the store's.
package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/api"
)

// Problem is one thing wrong with the input, and where it is.
type Problem struct {
	File      string // as named under the run's source
	Line      int    // the line (CSV, JSON lines) or record (a JSON array's element, from 1); 0 for the whole file
	Reference string // the decision's reference as written, when known
	Field     string // the column or JSON key, when there is one
	Message   string
}

func (p Problem) String() string {
	place := p.File
	if p.Line > 0 {
		place += fmt.Sprintf(":%d", p.Line)
	}
	s := place + ": "
	if p.Reference != "" {
		s += p.Reference + ": "
	}
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Message
}

// record is one decision as read, before it is checked: from JSON (json set) or CSV (csv set).
type record struct {
	file string
	line int
	dir  string // the directory its documents are looked for in
	json *api.Decision
	csv  *csvRecord
}

// inputFiles lists the files a source names: the file itself, or a directory's .json, .jsonl
// and .csv files (not the .funding.csv side files, which go with their CSV), in name order.
func inputFiles(source string) ([]string, error) {
	info, err := os.Stat(source)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{source}, nil
	}
	entries, err := os.ReadDir(source)
	if err != nil {
		return nil, err
	}
	// Only the directory's own files: its subdirectories hold documents.
	var files []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir(), strings.HasSuffix(name, fundingSuffix):
		case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".csv"):
			files = append(files, filepath.Join(source, name))
		}
	}
	slices.Sort(files)
	return files, nil
}

// readSource reads every record of source, with the problems that stop a record (or a whole
// file) being read at all.
func readSource(source string) ([]record, []Problem, error) {
	files, err := inputFiles(source)
	if err != nil {
		return nil, nil, err
	}
	var recs []record
	var probs []Problem
	for _, f := range files {
		// Named as under the source: a directory's files by their names, a file by its own.
		name := filepath.Base(f)
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var r []record
		var p []Problem
		switch {
		case strings.HasSuffix(f, ".csv"):
			r, p = readCSV(name, f, b)
		case strings.HasSuffix(f, ".jsonl"):
			r, p = readJSONLines(name, b)
		case strings.HasSuffix(f, ".json"):
			r, p = readJSON(name, b)
		default:
			p = []Problem{{File: name, Message: "not a .json, .jsonl or .csv file"}}
		}
		for i := range r {
			r[i].dir = filepath.Dir(f)
		}
		recs, probs = append(recs, r...), append(probs, p...)
	}
	return recs, probs, nil
}

// badUTF8 finds the first line of b that is not valid UTF-8, or 0.
func badUTF8(b []byte) int {
	if utf8.Valid(b) {
		return 0
	}
	for i, l := range bytes.Split(b, []byte("\n")) {
		if !utf8.Valid(l) {
			return i + 1
		}
	}
	return 0
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

// readJSON reads a .json file: one decision as GET /api/v1/decisions/{slug} serves it, or an
// array of them.
func readJSON(name string, b []byte) ([]record, []Problem) {
	if l := badUTF8(b); l > 0 {
		return nil, []Problem{{File: name, Line: l, Message: "not valid UTF-8: the file is refused, as its text cannot be read as written"}}
	}
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, []Problem{{File: name, Message: "not a JSON array of decisions: " + err.Error()}}
		}
		var recs []record
		var probs []Problem
		for i, raw := range raws {
			r, p := jsonRecord(name, i+1, raw)
			recs, probs = append(recs, r...), append(probs, p...)
		}
		return recs, probs
	}
	return jsonRecord(name, 1, t)
}

// readJSONLines reads a .jsonl file: one decision a line.
func readJSONLines(name string, b []byte) ([]record, []Problem) {
	var recs []record
	var probs []Problem
	for i, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if !utf8.Valid(l) {
			probs = append(probs, Problem{File: name, Line: i + 1, Message: "not valid UTF-8"})
			continue
		}
		r, p := jsonRecord(name, i+1, l)
		recs, probs = append(recs, r...), append(probs, p...)
	}
	return recs, probs
}

func jsonRecord(name string, line int, raw []byte) ([]record, []Problem) {
	var d api.Decision
	if err := decodeStrict(raw, &d); err != nil {
		return nil, []Problem{{File: name, Line: line, Message: "not a decision as /api/v1/decisions/{slug} serves it: " + err.Error()}}
	}
	return []record{{file: name, line: line, json: &d}}, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
