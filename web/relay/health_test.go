package relay

import (
	"net/http/httptest"
	"testing"

	"gotoauth/web/relay/store"
)

// Health: 200 while the store answers (and without a relay), 503 with
// Retry-After while it does not; GET and HEAD only; never cached.
func TestHealth(t *testing.T) {
	st := &failingStore{Memory: store.NewMemory(nil)}
	v := newEnv(t, func(c *Config) { c.Store = st })
	check := func(rl *Relay, method string, want int) {
		t.Helper()
		rec := httptest.NewRecorder()
		Health(rl).ServeHTTP(rec, httptest.NewRequest(method, HealthPath, nil))
		if rec.Code != want || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v", method, rec.Code, rec.Header())
		}
		if want == 503 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", method)
		}
		if want == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", method, rec.Header().Get("Allow"))
		}
	}
	for _, rl := range []*Relay{nil, v.rl} {
		check(rl, "GET", 200)
		check(rl, "HEAD", 200)
		check(rl, "POST", 405)
	}
	st.set(true)
	check(v.rl, "GET", 503)
	check(nil, "GET", 200)
	st.set(false)
	check(v.rl, "GET", 200)
}
