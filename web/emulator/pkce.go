package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

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
