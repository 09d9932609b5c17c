package relay

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an Observer that keeps the calls that name an outcome.
type recorder struct {
	mu    sync.Mutex
	calls []string // "refused key_missing", "signout ended", "store announce", …
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func (r *recorder) Refreshed(_ context.Context, source string) { r.add("refreshed " + source) }
func (r *recorder) Upstream(endpoint, outcome string, _ time.Duration) {
	r.add("upstream " + endpoint + " " + outcome)
}
func (r *recorder) Store(op string, _ time.Duration, err error) {
	if err == nil {
		r.add("store " + op)
	} else {
		r.add("store " + op + " failed")
	}
}
func (r *recorder) LockWaited(time.Duration) { r.add("lock waited") }
func (r *recorder) SignedOut(outcome string) { r.add("signout " + outcome) }
func (r *recorder) Refused(reason string)    { r.add("refused " + reason) }

// The observer hears a cookie of a key this instance lacks and another
// holds (a key rotation under way) as refused, key_missing, on /refresh and
// on /signout, and the store's key announcements and lookups as round
// trips; a cookie of a key no instance holds is not key_missing.
func TestObserveMissingKey(t *testing.T) {
	rec := &recorder{}
	v := newEnv(t, func(c *Config) { c.Observer = rec })
	k2 := bytes.Repeat([]byte{8}, KeySize)
	rolled := v.instance(t, k2, [][]byte{testKey}, v.rl.store)
	good, _ := rolled.rl.seal.seal("rt-x", testSignIn, v.clk.Now())
	_, body, _ := strings.Cut(good, ".")
	rolled.rl.Ready(t.Context()) // announces k2 through v's observed store
	rec.take()

	wantRetry(t, v.refresh(good))
	if got := rec.take(); !slices.Contains(got, "refused key_missing") || !slices.Contains(got, "store key_lookup") {
		t.Errorf("refresh: %q", got)
	}
	wantRetry(t, v.do(req{path: "/relay/signout", cookie: good}))
	if got := rec.take(); !slices.Contains(got, "refused key_missing") || !slices.Contains(got, "signout key_missing") {
		t.Errorf("sign-out: %q", got)
	}
	wantError(t, v.refresh("0123456789abcdef."+body), 401, "invalid_grant")
	if got := rec.take(); slices.Contains(got, "refused key_missing") {
		t.Errorf("a key no instance holds: %q", got)
	}
	v.rl.announce.next = time.Time{} // due again
	v.rl.Ready(t.Context())
	if got := rec.take(); !slices.Contains(got, "store announce") || !slices.Contains(got, "store ping") {
		t.Errorf("Ready: %q", got)
	}
}
