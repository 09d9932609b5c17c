package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/relayapi"
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
//	the refresh token
//
// The additional data is "gotoauth-relay/v1", the cookie's name and the
// client id, separated by NUL bytes: a cookie sealed for another name,
// another client or another format version does not open. Each seal draws
// a fresh random 96-bit nonce (NIST SP 800-38D §8.2.2), which keeps the
// chance of a repeat negligible far beyond the number of cookies one key
// will seal; GCM authenticates everything, so a cookie can be neither read
// nor forged, only replayed whole until its sealed expiry.
const (
	// CookieName is the refresh cookie's name.
	CookieName = relayapi.CookieName
	// RefreshLifetime is how long a refresh cookie lives: GoTo's refresh
	// tokens last about 30 days ("Migrating to New Token Retrieval with
	// authentication.logmeininc.com").
	RefreshLifetime = 30 * 24 * time.Hour

	sealVersion = "gotoauth-relay/v1"
	nonceSize   = 12
	headerSize  = 16 // issued at, expires at
	// maxSkew is how far in the future an issued-at may lie: the relay's
	// clock may step back a little between seal and open.
	maxSkew = 5 * time.Minute
	// maxCookieBytes is what browsers keep of one cookie, name and value
	// (RFC 6265 §6.1 asks for at least 4096 bytes).
	maxCookieBytes = 4096
)

// sealed is an opened refresh cookie.
type sealed struct {
	token string
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

// seal returns the cookie value for a refresh token issued at now, and its
// expiry.
func (s *sealer) seal(token string, now time.Time) (string, time.Time) {
	expires := now.Add(RefreshLifetime)
	plain := make([]byte, headerSize, headerSize+len(token))
	binary.BigEndian.PutUint64(plain[0:8], uint64(now.Unix()))
	binary.BigEndian.PutUint64(plain[8:16], uint64(expires.Unix()))
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
	switch {
	case token == "" || len(token) > limits.MaxTokenLength:
		return nil, errBadCookie
	case issued.After(now.Add(maxSkew)) || expires.Sub(issued) > RefreshLifetime:
		return nil, errBadCookie
	case !now.Before(expires):
		return nil, errExpiredCookie
	}
	return &sealed{token: token}, nil
}

var (
	errBadCookie     = errors.New("the refresh cookie is not one this relay sealed")
	errExpiredCookie = errors.New("the refresh cookie expired")
)
