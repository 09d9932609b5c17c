package relay

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var sealNow = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// open reads a cookie value sealed by s alone (the relay opens with its
// keyring, which finds the sealer by the cookie's key id): it refuses
// anything altered, cut, sealed otherwise, expired at now or issued
// implausibly far in the future.
func (s *sealer) open(value string, now time.Time) (*sealed, error) {
	id, body, ok := splitCookie(value)
	if !ok || id != s.id {
		return nil, errBadCookie
	}
	return s.openBody(body, s.ad, value, now)
}

func mustSealer(t testing.TB, key []byte, id string) *sealer {
	t.Helper()
	s, err := newSealer(key, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cookieBytes splits a sealed cookie value into its key id and its sealed
// bytes; cookieOf puts them together again.
func cookieBytes(t *testing.T, value string) (string, []byte) {
	t.Helper()
	id, body, ok := strings.Cut(value, ".")
	b, err := base64.RawURLEncoding.DecodeString(body)
	if !ok || err != nil {
		t.Fatalf("%q is not a sealed cookie", value)
	}
	return id, b
}

func cookieOf(id string, b []byte) string {
	return id + "." + base64.RawURLEncoding.EncodeToString(b)
}

func TestSealRoundTrip(t *testing.T) {
	s := mustSealer(t, testKey, clientID)
	for _, token := range []string{"r", "rt-1", strings.Repeat("é+/=", 500), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig"} {
		v, exp := s.seal(token, testSignIn, sealNow)
		if !exp.Equal(sealNow.Add(RefreshLifetime)) {
			t.Errorf("expiry %v", exp)
		}
		if len(token) > 4 && strings.Contains(v, token) || strings.ContainsAny(v, "=+/;, \"") {
			t.Errorf("cookie value %q shows the token or has characters a cookie should not", v)
		}
		got, err := s.open(v, exp.Add(-time.Second))
		if err != nil || got.token != token {
			t.Fatalf("open(%q) = %+v, %v", token, got, err)
		}
		if _, err := s.open(v, exp); err != errExpiredCookie {
			t.Fatalf("open(%q) at its sealed expiry: %v", token, err)
		}
	}
	// Every seal draws a fresh nonce.
	a, _ := s.seal("same", testSignIn, sealNow)
	b, _ := s.seal("same", testSignIn, sealNow)
	if a == b {
		t.Error("two seals of one token are equal: the nonce repeats")
	}
}

func TestSealRefusals(t *testing.T) {
	s := mustSealer(t, testKey, clientID)
	v, _ := s.seal("rt-secret", testSignIn, sealNow)
	id, raw := cookieBytes(t, v)
	later := sealNow.Add(time.Hour)

	refused := map[string]string{
		"empty":      "",
		"not base64": "!!!" + v,
		"padded":     v + "==",
		"truncated":  v[:len(v)-1],
		"too short":  v[:20],
		"nonce only": cookieOf(id, raw[:nonceSize]),
		"no key id":  v[len(id)+1:],
		"empty id":   v[len(id):],
		"short id":   v[1:],
		"upper id":   strings.ToUpper(id) + v[len(id):],
		"two dots":   v + ".x",
		"oversized":  strings.Repeat("A", maxCookieBytes+1),
	}
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		refused[fmt.Sprintf("byte %d flipped", i)] = cookieOf(id, b)
	}
	for name, value := range refused {
		if got, err := s.open(value, later); err == nil {
			t.Errorf("%s: opened to %q", name, got.token)
		}
	}

	other := bytes.Clone(testKey)
	other[0] ^= 1
	if _, err := mustSealer(t, other, clientID).open(v, later); err != errBadCookie {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := mustSealer(t, testKey, "another-client").open(v, later); err != errBadCookie {
		t.Errorf("other client: %v", err)
	}
	// Another cookie name or format version is other additional data.
	renamed := mustSealer(t, testKey, clientID)
	renamed.ad = []byte(sealVersion + "\x00other_cookie\x00" + clientID)
	if _, err := renamed.open(v, later); err != errBadCookie {
		t.Errorf("other cookie name: %v", err)
	}

	if _, err := s.open(v, sealNow.Add(RefreshLifetime)); err != errExpiredCookie {
		t.Errorf("at expiry: %v", err)
	}
	if _, err := s.open(v, sealNow.Add(RefreshLifetime-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	// Issued in the future beyond the skew: the clock went back, or worse.
	future, _ := s.seal("rt", testSignIn, sealNow.Add(time.Hour))
	if _, err := s.open(future, sealNow); err != errBadCookie {
		t.Errorf("issued an hour ahead: %v", err)
	}
	near, _ := s.seal("rt", testSignIn, sealNow.Add(time.Minute))
	if _, err := s.open(near, sealNow); err != nil {
		t.Errorf("issued a minute ahead: %v", err)
	}

	if _, err := newSealer(make([]byte, 16), clientID); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

// Whatever a browser sends as the cookie, opening it neither panics nor
// opens anything the relay did not seal.
func FuzzOpen(f *testing.F) {
	k, err := newKeyring(testKey, [][]byte{bytes.Repeat([]byte{9}, KeySize)}, clientID)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.seal("rt", testSignIn, sealNow)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(sealV2(f, testKey, "rt", sealNow))
	foreign, _ := newSealer(bytes.Repeat([]byte{10}, KeySize), clientID)
	other, _ := foreign.seal("rt", testSignIn, sealNow)
	f.Add(other)
	f.Add("")
	f.Add(strings.Repeat("A", 64))
	f.Fuzz(func(t *testing.T, value string) {
		// Only what was sealed here opens: the one token, the one sign-in.
		s, _, err := k.open(value, sealNow)
		if err == nil && (s.token != "rt" || s.signIn != testSignIn) {
			t.Fatalf("%q opened to %+v", value, s)
		}
		// A missing key is only ever claimed for a well-formed cookie.
		var missing *missingKeyError
		if _, _, ok := splitCookie(value); errors.As(err, &missing) && !ok {
			t.Fatalf("%q: %v", value, err)
		}
	})
}

// KeyID names a key in 16 hex digits, the same for the same key, another
// for another key, and shows nothing of it; a cookie starts with the id of
// the key that sealed it.
func TestKeyID(t *testing.T) {
	other := bytes.Clone(testKey)
	other[31] ^= 1
	id := KeyID(testKey)
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" || id != KeyID(bytes.Clone(testKey)) || id == KeyID(other) {
		t.Fatalf("KeyID %q, %q for another key", id, KeyID(other))
	}
	if strings.Contains(id, fmt.Sprintf("%x", testKey[:4])) {
		t.Fatal("the id shows the key")
	}
	v, _ := mustSealer(t, testKey, clientID).seal("rt", testSignIn, sealNow)
	if !strings.HasPrefix(v, id+".") {
		t.Fatalf("cookie %q does not start with its key id", v)
	}
}

// The keyring opens a cookie with the key its id names, says when that is
// an old key, and tells a well-formed cookie of a key it lacks (with the
// id) from one that does not open.
func TestKeyringOpen(t *testing.T) {
	k1, k2, k3 := testKey, bytes.Repeat([]byte{8}, KeySize), bytes.Repeat([]byte{9}, KeySize)
	ring, err := newKeyring(k2, [][]byte{k1}, clientID)
	if err != nil {
		t.Fatal(err)
	}
	byOld, _ := mustSealer(t, k1, clientID).seal("rt-1", testSignIn, sealNow)
	byCurrent, _ := ring.seal("rt-2", testSignIn, sealNow)
	byMissing, _ := mustSealer(t, k3, clientID).seal("rt-3", testSignIn, sealNow)
	if s, old, err := ring.open(byOld, sealNow); err != nil || !old || s.token != "rt-1" {
		t.Errorf("old key: %+v %v %v", s, old, err)
	}
	if s, old, err := ring.open(byCurrent, sealNow); err != nil || old || s.token != "rt-2" {
		t.Errorf("current key: %+v %v %v", s, old, err)
	}
	var missing *missingKeyError
	if _, _, err := ring.open(byMissing, sealNow); !errors.As(err, &missing) || missing.id != KeyID(k3) {
		t.Errorf("missing key: %v", err)
	}
	// Another key's id on this key's cookie: it does not open.
	_, body, _ := strings.Cut(byCurrent, ".")
	if _, _, err := ring.open(KeyID(k1)+"."+body, sealNow); err != errBadCookie {
		t.Errorf("swapped id: %v", err)
	}
	if got := ring.ids(); len(got) != 2 || got[0] != KeyID(k2) || got[1] != KeyID(k1) {
		t.Errorf("ids %v", got)
	}
}

// A cookie of the earlier format (v2: no key id) opens with any key of the
// ring, as an old one, so that it is sealed again; nothing else that
// lacks a key id opens.
func TestLegacyCookie(t *testing.T) {
	ring, err := newKeyring(bytes.Repeat([]byte{8}, KeySize), [][]byte{testKey}, clientID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := sealV2(t, testKey, "rt-legacy", sealNow)
	s, old, err := ring.open(v2, sealNow)
	if err != nil || !old || s.token != "rt-legacy" || s.signIn != testSignIn {
		t.Fatalf("v2 cookie: %+v %v %v", s, old, err)
	}
	if _, _, err := ring.open(sealV2(t, bytes.Repeat([]byte{9}, KeySize), "rt", sealNow), sealNow); err != errBadCookie {
		t.Errorf("v2 cookie of another key: %v", err)
	}
}

// sealV2 seals a cookie as the relay did before cookies carried a key id.
func sealV2(t testing.TB, key []byte, token string, now time.Time) string {
	t.Helper()
	s := mustSealer(t, key, clientID)
	s.ad = s.legacyAD
	v, _ := s.seal(token, testSignIn, now)
	return v[len(s.id)+1:]
}
