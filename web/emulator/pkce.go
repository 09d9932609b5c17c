package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// validPKCEString checks the code_verifier / S256 code_challenge syntax of
// RFC 7636 §4.1: 43 to 128 unreserved characters.
func validPKCEString(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// pkceMatches checks a code_verifier against the authorization request's
// code_challenge (RFC 7636 §4.6), in constant time.
func pkceMatches(method, challenge, verifier string) bool {
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
