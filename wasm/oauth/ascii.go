package oauth

import "gotoauth/wasm/form"

// ASCII-only text helpers (and form.ASCIILower). Every name and value compared here is ASCII by
// its RFC; the strings package's Unicode-aware versions would link
// Unicode's case and space tables into every page's module.

// isBearer reports whether a token_type names the Bearer scheme, which
// RFC 6750 §4 and RFC 7235 §2.1 compare case-insensitively.
func isBearer(s string) bool { return form.ASCIILower(s) == "bearer" }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// trimSpace removes ASCII white space at both ends.
func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// fields splits s at runs of ASCII white space; it never returns nil.
func fields(s string) []string {
	out := []string{}
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || isSpace(s[i]) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}
