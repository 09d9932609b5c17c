package emulator

import (
	"net/http"

	"gotoauth/web/oauthhttp"
)

// control implements the two test-control endpoints: age a refresh token to
// one hour of remaining life (so the next refresh rotates it) or expire an
// access token now.
//
// age-refresh-token takes either a refresh_token or a client_id, which ages
// every live refresh token of that client: a test that signs in through a
// token relay never sees the refresh token, which the relay keeps sealed in
// its cookie.
func (e *Emulator) control(w http.ResponseWriter, r *http.Request, action controlAction) {
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	if action == ageRefresh && form.Has("refresh_token") == form.Has("client_id") {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "Send one of refresh_token and client_id.")
		return
	}
	now := e.now()
	e.mu.Lock()
	var found []*token
	switch {
	case action == ageRefresh && form.Has("client_id"):
		id := form.Get("client_id")
		for _, t := range e.refresh {
			if t.clientID == id && now.Before(t.expires) {
				found = append(found, t)
			}
		}
	case action == ageRefresh:
		if t := e.refresh[form.Get("refresh_token")]; t != nil && now.Before(t.expires) {
			found = append(found, t)
		}
	default:
		if t := e.access[form.Get("access_token")]; t != nil && now.Before(t.expires) {
			found = append(found, t)
		}
	}
	for _, t := range found {
		if action == ageRefresh {
			t.expires = now.Add(agedRefreshLife)
		} else {
			t.expires = now
		}
	}
	e.mu.Unlock()
	if len(found) == 0 {
		oauthhttp.WriteError(w, http.StatusNotFound, "not_found", "Unknown token.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
