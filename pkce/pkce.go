// Package pkce implements Proof Key for Code Exchange (RFC 7636) and the
// random state values that go with an authorization request.
package pkce

import "errors"

// MethodS256 is the only code_challenge_method this package produces
// (RFC 7636 §4.2); "plain" is never sent.
const MethodS256 = "S256"

// VerifierLength is the length of the verifiers NewVerifier returns:
// 64 characters of the unreserved set, 384 bits of entropy.
const VerifierLength = 64

// Verifiers must be 43 to 128 characters (RFC 7636 §4.1).
const (
	MinVerifierLength = 43
	MaxVerifierLength = 128
)

// ErrInvalidVerifier is returned by CheckVerifier.
var ErrInvalidVerifier = errors.New("pkce: code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")

// base64url without padding, the alphabet of RFC 4648 §5. Every character is
// in RFC 7636's unreserved set.
const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// NewVerifier returns a code_verifier of VerifierLength characters made from
// 48 bytes of the platform CSPRNG, encoded as base64url (RFC 7636 §4.1).
func NewVerifier() (string, error) {
	var b [VerifierLength * 3 / 4]byte
	if err := randomBytes(b[:]); err != nil {
		return "", err
	}
	return encode(b[:]), nil
}

// NewState returns an opaque state value of 32 random bytes (256 bits),
// base64url encoded, for the CSRF protection of RFC 6749 §10.12.
func NewState() (string, error) {
	var b [32]byte
	if err := randomBytes(b[:]); err != nil {
		return "", err
	}
	return encode(b[:]), nil
}

// Challenge returns the S256 code_challenge for verifier:
// BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := Sum256([]byte(verifier))
	return encode(sum[:])
}

// CheckVerifier reports whether v is a well-formed code_verifier
// (RFC 7636 §4.1).
func CheckVerifier(v string) error {
	if len(v) < MinVerifierLength || len(v) > MaxVerifierLength {
		return ErrInvalidVerifier
	}
	for i := 0; i < len(v); i++ {
		if !unreserved(v[i]) {
			return ErrInvalidVerifier
		}
	}
	return nil
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// encode is base64url without padding (RFC 4648 §5). It is written out here
// because encoding/base64 would be the only user of its package in the wasm
// module.
func encode(src []byte) string {
	dst := make([]byte, (len(src)*8+5)/6)
	di := 0
	for si := 0; si+3 <= len(src); si += 3 {
		v := uint(src[si])<<16 | uint(src[si+1])<<8 | uint(src[si+2])
		dst[di], dst[di+1], dst[di+2], dst[di+3] = b64url[v>>18&63], b64url[v>>12&63], b64url[v>>6&63], b64url[v&63]
		di += 4
	}
	switch rem := len(src) % 3; rem {
	case 1:
		v := uint(src[len(src)-1]) << 16
		dst[di], dst[di+1] = b64url[v>>18&63], b64url[v>>12&63]
	case 2:
		v := uint(src[len(src)-2])<<16 | uint(src[len(src)-1])<<8
		dst[di], dst[di+1], dst[di+2] = b64url[v>>18&63], b64url[v>>12&63], b64url[v>>6&63]
	}
	return string(dst)
}
