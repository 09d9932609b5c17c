package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// authRequest is an authorization request waiting for the user's decision.
type authRequest struct {
	clientID      string
	redirectURI   string
	redirectGiven bool
	responseType  string
	scope         []string
	state         string
	hasState      bool
	challenge     string
	method        string
	gen           api
	expires       time.Time
}

func (a *authRequest) expiry() time.Time { return a.expires }

// authCode is an issued authorization code. It is kept after use (until
// keepUntil) so that a replay can be detected and its tokens revoked.
type authCode struct {
	clientID      string
	redirectURI   string
	redirectGiven bool
	scope         []string
	challenge     string
	method        string
	grant         string // family id shared with the tokens it produced
	expires       time.Time
	keepUntil     time.Time
	used          bool
}

func (c *authCode) expiry() time.Time { return c.keepUntil }

// token is an access or refresh token.
type token struct {
	clientID string
	scope    []string
	grant    string
	expires  time.Time
}

func (t *token) expiry() time.Time { return t.expires }

// expirer is an entry of one of the bounded tables.
type expirer interface{ expiry() time.Time }

// put stores v under key, first dropping expired entries when the table is
// full and then, if it is still full, the entries closest to expiry.
// Callers hold e.mu.
func put[T expirer](m map[string]T, key string, v T, limit int, now time.Time) {
	if len(m) >= limit {
		for k, x := range m {
			if !now.Before(x.expiry()) {
				delete(m, k)
			}
		}
	}
	for len(m) >= limit {
		var oldest string
		var at time.Time
		for k, x := range m {
			if oldest == "" || x.expiry().Before(at) {
				oldest, at = k, x.expiry()
			}
		}
		delete(m, oldest)
	}
	m[key] = v
}

// randomValue returns 256 bits from crypto/rand, base64url without padding.
func randomValue() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}
