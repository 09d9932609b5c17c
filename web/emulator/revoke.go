package emulator

import "net/http"

// revoke implements token revocation (RFC 7009 §2.1), which GoTo's guides
// do not document and a relay turns on by choice: the client authenticates
// as at the token endpoint, and a refresh or access token it holds is
// revoked with every token of its grant (RFC 7009 §2.1: revoking a refresh
// token should revoke the grant's access tokens too). A revoked refresh
// token then gets invalid_grant. A token the emulator does not know is
// answered 200 as well (RFC 7009 §2.2); one issued to another client is
// refused.
func (e *Emulator) revoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Pragma", "no-cache")
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	client, ok := e.authenticate(w, r, form)
	if !ok {
		return
	}
	tok := form.Get("token")
	if tok == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "Missing token.")
		return
	}
	e.stats.revocations.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.refresh[tok]
	if t == nil {
		t = e.access[tok]
	}
	if t == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	if t.clientID != client.ID {
		writeError(w, http.StatusBadRequest, "invalid_request", "The token was issued to another client.")
		return
	}
	delete(e.refresh, tok)
	delete(e.access, tok)
	e.revokeGrant(t.grant)
	w.WriteHeader(http.StatusOK)
}
