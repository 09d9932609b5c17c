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
	t, err := oauth.NormalizeJSON(m, now)
	if err != nil {
		return body
	}
	return pageTokenOf(t)
}

// pageTokenOf is the page's answer for t, a token post already read and
// normalised (outcome.token): the answers this instance got from GoTo
// itself are neither parsed nor normalised a second time. t is only read,
// so the callers that share one answer may share it too.
func pageTokenOf(t *oauth.Token) []byte {
	w := wire.NewWriter(512)
	oauth.WriteShape(w, t, false)
	return w.Bytes()
}
