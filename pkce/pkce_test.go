package pkce

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// RFC 7636 Appendix B.
func TestChallengeRFC7636AppendixB(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const want = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if got := Challenge(verifier); got != want {
		t.Fatalf("Challenge = %q, want %q", got, want)
	}
}

func TestNewVerifier(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		v, err := NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckVerifier(v); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if len(v) != VerifierLength {
			t.Fatalf("len %d", len(v))
		}
		// 48 random bytes: at least 256 bits as RFC 7636 §7.1 recommends.
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw)*8 < 256 {
			t.Fatalf("verifier %q decodes to %d bytes (%v)", v, len(raw), err)
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
	if err != nil || len(raw)*8 < 128 {
		t.Fatalf("state %q has %d bits", a, len(raw)*8)
	}
	if a == b {
		t.Fatal("state repeated")
	}
}

func TestCheckVerifier(t *testing.T) {
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
		if err := CheckVerifier(tc.v); (err == nil) != tc.ok {
			t.Errorf("CheckVerifier(%q) = %v, want ok=%v", tc.v, err, tc.ok)
		}
	}
}

func TestEncodeMatchesStdlib(t *testing.T) {
	for n := 0; n < 70; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + n)
		}
		if got, want := encode(b), base64.RawURLEncoding.EncodeToString(b); got != want {
			t.Fatalf("n=%d: %q != %q", n, got, want)
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
		if encode(b) != base64.RawURLEncoding.EncodeToString(b) {
			t.Fatalf("encode differs for %x", b)
		}
	})
}

func BenchmarkChallenge(b *testing.B) {
	v, _ := NewVerifier()
	for b.Loop() {
		Challenge(v)
	}
}
