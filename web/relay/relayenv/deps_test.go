package relayenv_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A Go program that uses the relay with the memory store links neither the
// Redis client nor Prometheus' client: choosing Redis is relayenv's (and so
// the composing program's), metrics are relaymetrics'.
func TestRelayLinksNoRedis(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("this test runs the go command, which is not on PATH")
	}
	for _, pkg := range []string{"gotoauth/web/relay", "gotoauth/web/relay/store"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/redis/") || strings.HasPrefix(dep, "github.com/prometheus/") || strings.HasPrefix(dep, "gotoauth/web/relay/store/redisstore") {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}
