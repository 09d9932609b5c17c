// Package pkce implements Proof Key for Code Exchange (RFC 7636) and the
// random state values that go with an authorization request.
package pkce

import (
	"encoding/base64"
	"strconv"
)

// MethodS256 is the only code_challenge_method this package produces
// (RFC 7636 §4.2); "plain" is never sent.
const MethodS256 = "S256"

// VerifierLength is the length of the verifiers NewVerifier returns:
// 64 characters of the unreserved set, 384 bits of entropy.
const VerifierLength = 64

// NewVerifier returns a code_verifier of VerifierLength characters made from
// 48 bytes of the platform CSPRNG, encoded as base64url without padding
// (RFC 7636 §4.1; RFC 4648 §5), whose alphabet is inside the unreserved set.
func NewVerifier() (string, error) {
	var b [VerifierLength * 3 / 4]byte
	if err := randomBytes(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// NewState returns an opaque state value of 32 random bytes (256 bits),
// base64url encoded, for the CSRF protection of RFC 6749 §10.12.
func NewState() (string, error) {
	var b [32]byte
	if err := randomBytes(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Challenge returns the S256 code_challenge for verifier:
// BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// A code_verifier is 43 to 128 characters (RFC 7636 §4.1); so is a
// code_challenge (§4.2).
const (
	minVerifierLength = 43
	maxVerifierLength = 128
)

// ValidVerifier reports whether v has the syntax RFC 7636 gives a
// code_verifier (§4.1), and a code_challenge (§4.2): minVerifierLength to
// maxVerifierLength characters of the unreserved set. It is the one check
// of that syntax: the relay and the emulator call it.
func ValidVerifier(v string) bool {
	if len(v) < minVerifierLength || len(v) > maxVerifierLength {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !Unreserved(v[i]) {
			return false
		}
	}
	return true
}

// Unreserved reports whether c is of the verifier's alphabet as RFC 7636
// §4.1 writes it: ALPHA / DIGIT / "-" / "." / "_" / "~", RFC 3986 §2.3's
// unreserved set, whose one definition this is (form's table is built from
// it; pkce, at the bottom of the module, imports none of it).
func Unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// VerifierRule says what ValidVerifier accepts, for error messages.
func VerifierRule() string {
	return strconv.Itoa(minVerifierLength) + " to " + strconv.Itoa(maxVerifierLength) + " characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)"
}
