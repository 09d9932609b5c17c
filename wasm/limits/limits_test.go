package limits

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	for n, want := range map[int]string{
		MaxURLLength:   "64 KiB",
		MaxParamLength: "8 KiB",
		MaxBodyBytes:   "1 MiB",
		MaxBuffer:      "4 MiB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Minutes(MaxTimeout); got != "10 minutes" {
		t.Errorf("Minutes(MaxTimeout) = %q", got)
	}
	if got := TooLong("state", MaxParamLength); got != "state is longer than 8 KiB" {
		t.Errorf("TooLong = %q", got)
	}
	if got := Millis(MinTimeout); got != "100" {
		t.Errorf("Millis(MinTimeout) = %q", got)
	}
}

func TestBounds(t *testing.T) {
	for _, n := range []int{MaxURLLength, MaxParamLength, MaxTokenLength, MaxBodyBytes, MaxRelayBody, MinBuffer, MaxBuffer} {
		if n%(1<<10) != 0 {
			t.Errorf("size limit %d is not a whole number of KiB, which Size writes", n)
		}
	}
	if MinBuffer > MaxBuffer || MaxURLLength > MaxBuffer || MaxBodyBytes > MaxBuffer {
		t.Error("a payload the loader may send does not fit the shared buffer")
	}
	if MinTimeout > DefaultTimeout || DefaultTimeout > MaxTimeout {
		t.Error("DefaultTimeout is outside its own bounds")
	}
	if RelayCompletedMemory > RelayRotationMemory {
		t.Error("the relay remembers a completed refresh longer than a rotation")
	}
}

// loaders are the JS files that read the published limits.
func loaders(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../../web/gotoauth*.js")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no loader files found (%v)", err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// The loader takes every limit from the module: a published limit nobody
// reads is a copy kept elsewhere, and a size or time literal in a loader
// is a second home for a limit.
func TestLoadersUsePublishedLimits(t *testing.T) {
	files := loaders(t)
	all := ""
	for _, s := range files {
		all += s
	}
	for _, l := range Published {
		if !strings.Contains(all, "."+l.Name) {
			t.Errorf("published limit %s is read by no loader file", l.Name)
		}
	}
	literal := regexp.MustCompile(`\b\d+\s*\*\s*1024\b|<<\s*(10|20)\b|\b\d+_000\b|\b(65536|1048576|4194304|600000)\b`)
	for name, s := range files {
		for i, line := range strings.Split(s, "\n") {
			if m := literal.FindString(line); m != "" {
				t.Errorf("%s:%d: the limit literal %q belongs in wasm/limits: %s", name, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}

// README.md's table of limits is a copy: it must say what this package does.
func TestREADMELimitsMatch(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "| limit | value |")
	if start < 0 {
		t.Fatal("README.md has no table of limits (| limit | value |)")
	}
	table := readme[start:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end]
	}
	want := map[string]string{
		"a URL, or any other string argument":                               Size(MaxURLLength),
		"a client id, secret, state, scope or endpoint":                     Size(MaxParamLength),
		"one token or code":                                                 Size(MaxTokenLength),
		"a call's whole input, once encoded":                                Size(MaxBuffer),
		"an answer's body (token, `/me`, `normalizeTokenResponse`'s input)": Size(MaxBodyBytes),
		"entries of a scope array":                                          strconv.Itoa(MaxScopes),
		"entries of `extraParams`":                                          strconv.Itoa(MaxExtraParams),
		"a sign-in's state lives":                                           Minutes(PendingLifetime),
		"`timeoutMs` (each token and `/me` request)":                        Millis(MinTimeout) + " to " + Millis(MaxTimeout) + " ms, default " + Millis(DefaultTimeout),
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\| (.+) \| (.+) \|$`).FindAllStringSubmatch(table, -1) {
		if m[1] != "limit" && m[1] != "---" {
			got[m[1]] = m[2]
		}
	}
	for row, value := range want {
		if got[row] != value {
			t.Errorf("README.md: %q is %q, wasm/limits says %q", row, got[row], value)
		}
	}
	for row := range got {
		if _, ok := want[row]; !ok {
			t.Errorf("README.md's limit %q is not held to wasm/limits by this test", row)
		}
	}
}

// web/gotoauth.d.ts documents timeoutMs's bounds: they must be these.
func TestDTSTimeoutMatches(t *testing.T) {
	b, err := os.ReadFile("../../web/gotoauth.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	want := Millis(MinTimeout) + " to " + Millis(MaxTimeout) + " ms; default " + Millis(DefaultTimeout)
	if !strings.Contains(string(b), want) {
		t.Errorf("web/gotoauth.d.ts does not document timeoutMs as %q", want)
	}
}
