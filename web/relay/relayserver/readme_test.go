package relayserver

import (
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gotoauth/web/relay/relayenv"
)

// relaySection is the README's relay section.
func relaySection(t *testing.T) string {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### The token relay")
	end := strings.Index(readme[start+1:], "\n### ")
	if start < 0 || end < 0 {
		t.Fatal("no relay section in the README")
	}
	return readme[start : start+1+end]
}

// The README's metrics table lists every metric the relay registers, once,
// and nothing else.
func TestREADMEMetrics(t *testing.T) {
	section := relaySection(t)
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(gotoauth_relay_[a-z_]+)").FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	families, err := New(Options{MetricsAddr: "127.0.0.1:0"}, &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	// A vector shows in a scrape once it has a series: one of each.
	m := families.Metrics()
	m.Request("token", 200, "", 0)
	m.Upstream("revoke", "ok", 0)
	m.Store("claim", 0, nil)
	m.SignedOut("ended")
	got, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, f := range got {
		if strings.HasPrefix(f.GetName(), "gotoauth_relay_") {
			registered = append(registered, f.GetName())
		}
	}
	slices.Sort(listed)
	slices.Sort(registered)
	if !slices.Equal(listed, registered) {
		t.Errorf("the README lists %v\nthe relay registers %v", listed, registered)
	}
}

// The README's settings table names every variable relayenv reads, the
// _FILE form of every secret, and every flag of the server's.
func TestREADMESettings(t *testing.T) {
	section := relaySection(t)
	var table []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `GOTO") || strings.HasPrefix(line, "| `-") {
			table = append(table, line)
		}
	}
	joined := strings.Join(table, "\n")
	for _, v := range relayenv.Variables {
		if !strings.Contains(joined, "`"+v+"`") {
			t.Errorf("the README's table lacks %s", v)
		}
	}
	for _, v := range relayenv.Secrets {
		if !strings.Contains(joined, "`"+v+relayenv.FileSuffix+"`") {
			t.Errorf("the README's table lacks %s%s", v, relayenv.FileSuffix)
		}
	}
	for _, m := range regexp.MustCompile("`(GOTO[A-Z_]*)`").FindAllStringSubmatch(joined, -1) {
		name := strings.TrimSuffix(m[1], relayenv.FileSuffix)
		if !slices.Contains(relayenv.Variables, name) {
			t.Errorf("the README's table names %s, which relayenv does not read", m[1])
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	Flags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(joined, "| `-"+f.Name+" ") && !strings.Contains(joined, "| `-"+f.Name+"`") {
			t.Errorf("the README's table lacks -%s", f.Name)
		}
	})
}
