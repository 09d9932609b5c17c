package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/relayapi"
)

// The sealed refresh cookie.
//
// Its value is the id of the key that sealed it (KeyID), a ".", and
// base64url without padding (RFC 4648 §5) of
//
//	nonce (12 bytes) || AES-256-GCM ciphertext and tag (16 bytes)
//
// and the plaintext is
//
//	issued at (8 bytes, Unix seconds, big endian) ||
//	expires at (8 bytes, Unix seconds, big endian) ||
//	sign-in id (16 random bytes) ||
//	the refresh token
//
// The sign-in id is drawn when a code is redeemed and carried by every
// cookie that sign-in's refreshes seal, so that a sign-out can end them all
// (signout.go). The additional data is "gotoauth-relay/v3", the cookie's
// name, the client id and the key id, separated by NUL bytes: a cookie
// sealed for another name, another client or another format version does
// not open, and its key id cannot be changed. Each seal draws a fresh
// random 96-bit nonce (NIST SP 800-38D §8.2.2), which keeps the chance of
// a repeat negligible far beyond the number of cookies one key will seal;
// GCM authenticates everything, so a cookie can be neither read nor
// forged, only replayed whole until its sealed expiry.
//
// Cookies are sealed with Config.CookieKey and opened with it or any of
// Config.OldCookieKeys (a keyring), so that the key can be rotated without
// signing anyone out. The key id says which key a cookie needs: an
// instance that lacks it can tell a cookie sealed by an instance that
// already has a new key (a rolling rotation) from one that is not a
// cookie at all (keyid.go decides what to answer). The id is a truncated
// HMAC of a fixed string under the key: it names the key without telling
// anything about it.
//
// Cookies of the earlier format (v2: no key id, "gotoauth-relay/v2" in the
// additional data) still open with any key of the ring, and are sealed
// again in this format when next answered.
const (
	// CookieName is the refresh cookie's name.
	CookieName = relayapi.CookieName
	// RefreshLifetime is how long a refresh cookie lives: GoTo's refresh
	// tokens last about 30 days ("Migrating to New Token Retrieval with
	// authentication.logmeininc.com").
	RefreshLifetime = 30 * 24 * time.Hour

	sealVersion   = "gotoauth-relay/v3"
	legacyVersion = "gotoauth-relay/v2"
	keyIDSize     = 8 // bytes, written in hex
	nonceSize     = 12
	headerSize    = 16 + signInSize // issued at, expires at, sign-in id
	signInSize    = 16
	// maxSkew is how far in the future an issued-at may lie: the relay's
	// clock may step back a little between seal and open.
	maxSkew = 5 * time.Minute
	// maxCookieBytes is what browsers keep of one cookie, name and value
	// (RFC 6265 §6.1 asks for at least 4096 bytes).
	maxCookieBytes = 4096
)

// sealed is an opened refresh cookie.
type sealed struct {
	token    string
	signIn   signIn
	issued   time.Time
	expires  time.Time
	original string // the cookie value it was read from
}

// sealer seals and opens refresh cookies with one key.
type sealer struct {
	id       string // KeyID of the key
	aead     cipher.AEAD
	ad       []byte
	legacyAD []byte // the additional data of v2 cookies
}

// KeyID names a cookie key without revealing it: the first 8 bytes of
// HMAC-SHA-256 under the key of "gotoauth-relay/key-id", in hex. Sealed
// cookies carry it, logs name keys by it, and instances announce the ids
// they hold to the store.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gotoauth-relay/key-id"))
	return hex.EncodeToString(m.Sum(nil)[:keyIDSize])
}

func newSealer(key []byte, clientID string) (*sealer, error) {
	if len(key) != KeySize {
		return nil, errors.New("relay: the cookie key must be 32 bytes (AES-256), not " + strconv.Itoa(len(key)))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := KeyID(key)
	return &sealer{
		id:       id,
		aead:     aead,
		ad:       []byte(sealVersion + "\x00" + CookieName + "\x00" + clientID + "\x00" + id),
		legacyAD: []byte(legacyVersion + "\x00" + CookieName + "\x00" + clientID),
	}, nil
}

// signIn identifies one sign-in: one redeemed code and every refresh
// token that follows from it.
type signIn [signInSize]byte

// newSignIn draws a sign-in id.
func newSignIn() signIn {
	var id signIn
	rand.Read(id[:]) // never fails since Go 1.24
	return id
}

// String is the id in hex, as the store records it.
func (id signIn) String() string { return hex.EncodeToString(id[:]) }

// seal returns the cookie value for a refresh token of sign-in id issued at
// now, and its expiry.
func (s *sealer) seal(token string, id signIn, now time.Time) (string, time.Time) {
	return s.sealUntil(token, id, now, now.Add(RefreshLifetime))
}

// sealUntil is seal with the expiry given: a cookie sealed again under a
// new key keeps the expiry it had.
func (s *sealer) sealUntil(token string, id signIn, now, expires time.Time) (string, time.Time) {
	plain := make([]byte, headerSize, headerSize+len(token))
	binary.BigEndian.PutUint64(plain[0:8], uint64(now.Unix()))
	binary.BigEndian.PutUint64(plain[8:16], uint64(expires.Unix()))
	copy(plain[16:headerSize], id[:])
	plain = append(plain, token...)
	out := make([]byte, nonceSize, nonceSize+len(plain)+s.aead.Overhead())
	rand.Read(out) // the nonce; never fails since Go 1.24
	out = s.aead.Seal(out, out[:nonceSize], plain, s.ad)
	return s.id + "." + base64.RawURLEncoding.EncodeToString(out), time.Unix(expires.Unix(), 0)
}

// openBody opens a cookie's sealed part, decoded (decodeBody), with
// additional data ad.
func (s *sealer) openBody(b []byte, ad []byte, value string, now time.Time) (*sealed, error) {
	plain, err := s.aead.Open(nil, b[:nonceSize], b[nonceSize:], ad)
	if err != nil {
		return nil, errBadCookie
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(plain[0:8])), 0)
	expires := time.Unix(int64(binary.BigEndian.Uint64(plain[8:16])), 0)
	token := string(plain[headerSize:])
	var id signIn
	copy(id[:], plain[16:headerSize])
	switch {
	case token == "" || len(token) > limits.MaxTokenLength:
		return nil, errBadCookie
	case issued.After(now.Add(maxSkew)) || expires.Sub(issued) > RefreshLifetime:
		return nil, errBadCookie
	case !now.Before(expires):
		return nil, errExpiredCookie
	}
	return &sealed{token: token, signIn: id, issued: issued, expires: expires, original: value}, nil
}

// splitCookie cuts a cookie value into its key id and its sealed part,
// decoded, and reports whether the value has that form: a key id of the
// right length in lowercase hex, a ".", and a sealed part that is long
// enough and within a browser's bounds. It does not say the cookie opens.
func splitCookie(value string) (id string, body []byte, ok bool) {
	if len(value) > maxCookieBytes {
		return "", nil, false
	}
	id, text, found := strings.Cut(value, ".")
	if !found || len(id) != 2*keyIDSize || strings.Trim(id, "0123456789abcdef") != "" {
		return "", nil, false
	}
	if body, ok = decodeBody(text); !ok {
		return "", nil, false
	}
	return id, body, true
}

// decodeBody decodes a cookie's sealed part, which must be long enough to
// hold a nonce, a tag and the plaintext's header.
func decodeBody(body string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(b) < nonceSize+16+headerSize {
		return nil, false
	}
	return b, true
}

// keyring seals with the current key and opens with it or an old one.
type keyring struct {
	current *sealer
	old     []*sealer
}

func newKeyring(current []byte, old [][]byte, clientID string) (*keyring, error) {
	c, err := newSealer(current, clientID)
	if err != nil {
		return nil, err
	}
	k := &keyring{current: c}
	for _, key := range old {
		s, err := newSealer(key, clientID)
		if err != nil {
			return nil, errors.New("relay: an old cookie key: " + err.Error())
		}
		k.old = append(k.old, s)
	}
	return k, nil
}

func (k *keyring) seal(token string, id signIn, now time.Time) (string, time.Time) {
	return k.current.seal(token, id, now)
}

// open opens value with the key its key id names, and reports whether
// that is an old one (or the value is in the v2 format): such a cookie is
// sealed again. A well-formed cookie whose key id is not in the ring is a
// *missingKeyError; one that is not well-formed or does not open,
// errBadCookie.
func (k *keyring) open(value string, now time.Time) (s *sealed, old bool, err error) {
	if len(value) > maxCookieBytes {
		return nil, false, errBadCookie
	}
	if !strings.Contains(value, ".") {
		return k.openLegacy(value, now)
	}
	id, body, ok := splitCookie(value)
	if !ok {
		return nil, false, errBadCookie
	}
	for i, sl := range k.all() {
		if sl.id == id {
			s, err := sl.openBody(body, sl.ad, value, now)
			return s, i > 0 && err == nil, err
		}
	}
	return nil, false, &missingKeyError{id: id}
}

// openLegacy opens a v2 cookie, which names no key, with any of the ring.
func (k *keyring) openLegacy(value string, now time.Time) (*sealed, bool, error) {
	b, ok := decodeBody(value)
	if !ok {
		return nil, false, errBadCookie
	}
	for _, sl := range k.all() {
		if s, err := sl.openBody(b, sl.legacyAD, value, now); err != errBadCookie {
			return s, err == nil, err
		}
	}
	return nil, false, errBadCookie
}

// all is the current sealer, then the old ones.
func (k *keyring) all() []*sealer { return append([]*sealer{k.current}, k.old...) }

// ids are the key ids of the ring, the current key's first.
func (k *keyring) ids() []string {
	var ids []string
	for _, sl := range k.all() {
		ids = append(ids, sl.id)
	}
	return ids
}

// missingKeyError is a well-formed cookie sealed with a key that is not in
// this instance's ring.
type missingKeyError struct{ id string }

func (e *missingKeyError) Error() string {
	return "the refresh cookie was sealed with key " + e.id + ", which this instance does not hold"
}

var (
	errBadCookie     = errors.New("the refresh cookie is not one this relay sealed")
	errExpiredCookie = errors.New("the refresh cookie expired")
)
