package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunSmall runs every configuration briefly, as `make bench` does at
// length, and checks what the numbers rely on: every refresh answered 200
// through the relay's own cookies, each one reaching the stub (so none was
// answered from the relay's memory), and a table with every configuration
// and every target. Nothing here is timed.
func TestRunSmall(t *testing.T) {
	bin := os.Getenv("REDIS_SERVER")
	if bin == "" {
		bin = "redis-server"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	subjects := allSubjects()
	rep, err := run(ctx, subjects, options{requests: 30, warmup: 3, rounds: 2, conc: 4, redisBin: bin, log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		if s.skipped != "" {
			t.Errorf("%s not run: %s", s.Name, s.skipped)
		}
		if s.sent != 2*33 || s.upstream != s.sent {
			t.Errorf("%s: %d refreshes sent, %d reached the stub; want 66 and 66", s.Name, s.sent, s.upstream)
		}
		if s.relay {
			seen := make(map[string]bool)
			for _, c := range s.cookies {
				if c == "" || seen[c] {
					t.Fatalf("%s: a cookie is empty or used twice", s.Name)
				}
				seen[c] = true
			}
		}
	}
	var out bytes.Buffer
	rep.print(&out)
	for _, s := range subjects {
		if !strings.Contains(out.String(), "| "+s.Label+" ") {
			t.Errorf("the table has no row for %s:\n%s", s.Label, out.String())
		}
	}
	want := 7 // throughput and added p99 for each of the 3 relay configurations, and the cost of metrics and JSON logs
	if cpuKnown {
		want += 3 // and CPU per refresh
	}
	if len(rep.Targets) != want {
		t.Errorf("%d targets, want %d:\n%s", len(rep.Targets), want, out.String())
	}
}
