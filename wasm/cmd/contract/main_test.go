//go:build !js

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotoauth/wasm/limits"
)

// The committed copies are what go generate writes: a contract changed in
// its Go home and not regenerated, or a copy edited by hand, fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what go generate writes: run `go generate ./wasm/cmd/contract` (or `make build`) and commit the result", name)
		}
	}
}

// A region whose marker lines are missing or doubled is an error, never a
// file written without it.
func TestRegionMarkers(t *testing.T) {
	begin := "// BEGIN GENERATED x: " + header + "\n"
	for _, text := range []string{"", "// END GENERATED x\n", begin, begin + begin + "// END GENERATED x\n"} {
		if _, err := replaceRegion([]byte(text), "x", "body\n", false); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
	got, err := replaceRegion([]byte("a\n"+begin+"old\n// END GENERATED x\nb\n"), "x", "new\n", false)
	if err != nil || string(got) != "a\n"+begin+"new\n// END GENERATED x\nb\n" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestUpperSnake(t *testing.T) {
	for in, want := range map[string]string{
		"InvalidArgument": "INVALID_ARGUMENT", "maxString": "MAX_STRING", "askTabsMs": "ASK_TABS_MS",
		"OAuthError": "OAUTH_ERROR", "HTTPError": "HTTP_ERROR", "CodeUsed": "CODE_USED",
		"AuthorizeURLOptions": "AUTHORIZE_URL_OPTIONS", "ClientConfig": "CLIENT_CONFIG",
	} {
		if got := upperSnake(in); got != want {
			t.Errorf("upperSnake(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every code has a meaning, and a code only JavaScript throws is in the
// one list too.
func TestCodes(t *testing.T) {
	root, _ := repoRoot()
	codes, err := readCodes(filepath.Join(root, "wasm", "oauth", "errors.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c.value] || c.meaning == "" || strings.ContainsAny(c.value, "'\\ ") {
			t.Errorf("code %q: doubled, without a meaning, or not a plain name", c.value)
		}
		seen[c.value] = true
	}
	for _, js := range []string{"load_failed", "popup_blocked", "popup_closed"} {
		if !seen[js] {
			t.Errorf("the code %s, which only JavaScript throws, is not in errors.go", js)
		}
	}
}

// A published limit's JavaScript name says its unit: a time's ends in Ms.
func TestPublishedNames(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range limits.Published {
		if seen[l.Name] || strings.HasSuffix(l.Name, "Ms") != (l.Unit == limits.Duration) {
			t.Errorf("limit %s: doubled, or its name does not say it is a time", l.Name)
		}
		seen[l.Name] = true
	}
}

// A limit's value named in prose follows wasm/limits, a relay timing's its
// package; a value naming neither is refused.
func TestInlineLimits(t *testing.T) {
	in := "more than 5 s (`expiryMarginMs`) left, 999 (`maxScopes`) scopes, 100 to 600 000 (`maxTimeoutMs`), a cookie of 9 days (`refreshLifetime`), 1 s (`drain`)"
	want := "more than 1 minute (`expiryMarginMs`) left, 256 (`maxScopes`) scopes, 100 to 10 minutes (`maxTimeoutMs`), a cookie of 30 days (`refreshLifetime`), 5 s (`drain`)"
	got, err := inlineLimits([]byte(in))
	if err != nil || string(got) != want {
		t.Errorf("got  %s (%v)\nwant %s", got, err, want)
	}
	if _, err := inlineLimits([]byte("7 KiB (`noSuchLimit`) and 3 s (`drain`)")); err == nil || !strings.Contains(err.Error(), "7 KiB (`noSuchLimit`)") {
		t.Errorf("a value naming no limit: %v", err)
	}
}

// Every relay timing has a name of its own, a row's words and a duration.
func TestRelayTimings(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range limits.Published {
		seen[l.Name] = true
	}
	for _, l := range relayTimings() {
		if seen[l.Name] || l.Doc == "" || l.Unit != limits.Duration || l.Value <= 0 {
			t.Errorf("relay timing %s: doubled, without words, or not a duration", l.Name)
		}
		seen[l.Name] = true
	}
}

// A call's options in braces follow wasm/options; an example with values,
// or a call that takes no options object, is left as it is.
func TestInlineSignatures(t *testing.T) {
	in := "`handleRedirect(url?, {old?})`, `load({})`, `load({wasm: bytes})`, `me({x})`"
	want := "`handleRedirect(url?, {cleanAddressBar?})`, `load({wasmURL?, wasm?, timeoutMs?})`, `load({wasm: bytes})`, `me({x})`"
	if got := string(inlineSignatures([]byte(in))); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// The kinds come from options.go, each with a TypeScript type: a kind added
// there without one fails the generation rather than typing options as "".
func TestKindsNeedATSType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "options.go")
	src := "package options\n\ntype Kind string\n\nconst (\n\tKindText Kind = \"string\"\n\tKindNew Kind = \"new\"\n)\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readKinds(path); err == nil || !strings.Contains(err.Error(), "KindNew") {
		t.Errorf("a kind without a TypeScript type: %v", err)
	}
	kinds, err := readKinds(filepath.Join("..", "..", "options", "options.go"))
	if err != nil || len(kinds) != len(tsTypes) {
		t.Errorf("options.go's kinds: %v, %v (tsTypes has %d)", kinds, err, len(tsTypes))
	}
}
