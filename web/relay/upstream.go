package relay

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
	"gotoauth/web/oauthhttp"
)

// outcome is GoTo's answer to one token request, ready for the page.
type outcome struct {
	status int
	body   []byte // GoTo's token less refresh_token, GoTo's error, or the relay's
	// issued reports a token; refresh is its refresh token, "" if none.
	issued  bool
	refresh string
	// millis reports a token whose expires_in is in milliseconds (GoTo's
	// GoToConnect shape, oauth.LegacyGoToConnect).
	millis bool
	// gotoErr is GoTo's RFC 6749 §5.2 error, when it answered one.
	gotoErr *oauth.Error
	// token is body as post normalised it, when issued (refresh token
	// and all), for the page's answer (pageTokenOf). Never changed once
	// returned.
	token *oauth.Token
}

// post sends one token request (RFC 6749 §4.1.3, §6) to GoTo, authenticated
// with HTTP Basic exactly as GoTo's guides build it ("How to obtain an access
// token"; client.BasicAuth), and reads the answer within the timeout:
//
//   - a token (2xx, a JSON object oauth.NormalizeJSON accepts) comes back as
//     GoTo's JSON object without its refresh_token member, which is returned
//     apart;
//   - an OAuth error (4xx or 5xx with an RFC 6749 §5.2 body) comes back with
//     GoTo's status and error, error_description and error_uri only;
//   - anything else, an answer over limits.MaxBodyBytes, or no answer
//     becomes 502 server_error; no whole answer within the timeout, 504
//     temporarily_unavailable.
//
// The request does not hang on the page's request: a page that goes away
// must not cancel a refresh that others wait on, or lose a refresh token
// that GoTo rotated and so invalidated the old one.
func (rl *Relay) post(params [][2]string) (out outcome) {
	defer rl.observeUpstream(params[0][1], time.Now(), &out) // observe.go
	ctx, cancel := context.WithTimeout(context.Background(), rl.timeout)
	defer cancel()
	var body strings.Builder
	for i, p := range params {
		if i > 0 {
			body.WriteByte('&')
		}
		body.WriteString(url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	resp, err := rl.transport.RoundTrip(ctx, &client.Request{
		Method: "POST",
		URL:    rl.endpoint,
		Headers: [][2]string{
			{"Content-Type", "application/x-www-form-urlencoded"},
			{"Accept", "application/json"},
			{"Authorization", client.BasicAuth(rl.clientID, rl.secret)},
		},
		Body: body.String(),
	})
	switch {
	case errors.Is(err, client.ErrTooLarge):
		return rl.failed(502, "server_error", "GoTo's token endpoint answered with more than 1 MiB.")
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return rl.failed(504, "temporarily_unavailable", "GoTo's token endpoint did not answer within "+rl.timeout.String()+".")
	case err != nil:
		// net/http's error names the method, the endpoint and the cause;
		// none of them holds a token or the secret.
		return rl.failed(502, "server_error", "GoTo's token endpoint could not be reached: "+err.Error())
	}
	status := " (HTTP " + strconv.Itoa(resp.Status) + ")"
	m, err := wire.ParseObject(resp.Body)
	if err != nil {
		return rl.failed(502, "server_error", "GoTo's token endpoint did not answer with a JSON object"+status+".")
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		t, err := oauth.NormalizeJSON(m, rl.now())
		if err != nil {
			return rl.failed(502, "server_error", "GoTo's token endpoint answered"+status+" with something that is not a token.")
		}
		delete(m, "refresh_token")
		return outcome{status: 200, body: marshal(m), issued: true, refresh: t.RefreshToken, millis: t.Legacy == oauth.LegacyGoToConnect, token: t}
	}
	e := oauth.ErrorFromJSON(m, "GoTo's token endpoint")
	if e == nil || resp.Status < 400 || resp.Status > 599 {
		return rl.failed(502, "server_error", "GoTo's token endpoint answered"+status+" without an OAuth error.")
	}
	return outcome{status: resp.Status, body: marshal(errorOnly(m)), gotoErr: e}
}

// errorOnly keeps the members of an RFC 6749 §5.2 error and nothing else:
// whatever else GoTo puts in an error body (a refresh token, debugging
// fields) is not the page's to see.
func errorOnly(m map[string]any) map[string]any {
	out := make(map[string]any, 3)
	for _, k := range []string{"error", "error_description", "error_uri"} {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// failed logs why GoTo's answer could not be passed on and returns the
// relay's own error for the page.
func (rl *Relay) failed(status int, code, desc string) outcome {
	rl.log.Print("relay: " + desc)
	return outcome{status: status, body: oauthhttp.ErrorBody(code, desc)}
}

// marshal writes an object wire.ParseObject read: only JSON's own types, so
// it cannot fail.
func marshal(m map[string]any) []byte {
	b, _ := json.Marshal(m)
	return b
}
