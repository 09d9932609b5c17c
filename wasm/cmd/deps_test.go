//go:build !js && !wasip1

package cmd_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The module's programs link only what the module may: the standard
// library, safejs for every JS call, the module's own packages, and, for
// the demo alone, dom/v2. Never the relay's Redis client or Prometheus, nor
// anything of web/, which runs beside a page on a server.
func TestModuleDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("this test runs the go command, which is not on PATH")
	}
	allowed := []string{"gotoauth/wasm/", "gotoauth/pkce", "github.com/hack-pad/safejs"}
	for pkg, extra := range map[string][]string{
		"gotoauth/wasm/cmd/gotoauth": nil,
		"gotoauth/wasm/cmd/demo":     {"honnef.co/go/js/dom/v2"},
	} {
		cmd := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
	deps:
		for _, dep := range strings.Fields(string(out)) {
			for _, prefix := range append(allowed, extra...) {
				if strings.HasPrefix(dep, prefix) {
					continue deps
				}
			}
			t.Errorf("%s links %s", pkg, dep)
		}
	}
}
