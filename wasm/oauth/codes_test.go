package oauth

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// codeList reads the error codes and their meanings from errors.go, their
// one home: each constant of type Code and its line comment.
func codeList(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			code, err := strconv.Unquote(v.Values[0].(*ast.BasicLit).Value)
			if err != nil || v.Comment == nil {
				t.Fatalf("%s: every code needs a string value and a one-line meaning", v.Names[0].Name)
			}
			out[code] = strings.TrimSpace(v.Comment.Text())
		}
	}
	if len(out) < 11 {
		t.Fatalf("read %d codes from errors.go", len(out))
	}
	return out
}

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compareCodes reports every difference between a copy and the list.
func compareCodes(t *testing.T, where string, want, got map[string]string) {
	t.Helper()
	for code, meaning := range want {
		switch g, ok := got[code]; {
		case !ok:
			t.Errorf("%s lacks the code %s (errors.go: %q)", where, code, meaning)
		case g != meaning:
			t.Errorf("%s says %s means %q; errors.go says %q", where, code, g, meaning)
		}
	}
	for code := range got {
		if _, ok := want[code]; !ok {
			t.Errorf("%s has the code %s, which errors.go does not define", where, code)
		}
	}
}

func TestDTSCodesMatch(t *testing.T) {
	dts := readRepoFile(t, "web/gotoauth.d.ts")
	start := strings.Index(dts, "export type GoToAuthErrorCode =")
	if start < 0 {
		t.Fatal("web/gotoauth.d.ts has no GoToAuthErrorCode")
	}
	union := dts[start:]
	if end := strings.Index(union, "\n\n"); end >= 0 {
		union = union[:end]
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*\|\s*'([a-z_]+)';?\s*(?://\s*(.*))?$`).FindAllStringSubmatch(union, -1) {
		got[m[1]] = strings.TrimSpace(m[2])
	}
	compareCodes(t, "web/gotoauth.d.ts", codeList(t), got)
}

func TestREADMECodesMatch(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, "| code | when |")
	if start < 0 {
		t.Fatal("README.md has no error table (| code | when |)")
	}
	table := readme[start:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end]
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (.*) \\|$").FindAllStringSubmatch(table, -1) {
		got[m[1]] = m[2]
	}
	compareCodes(t, "README.md", codeList(t), got)
}

// The loaders make errors with codes from the list only: a literal code in
// `new GoToAuthError('…')` or compared with `.code === '…'` must be one.
func TestLoadersUseListedCodes(t *testing.T) {
	codes := codeList(t)
	paths, err := filepath.Glob(filepath.Join("..", "..", "web", "gotoauth*.js"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no loader files (%v)", err)
	}
	literal := regexp.MustCompile("(?:GoToAuthError\\(\\s*|\\.code\\s*[!=]==?\\s*)['\"`]([^'\"`]*)['\"`]")
	seen := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			seen++
			if _, ok := codes[m[1]]; !ok {
				t.Errorf("%s uses the error code %q, which wasm/oauth/errors.go does not define", filepath.Base(p), m[1])
			}
		}
	}
	if seen == 0 {
		t.Error("found no error code in the loaders: has the way they make errors changed?")
	}
}
