package relay

import (
	"time"

	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

// pageToken is a token answer as the page gets it (relayapi): GoTo's token
// JSON (less its refresh_token, which the cookie holds), normalised by the
// one code that normalises every generation (oauth.NormalizeJSON) and
// written in the library's token shape (oauth.WriteShape) without
// refreshToken, as of now. A page in relay mode then stores what it gets,
// with no Go of its own. post lets only bodies that NormalizeJSON reads
// through as a 2xx; any other body is returned as it is.
func pageToken(body []byte, now time.Time) []byte {
	m, err := wire.ParseObject(body)
	if err != nil {
		return body
	}
	return pageTokenOf(m, body, now)
}

// pageTokenOf is pageToken of body, which post already read into m
// (outcome.token): the answers this instance got from GoTo itself are not
// parsed a second time. m is only read, so the callers that share one
// answer may share it too.
func pageTokenOf(m map[string]any, body []byte, now time.Time) []byte {
	t, err := oauth.NormalizeJSON(m, now)
	if err != nil {
		return body
	}
	w := wire.NewWriter(len(body) + 64)
	oauth.WriteShape(w, t, false)
	return w.Bytes()
}
