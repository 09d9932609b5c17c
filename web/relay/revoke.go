package relay

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"gotoauth/wasm/client"
)

// maxRevokeTime bounds a revocation: a sign-out waits for it, and a GoTo
// that does not answer must not hold the page.
const maxRevokeTime = 5 * time.Second

// revoke asks the revocation endpoint to revoke a refresh token (RFC 7009
// §2.1): the form token=…&token_type_hint=refresh_token, with the client
// authentication of the token endpoint (HTTP Basic as GoTo's guides build
// it, client.BasicAuth). It is bounded in time (maxRevokeTime, or the
// relay's timeout if shorter). A failure is logged, without the token,
// and not passed on: the sign-out has already ended the sign-in here.
// RFC 7009 §2.2: 200 means revoked, or the token was already invalid.
func (rl *Relay) revoke(token string) (outcome string) {
	timeout := min(rl.timeout, maxRevokeTime)
	defer rl.observeRevoke(time.Now(), &outcome) // observe.go
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err := rl.transport.RoundTrip(ctx, &client.Request{
		Method: "POST",
		URL:    rl.revoker,
		Headers: [][2]string{
			{"Content-Type", "application/x-www-form-urlencoded"},
			{"Accept", "application/json"},
			{"Authorization", client.BasicAuth(rl.clientID, rl.secret)},
		},
		Body: "token=" + url.QueryEscape(token) + "&token_type_hint=refresh_token",
	})
	outcome = revokeOutcome(resp, err, ctx.Err())
	switch {
	case err != nil && ctx.Err() != nil:
		rl.log.Print("relay: the revocation endpoint did not answer within " + timeout.String() + "; the sign-out ended the sign-in here all the same")
	case err != nil:
		// net/http's error names the method, the endpoint and the cause;
		// none holds the token or the secret.
		rl.log.Print("relay: the revocation endpoint could not be reached (" + err.Error() + "); the sign-out ended the sign-in here all the same")
	case resp.Status != 200:
		rl.log.Print("relay: the revocation endpoint answered HTTP " + strconv.Itoa(resp.Status) + "; the sign-out ended the sign-in here all the same")
	}
	return outcome
}

// revokeLater revokes a token without anyone waiting: a rotated refresh
// token that GoTo sent for a sign-in that ended meanwhile.
func (rl *Relay) revokeLater(token string) {
	if rl.revoker != "" {
		go rl.revoke(token)
	}
}
