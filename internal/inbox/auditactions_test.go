package inbox

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestAuditActionsCatalogue: the catalogue served to the web app's action
// filter names exactly the actions the service writes (the third argument
// of every s.audit and s.auditing call in this package, or of a helper that passes its
// action on to it), so no action is missing from the list and none is
// listed that never occurs. The same holds for the object types (the
// fourth argument of s.audit, a literal in every call).
func TestAuditActionsCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen, types := map[string]bool{}, map[string]bool{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 3 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !slices.Contains([]string{"audit", "auditing", "privacyContact"}, sel.Sel.Name) {
				return true
			}
			if (sel.Sel.Name == "audit" || sel.Sel.Name == "auditing") && len(call.Args) > 3 {
				if lit, ok := call.Args[3].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					types[v] = true
				} else {
					t.Errorf("%s: audit object type is not a string literal", fset.Position(call.Pos()))
				}
			}
			if id, ok := call.Args[2].(*ast.Ident); ok && id.Name == "action" {
				return true // a helper passing its caller's action on
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: audit action is not a string literal", fset.Position(call.Pos()))
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			seen[v] = true
			return true
		})
	}
	var written []string
	for a := range seen {
		written = append(written, a)
	}
	slices.Sort(written)
	if got := AuditActions(); !slices.Equal(got, written) {
		t.Fatalf("AuditActions() = %v\nwritten by the code: %v", got, written)
	}
	var typeList []string
	for v := range types {
		typeList = append(typeList, v)
	}
	slices.Sort(typeList)
	if got := AuditObjectTypes(); !slices.Equal(got, typeList) {
		t.Fatalf("AuditObjectTypes() = %v\nwritten by the code: %v", got, typeList)
	}
}
