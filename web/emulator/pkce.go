package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"

	"gotoauth/wasm/form"
)

// validPKCEString checks the code_verifier / S256 code_challenge syntax of
// RFC 7636 §4.1: 43 to 128 unreserved characters (RFC 3986 §2.3, whose one
// table is form's).
func validPKCEString(s string) bool {
	return len(s) >= 43 && len(s) <= 128 && form.Unreserved(s)
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
