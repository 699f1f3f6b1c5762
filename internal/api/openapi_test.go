package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIDescribesTheTypes: every field of the API's JSON types is in the OpenAPI
// document, and nothing the document describes is missing from them, at every depth. The
// server's tests check real responses against the document; this catches a field added to a
// type (or to the document) alone, before any response shows it.
func TestOpenAPIDescribesTheTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"Decision": Decision{}, "DecisionList": DecisionList{},
		"DecisionSummary": DecisionSummary{}, "Error": Error{}} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("openapi.json has no schema %s", name)
			continue
		}
		for _, e := range compare(doc.Components.Schemas, reflect.TypeOf(v), schema, name) {
			t.Error(e)
		}
	}
}

// compare lists where type t and schema disagree on an object's properties.
func compare(schemas map[string]map[string]any, t reflect.Type, schema map[string]any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		return compare(schemas, t, schemas[strings.TrimPrefix(ref, "#/components/schemas/")], at)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Slice:
		items, _ := schema["items"].(map[string]any)
		if items == nil {
			return []string{at + ": a list in Go, not in openapi.json"}
		}
		return compare(schemas, t.Elem(), items, at+"[]")
	case t.Kind() != reflect.Struct || t == reflect.TypeOf(time.Time{}):
		return nil
	}
	props, _ := schema["properties"].(map[string]any)
	var errs []string
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
		p, ok := props[name].(map[string]any)
		if !ok {
			errs = append(errs, at+"."+name+": in the Go type, not in openapi.json")
			continue
		}
		errs = append(errs, compare(schemas, f.Type, p, at+"."+name)...)
	}
	for name := range props {
		if !slices.Contains(names, name) {
			errs = append(errs, at+"."+name+": in openapi.json, not in the Go type")
		}
	}
	return errs
}
