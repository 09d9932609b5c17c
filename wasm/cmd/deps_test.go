//go:build !js && !wasip1

package cmd_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// deps lists what pkg links that is not the standard library, built with
// env added to the environment (GOOS=js GOARCH=wasm, or nothing).
func deps(t *testing.T, pkg string, env ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("this test runs the go command, which is not on PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s %v: %v\n%s", pkg, env, err, out)
	}
	return strings.Fields(string(out))
}

// The module's programs link only what the module may: the standard
// library, safejs for every JS call, the module's own packages, and, for
// the demo alone, dom/v2. Never the relay's Redis client or Prometheus, nor
// anything of web/, which runs beside a page on a server.
func TestModuleDependencies(t *testing.T) {
	allowed := []string{"gotoauth/wasm/", "gotoauth/pkce", "github.com/hack-pad/safejs"}
	for pkg, extra := range map[string][]string{
		"gotoauth/wasm/cmd/gotoauth": nil,
		"gotoauth/wasm/cmd/demo":     {"honnef.co/go/js/dom/v2"},
	} {
	next:
		for _, dep := range deps(t, pkg, "GOOS=js", "GOARCH=wasm") {
			for _, prefix := range append(allowed, extra...) {
				if strings.HasPrefix(dep, prefix) {
					continue next
				}
			}
			t.Errorf("%s links %s", pkg, dep)
		}
	}
}

// pkce is the bottom of the module: it imports nothing of gotoauth, on any
// platform, so that the relay and the emulator can use it without the
// library's packages.
func TestPKCEImportsNothingOfTheModule(t *testing.T) {
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		for _, dep := range deps(t, "gotoauth/pkce", env...) {
			if strings.HasPrefix(dep, "gotoauth/") && dep != "gotoauth/pkce" {
				t.Errorf("%v: pkce imports %s", env, dep)
			}
		}
	}
}
