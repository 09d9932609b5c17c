package emulator

import (
	"io"
	"net/http"
)

// info tells a page that it is served with the emulator, and which public
// client to use, so the demo can preset its fields.
func (e *Emulator) info(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD, OPTIONS")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"emulator":true,"clientId":"`+DemoClientID+`"}`)
}

// control implements the two test-control endpoints: age a refresh token to
// one hour of remaining life (so the next refresh rotates it) or expire an
// access token now.
func (e *Emulator) control(w http.ResponseWriter, r *http.Request, ageRefresh bool) {
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	now := e.now()
	e.mu.Lock()
	var t *token
	if ageRefresh {
		t = e.refresh[form.Get("refresh_token")]
	} else {
		t = e.access[form.Get("access_token")]
	}
	found := t != nil && now.Before(t.expires)
	if found {
		if ageRefresh {
			t.expires = now.Add(agedRefreshLife)
		} else {
			t.expires = now
		}
	}
	e.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "not_found", "Unknown token.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
