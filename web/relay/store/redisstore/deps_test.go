package redisstore_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The Redis client and Prometheus' client are the relay's alone: neither
// the library's wasm module nor the demo's may link them (or anything they
// bring).
func TestNotInTheModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("this test runs the go command, which is not on PATH")
	}
	for _, pkg := range []string{"gotoauth/wasm/cmd/gotoauth", "gotoauth/wasm/cmd/demo"} {
		cmd := exec.Command(goBin, "list", "-deps", pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/redis/") || strings.HasPrefix(dep, "github.com/prometheus/") || strings.HasPrefix(dep, "gotoauth/web/") {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}
