// Package threesixtytest checks 360Giving data against the standard's own schema (version
// 1.4.3, embedded in package threesixty), offline, for tests: a data package as JSON, and the
// flattened CSV by turning each row back into a grant through the schema's column titles.
package threesixtytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/decision-register/decisions/internal/threesixty"
)

// The package schema names the grant schema by this address (the 1.4.2 one, though the file
// itself is 1.4.3's); the compiler is handed the local file under it, so nothing is fetched.
const (
	packageURL = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-package-schema.json"
	grantURL   = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)

var compiled = sync.OnceValues(compile)

func load(name string) (map[string]any, error) {
	b, err := fs.ReadFile(threesixty.Schema, "schema/"+name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an object", name)
	}
	// The files declare their draft as http://json-schema.org/draft/2020-12/schema (http, not
	// https), which no validator knows: the draft is given to the compiler instead. The grant
	// file's own $id (1.4.3) would hide the address the package refers to it by.
	delete(m, "$schema")
	delete(m, "$id")
	return m, nil
}

func compile() (*jsonschema.Schema, error) {
	pkg, err := load("360-giving-package-schema.json")
	if err != nil {
		return nil, err
	}
	grant, err := load("360-giving-schema.json")
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// awardDate is a oneOf of a plain-date pattern and format: date-time; without format
	// assertions a plain date matches both branches and fails the oneOf.
	c.AssertFormat()
	c.UseLoader(offline{})
	if err := c.AddResource(packageURL, pkg); err != nil {
		return nil, err
	}
	if err := c.AddResource(grantURL, grant); err != nil {
		return nil, err
	}
	return c.Compile(packageURL)
}

// offline refuses every address the compiler was not handed: validation never touches the
// network.
type offline struct{}

func (offline) Load(url string) (any, error) {
	return nil, fmt.Errorf("offline: %s is not embedded", url)
}

// ValidatePackage checks a 360Giving data package (JSON) against the package schema and,
// through it, each grant against the grant schema.
func ValidatePackage(data []byte) error {
	sch, err := compiled()
	if err != nil {
		return fmt.Errorf("compile 360Giving schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// column is where a flattened column's values go in a grant: a top-level field, or a field of
// the first object of a top-level list ("Recipient Org:Identifier").
type column struct {
	field, sub string
	number     bool
}

// Unflatten turns rows of a flattened 360Giving CSV (the header first) back into a data
// package, reading each column title through the grant schema's titles, the way the
// standard's own tools do for the columns a single-sheet file can hold. A title the schema
// does not have is an error.
func Unflatten(rows [][]string) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("no header row")
	}
	grant, err := load("360-giving-schema.json")
	if err != nil {
		return nil, err
	}
	cols := make([]column, len(rows[0]))
	for i, title := range rows[0] {
		c, err := columnOf(grant, title)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	grants := []map[string]any{}
	for n, row := range rows[1:] {
		if len(row) != len(cols) {
			return nil, fmt.Errorf("row %d: %d cells, want %d", n+2, len(row), len(cols))
		}
		g := map[string]any{}
		for i, cell := range row {
			if cell == "" {
				continue
			}
			var v any = cell
			if cols[i].number {
				f, err := strconv.ParseFloat(cell, 64)
				if err != nil {
					return nil, fmt.Errorf("row %d, %q: %q is not a number", n+2, rows[0][i], cell)
				}
				v = json.Number(strconv.FormatFloat(f, 'f', -1, 64))
			}
			if cols[i].sub == "" {
				g[cols[i].field] = v
				continue
			}
			list, _ := g[cols[i].field].([]any)
			if len(list) == 0 {
				list = []any{map[string]any{}}
			}
			list[0].(map[string]any)[cols[i].sub] = v
			g[cols[i].field] = list
		}
		grants = append(grants, g)
	}
	return json.Marshal(map[string]any{"grants": grants})
}

// columnOf finds a column title in the grant schema: "Title", or "Planned Dates:Start Date".
func columnOf(grant map[string]any, title string) (column, error) {
	parts := strings.Split(title, ":")
	if len(parts) > 2 {
		return column{}, fmt.Errorf("column %q: only one level of nesting is read", title)
	}
	field, prop, ok := byTitle(grant, grant["properties"], parts[0])
	if !ok {
		return column{}, fmt.Errorf("column %q: no field of the grant schema has the title %q", title, parts[0])
	}
	if len(parts) == 1 {
		return column{field: field, number: typeOf(grant, prop) == "number"}, nil
	}
	items := resolve(grant, prop["items"])
	sub, subProp, ok := byTitle(grant, items["properties"], parts[1])
	if !ok {
		return column{}, fmt.Errorf("column %q: %s has no field titled %q", title, field, parts[1])
	}
	return column{field: field, sub: sub, number: typeOf(grant, subProp) == "number"}, nil
}

// byTitle finds the property of props whose title (its own, or that of the definition it
// refers to) is title.
func byTitle(root map[string]any, props any, title string) (string, map[string]any, bool) {
	m, _ := props.(map[string]any)
	for name, p := range m {
		prop := resolve(root, p)
		own, _ := p.(map[string]any)
		if t, _ := own["title"].(string); t == title {
			return name, prop, true
		}
		if t, _ := prop["title"].(string); t == title {
			return name, prop, true
		}
	}
	return "", nil, false
}

// resolve follows a local $ref ("#/$defs/Organization").
func resolve(root map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	var cur any = root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[part]
	}
	return cur.(map[string]any)
}

func typeOf(root, prop map[string]any) string {
	t, _ := resolve(root, prop)["type"].(string)
	return t
}

// SameJSON reports whether two JSON texts hold the same values, whatever their layout and key
// order.
func SameJSON(a, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys), nil
}
