package main

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// stubGoTo is GoTo's token endpoint as the benchmark needs it: it answers
// at once, with a token shaped and sized like GoTo's (access_token,
// token_type, expires_in, scope, principal; a refresh_token only when a
// code is redeemed). It checks nothing, so that what is measured is the
// relay and not the stub. Every request counts, so that the benchmark can
// show that each refresh reached it.
type stubGoTo struct {
	codes     atomic.Int64 // authorization_code grants: the cookies minted
	refreshes atomic.Int64 // refresh_token grants: the relay's refreshes
	other     atomic.Int64 // anything else: the floor's forwarded requests
	seq       atomic.Int64
}

// accessPad makes the access token about as long as GoTo's, a JWT of about
// a kilobyte.
var accessPad = strings.Repeat("x", 1000)

// refreshPad makes a refresh token about as long as GoTo's.
var refreshPad = strings.Repeat("r", 200)

func (s *stubGoTo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	form, _ := url.ParseQuery(string(body))
	n := s.seq.Add(1)
	b := make([]byte, 0, 1400)
	b = append(b, `{"access_token":"at-`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, '.')
	b = append(b, accessPad...)
	b = append(b, `","token_type":"Bearer","expires_in":3600,"scope":"identity:scim.me collab:","principal":"mister.jones@fakemail.com"`...)
	switch form.Get("grant_type") {
	case "authorization_code":
		s.codes.Add(1)
		b = append(b, `,"refresh_token":"rt-`...)
		b = append(b, url.QueryEscape(form.Get("code"))...)
		b = append(b, '.')
		b = append(b, refreshPad...)
		b = append(b, '"')
	case "refresh_token":
		s.refreshes.Add(1)
	default:
		s.other.Add(1)
	}
	b = append(b, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// calls is how many requests the stub has answered so far, by kind.
func (s *stubGoTo) calls() (codes, refreshes, other int64) {
	return s.codes.Load(), s.refreshes.Load(), s.other.Load()
}
