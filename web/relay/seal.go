package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"gotoauth/wasm/oauth"
)

// The sealed refresh cookie.
//
// Its value is base64url without padding (RFC 4648 §5) of
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
// (signout.go). The additional data is "gotoauth-relay/v2", the cookie's name and the
// client id, separated by NUL bytes: a cookie sealed for another name,
// another client or another format version does not open. Each seal draws
// a fresh random 96-bit nonce (NIST SP 800-38D §8.2.2), which keeps the
// chance of a repeat negligible far beyond the number of cookies one key
// will seal; GCM authenticates everything, so a cookie can be neither read
// nor forged, only replayed whole until its sealed expiry.
//
// Cookies are sealed with Config.CookieKey and opened with it or any of
// Config.OldCookieKeys (a keyring), so that the key can be rotated without
// signing anyone out.
const (
	// CookieName is the refresh cookie's name.
	CookieName = "gotoauth_relay"
	// RefreshLifetime is how long a refresh cookie lives: GoTo's refresh
	// tokens last about 30 days ("Migrating to New Token Retrieval with
	// authentication.logmeininc.com").
	RefreshLifetime = 30 * 24 * time.Hour

	sealVersion = "gotoauth-relay/v2"
	nonceSize   = 12
	headerSize  = 16 + signInSize // issued at, expires at, sign-in id
	signInSize  = 16
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
	aead cipher.AEAD
	ad   []byte
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
	ad := []byte(sealVersion + "\x00" + CookieName + "\x00" + clientID)
	return &sealer{aead: aead, ad: ad}, nil
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
	return base64.RawURLEncoding.EncodeToString(out), time.Unix(expires.Unix(), 0)
}

// open reads a cookie value sealed by seal with the same key, name and
// client; it refuses anything altered, cut, sealed otherwise, expired at
// now or issued implausibly far in the future.
func (s *sealer) open(value string, now time.Time) (*sealed, error) {
	if len(value) > maxCookieBytes {
		return nil, errBadCookie
	}
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < nonceSize+s.aead.Overhead()+headerSize {
		return nil, errBadCookie
	}
	plain, err := s.aead.Open(nil, b[:nonceSize], b[nonceSize:], s.ad)
	if err != nil {
		return nil, errBadCookie
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(plain[0:8])), 0)
	expires := time.Unix(int64(binary.BigEndian.Uint64(plain[8:16])), 0)
	token := string(plain[headerSize:])
	var id signIn
	copy(id[:], plain[16:headerSize])
	switch {
	case token == "" || len(token) > oauth.MaxTokenLength:
		return nil, errBadCookie
	case issued.After(now.Add(maxSkew)) || expires.Sub(issued) > RefreshLifetime:
		return nil, errBadCookie
	case !now.Before(expires):
		return nil, errExpiredCookie
	}
	return &sealed{token: token, signIn: id, issued: issued, expires: expires, original: value}, nil
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

// open opens value with the current key, or else with an old one, and
// reports which: a cookie opened with an old key is sealed again.
func (k *keyring) open(value string, now time.Time) (s *sealed, old bool, err error) {
	s, err = k.current.open(value, now)
	if err != errBadCookie {
		return s, false, err
	}
	for _, o := range k.old {
		if s, err2 := o.open(value, now); err2 != errBadCookie {
			return s, true, err2
		}
	}
	return nil, false, err
}

var (
	errBadCookie     = errors.New("the refresh cookie is not one this relay sealed")
	errExpiredCookie = errors.New("the refresh cookie expired")
)
