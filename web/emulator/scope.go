package emulator

import (
	"strings"

	"gotoauth/wasm/oauth"
)

// parseScope splits a space separated scope (RFC 6749 §3.3), dropping
// duplicates; empty means DefaultScope.
func parseScope(s string) ([]string, bool) {
	if s == "" {
		return []string{DefaultScope}, true
	}
	if len(s) > maxScopeLen {
		return nil, false
	}
	var out []string
	seen := make(map[string]bool)
	for _, p := range strings.Split(s, " ") {
		if !oauth.ScopeToken(p) {
			return nil, false
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, true
}

// subset reports whether every scope of a is also in b.
func subset(a, b []string) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
