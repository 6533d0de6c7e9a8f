package api

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document and the handlers in
// step: every route is documented and every documented operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range (&Server{}).routes() {
		served[r.method+" "+r.path] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("undocumented routes: %v\ndocumented but not served: %v", missing, extra)
	}
}

// TestOpenAPISchemasAreClosed makes every object schema with properties
// say what else it allows (additionalProperties: false, or a schema for a
// map), so the contract test in cmd/switchboard (TestResponsesMatchOpenAPI)
// fails on a field the handlers send but the document does not name, and
// the generated TypeScript types (web/src/api/schema.d.ts) are exact.
func TestOpenAPISchemasAreClosed(t *testing.T) {
	var doc any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var open []string
	var walk func(path string, n any)
	walk = func(path string, n any) {
		switch v := n.(type) {
		case map[string]any:
			if _, ok := v["properties"].(map[string]any); ok {
				if _, closed := v["additionalProperties"]; !closed {
					open = append(open, path)
				}
				req, _ := v["required"].([]any)
				for _, r := range req {
					if _, ok := v["properties"].(map[string]any)[r.(string)]; !ok {
						t.Errorf("%s: required %q is not a property", path, r)
					}
				}
			}
			for k, c := range v {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range v {
				walk(path+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("", doc)
	sort.Strings(open)
	if len(open) > 0 {
		t.Errorf("object schemas without additionalProperties:\n%s", strings.Join(open, "\n"))
	}
}
