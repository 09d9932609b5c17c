package pkce

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// RFC 7636 Appendix B: the 32 octets of the example verifier, their
// base64url encoding (the code_verifier, §4.1), the SHA-256 of that ASCII
// text, and its base64url encoding (the S256 code_challenge, §4.2).
func TestChallengeRFC7636AppendixB(t *testing.T) {
	octets := []byte{116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
		22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121}
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	hash := [32]byte{19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8,
		118, 168, 120, 173, 109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195}
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

	// NewVerifier encodes its random octets with base64.RawURLEncoding.
	if got := base64.RawURLEncoding.EncodeToString(octets); got != verifier {
		t.Fatalf("verifier = %q, want %q", got, verifier)
	}
	if !ValidVerifier(verifier) {
		t.Fatal("the RFC's example verifier is refused")
	}
	if got := Sum256([]byte(verifier)); got != hash {
		t.Fatalf("SHA-256 = %v, want %v", got, hash)
	}
	if got := Challenge(verifier); got != challenge {
		t.Fatalf("Challenge = %q, want %q", got, challenge)
	}
}

func TestNewVerifier(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		v, err := NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		if !ValidVerifier(v) {
			t.Fatalf("%q is not a valid verifier", v)
		}
		if len(v) != VerifierLength {
			t.Fatalf("len %d", len(v))
		}
		// 48 random bytes: at least 256 bits as RFC 7636 §7.1 recommends,
		// in the one base64url encoding of those bytes (RFC 7636 §4.1).
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) != VerifierLength*3/4 || len(raw)*8 < 256 {
			t.Fatalf("verifier %q decodes to %d bytes (%v)", v, len(raw), err)
		}
		if base64.RawURLEncoding.EncodeToString(raw) != v {
			t.Fatalf("verifier %q is not the canonical base64url of its bytes", v)
		}
		if seen[v] {
			t.Fatal("verifier repeated")
		}
		seen[v] = true
	}
}

func TestNewState(t *testing.T) {
	a, err := NewState()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewState()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 || base64.RawURLEncoding.EncodeToString(raw) != a {
		t.Fatalf("state %q has %d bits", a, len(raw)*8)
	}
	if a == b {
		t.Fatal("state repeated")
	}
}

func TestValidVerifier(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{strings.Repeat("a", 42), false},
		{strings.Repeat("a", 43), true},
		{strings.Repeat("~._-", 32), true},
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 50) + " ", false},
		{strings.Repeat("a", 50) + "+", false},
		{strings.Repeat("é", 30), false},
		{"", false},
	} {
		if got := ValidVerifier(tc.v); got != tc.ok {
			t.Errorf("ValidVerifier(%q) = %v, want %v", tc.v, got, tc.ok)
		}
	}
}

// Every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" is refused.
func TestValidVerifierAlphabet(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	for c := 0; c < 256; c++ {
		v := strings.Repeat("a", 42) + string([]byte{byte(c)})
		if got, want := ValidVerifier(v), strings.IndexByte(alphabet, byte(c)) >= 0; got != want {
			t.Errorf("byte %#x: ValidVerifier = %v, want %v", c, got, want)
		}
	}
}

func TestSum256MatchesStdlib(t *testing.T) {
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*131 + n*7)
		}
		if Sum256(b) != sha256.Sum256(b) {
			t.Fatalf("length %d differs", n)
		}
	}
	// FIPS 180-4 example "abc".
	want := "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
	if got := Challenge("abc"); got != want {
		t.Fatalf("abc: %s", got)
	}
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	f.Add(make([]byte, 55))
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		if Sum256(b) != sha256.Sum256(b) {
			t.Fatalf("Sum256 differs for %x", b)
		}
		want := sha256.Sum256(b)
		if Challenge(string(b)) != base64.RawURLEncoding.EncodeToString(want[:]) {
			t.Fatalf("Challenge differs for %x", b)
		}
	})
}

func BenchmarkChallenge(b *testing.B) {
	v, _ := NewVerifier()
	for b.Loop() {
		Challenge(v)
	}
}
