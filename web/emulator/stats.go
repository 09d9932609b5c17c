package emulator

import (
	"net/http"
	"sync/atomic"
)

// stats counts what tests want to count: the requests that reached the
// token endpoint, by grant type, so that a test can tell how many refreshes
// reached "GoTo" (a page's tabs, the token relay and its memory in between).
type stats struct {
	tokenRequests atomic.Int64 // every POST to a token endpoint
	refreshes     atomic.Int64 // of those, grant_type=refresh_token
	codes         atomic.Int64 // of those, grant_type=authorization_code
	revocations   atomic.Int64 // POSTs to the revocation endpoint
}

// statsResponse is GET /_emulator/stats's answer.
type statsResponse struct {
	TokenRequests int64 `json:"tokenRequests"`
	Refreshes     int64 `json:"refreshes"`
	Codes         int64 `json:"codes"`
	Revocations   int64 `json:"revocations"`
}

// count records one token request of grant type grant.
func (s *stats) count(grant string) {
	s.tokenRequests.Add(1)
	switch grant {
	case "refresh_token":
		s.refreshes.Add(1)
	case "authorization_code":
		s.codes.Add(1)
	}
}

// statsEndpoint answers GET /_emulator/stats, a test control: the counts
// since the emulator started. It says nothing about any token.
func (e *Emulator) statsEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD, OPTIONS")
		return
	}
	writeJSON(w, http.StatusOK, statsResponse{
		TokenRequests: e.stats.tokenRequests.Load(),
		Refreshes:     e.stats.refreshes.Load(),
		Codes:         e.stats.codes.Load(),
		Revocations:   e.stats.revocations.Load(),
	})
}
