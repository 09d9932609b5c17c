//go:build !js && !wasip1

package pkce_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// pkce is the bottom of the module: it imports nothing of gotoauth, on any
// platform, so that the relay and the emulator can use it without the
// library's packages.
func TestImportsNothingOfTheModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("this test runs the go command, which is not on PATH")
	}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command(goBin, "list", "-deps", "gotoauth/pkce")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %v: %v\n%s", env, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "gotoauth/") && dep != "gotoauth/pkce" {
				t.Errorf("%v: pkce imports %s", env, dep)
			}
		}
	}
}
