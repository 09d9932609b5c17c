package pending_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/oauth/oauthtest"
	"gotoauth/wasm/pending"
)

const (
	state1 = "c3RhdGUtb25lLWZvci10ZXN0aW5nLXB1cnBvc2Vz"
	state2 = "c3RhdGUtdHdvLWZvci10ZXN0aW5nLXB1cnBvc2Vz"
	client = "a2094c4f-fAk0e-4339-934f-4da2d788d0aa"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newStore() (*pending.Store, *pending.Memory, *clock) {
	mem := &pending.Memory{}
	c := &clock{now: t0}
	return &pending.Store{Storage: mem, Now: c.Now}, mem, c
}

// wantCode fails unless err is an *oauth.Error with the given code.
var wantCode = oauthtest.WantCode

func request(state string) pending.Request {
	return pending.Request{
		State:        state,
		ClientID:     client,
		Flow:         oauth.FlowCode,
		RedirectURI:  "https://example.com/callback?app=1&x=a b",
		CodeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	}
}

func TestPutTake(t *testing.T) {
	s, mem, _ := newStore()
	if err := s.Put(request(state1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(request(state2)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Take(state1, client)
	if err != nil {
		t.Fatal(err)
	}
	want := request(state1)
	want.Created = t0
	if got.State != want.State || got.ClientID != want.ClientID || got.Flow != want.Flow ||
		got.RedirectURI != want.RedirectURI || got.CodeVerifier != want.CodeVerifier || !got.Created.Equal(t0) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if mem.Len() != 1 {
		t.Errorf("Len = %d after taking one of two", mem.Len())
	}
	// The other request is untouched.
	if got, err := s.Take(state2, client); err != nil || got.State != state2 {
		t.Errorf("second state: %+v %v", got, err)
	}
	if mem.Len() != 0 {
		t.Errorf("Len = %d, want 0", mem.Len())
	}
}

func TestPutKeepsCreated(t *testing.T) {
	s, _, _ := newStore()
	r := request(state1)
	r.Created = t0.Add(-time.Minute)
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Take(state1, client)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(r.Created) {
		t.Errorf("Created = %v, want %v", got.Created, r.Created)
	}
}

func TestImplicitRequestRoundTrip(t *testing.T) {
	s, _, _ := newStore()
	r := pending.Request{State: state1, ClientID: client, Flow: oauth.FlowImplicit, RedirectURI: "http://127.0.0.1:3000/"}
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Take(state1, client)
	if err != nil {
		t.Fatal(err)
	}
	if got.Flow != oauth.FlowImplicit || got.CodeVerifier != "" || got.RedirectURI != r.RedirectURI {
		t.Errorf("got %+v", got)
	}
}

func TestTakeRefusals(t *testing.T) {
	tests := []struct {
		name     string
		state    string
		clientID string
		advance  time.Duration
		code     oauth.Code
	}{
		{"unknown state", state2, client, 0, oauth.StateMismatch},
		{"empty state", "", client, 0, oauth.StateMismatch},
		{"state prefix", state1[:30], client, 0, oauth.StateMismatch},
		{"oversized state", strings.Repeat("a", 9000), client, 0, oauth.StateMismatch},
		{"foreign client", state1, "another-client", 0, oauth.StateMismatch},
		{"empty client", state1, "", 0, oauth.StateMismatch},
		{"expired", state1, client, limits.PendingLifetime + time.Millisecond, oauth.StateExpired},
		{"long expired", state1, client, 24 * time.Hour, oauth.StateExpired},
		{"created in the future", state1, client, -2 * time.Minute, oauth.StateExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, mem, c := newStore()
			if err := s.Put(request(state1)); err != nil {
				t.Fatal(err)
			}
			c.now = c.now.Add(tc.advance)
			got, err := s.Take(tc.state, tc.clientID)
			if got != nil {
				t.Errorf("request returned with the error: %+v", got)
			}
			wantCode(t, err, tc.code)
			// A foreign or expired state is consumed all the same.
			if tc.state == state1 {
				if mem.Len() != 0 {
					t.Errorf("refused state not consumed: Len = %d", mem.Len())
				}
				c.now = t0
				_, err := s.Take(state1, client)
				wantCode(t, err, oauth.StateMismatch)
			}
		})
	}
}

func TestTakeWithinLifetime(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, limits.PendingLifetime - time.Second, limits.PendingLifetime, -30 * time.Second} {
		s, _, c := newStore()
		if err := s.Put(request(state1)); err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(d)
		if _, err := s.Take(state1, client); err != nil {
			t.Errorf("after %v: %v", d, err)
		}
	}
	if limits.PendingLifetime != 10*time.Minute {
		t.Errorf("Lifetime = %v", limits.PendingLifetime)
	}
}

func TestTakeReplay(t *testing.T) {
	s, _, _ := newStore()
	if err := s.Put(request(state1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take(state1, client); err != nil {
		t.Fatal(err)
	}
	_, err := s.Take(state1, client)
	wantCode(t, err, oauth.StateMismatch)
}

// recording is a Storage that remembers every key it was given.
type recording struct {
	pending.Memory
	keys []string
}

func (r *recording) SetItem(k, v string) error {
	r.keys = append(r.keys, k)
	return r.Memory.SetItem(k, v)
}

func TestStorageKeyHidesState(t *testing.T) {
	rec := &recording{}
	s := &pending.Store{Storage: rec}
	if err := s.Put(request(state1)); err != nil {
		t.Fatal(err)
	}
	if len(rec.keys) != 1 {
		t.Fatalf("keys = %q", rec.keys)
	}
	k := rec.keys[0]
	if !strings.HasPrefix(k, pending.KeyPrefix) {
		t.Errorf("key %q lacks prefix %q", k, pending.KeyPrefix)
	}
	for _, part := range []string{state1, state1[:16], state1[len(state1)-16:]} {
		if strings.Contains(k, part) {
			t.Errorf("key %q contains the state", k)
		}
	}
	// Different states, different keys.
	if err := s.Put(request(state2)); err != nil {
		t.Fatal(err)
	}
	if rec.keys[1] == k {
		t.Errorf("two states share key %q", k)
	}
}

func TestMemoryBounded(t *testing.T) {
	mem := &pending.Memory{}
	s := &pending.Store{Storage: mem, Now: func() time.Time { return t0 }}
	states := make([]string, limits.MaxPendingInMemory+50)
	for i := range states {
		states[i] = "state-" + strconv.Itoa(i) + strings.Repeat("x", 22)
		if err := s.Put(request(states[i])); err != nil {
			t.Fatal(err)
		}
		if mem.Len() > limits.MaxPendingInMemory {
			t.Fatalf("Len = %d > %d", mem.Len(), limits.MaxPendingInMemory)
		}
	}
	if mem.Len() != limits.MaxPendingInMemory {
		t.Errorf("Len = %d, want %d", mem.Len(), limits.MaxPendingInMemory)
	}
	// The oldest were dropped, the newest kept.
	_, err := s.Take(states[0], client)
	wantCode(t, err, oauth.StateMismatch)
	if _, err := s.Take(states[len(states)-1], client); err != nil {
		t.Errorf("newest state lost: %v", err)
	}
	if _, err := s.Take(states[50], client); err != nil {
		t.Errorf("oldest kept state lost: %v", err)
	}
}

func TestMemoryLongRunBounded(t *testing.T) {
	// Put and take many times: neither the items nor the bookkeeping leak,
	// and a state put last is always there.
	mem := &pending.Memory{}
	for i := 0; i < 5*limits.MaxPendingInMemory; i++ {
		k := "k" + strconv.Itoa(i)
		if err := mem.SetItem(k, "v"); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := mem.RemoveItem(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	if mem.Len() > limits.MaxPendingInMemory {
		t.Errorf("Len = %d", mem.Len())
	}
	if _, ok, _ := mem.GetItem("k" + strconv.Itoa(5*limits.MaxPendingInMemory-1)); !ok {
		t.Error("last item lost")
	}
}

// "dropping the oldest": an item written again after it was removed is new
// again, and must outlive the items written before it.
func TestMemoryEvictsOldestAfterReuse(t *testing.T) {
	mem := &pending.Memory{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mem.SetItem("reused", "old"))
	must(mem.RemoveItem("reused"))
	for i := 0; i < limits.MaxPendingInMemory-1; i++ {
		must(mem.SetItem("k"+strconv.Itoa(i), "v"))
	}
	must(mem.SetItem("reused", "new")) // now the newest item; Len == MaxPendingInMemory
	must(mem.SetItem("one-more", "v")) // evicts one item: the oldest, k0
	if _, ok, _ := mem.GetItem("reused"); !ok {
		t.Error("the newest-but-one item was evicted instead of the oldest")
	}
	if _, ok, _ := mem.GetItem("k0"); ok {
		t.Error("the oldest item k0 was kept")
	}
}

func TestMemoryBasics(t *testing.T) {
	var mem pending.Memory // the zero value is ready to use
	if _, ok, err := mem.GetItem("x"); ok || err != nil {
		t.Errorf("empty GetItem: %v %v", ok, err)
	}
	if err := mem.RemoveItem("x"); err != nil {
		t.Error(err)
	}
	if err := mem.SetItem("x", "1"); err != nil {
		t.Fatal(err)
	}
	if err := mem.SetItem("x", "2"); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := mem.GetItem("x"); !ok || v != "2" || mem.Len() != 1 {
		t.Errorf("got %q %v len %d", v, ok, mem.Len())
	}
}

// failing is a Storage whose chosen methods fail.
type failing struct {
	pending.Memory
	get, set, remove bool
}

var errBroken = errors.New("QuotaExceededError")

func (f *failing) GetItem(k string) (string, bool, error) {
	if f.get {
		return "", false, errBroken
	}
	return f.Memory.GetItem(k)
}

func (f *failing) SetItem(k, v string) error {
	if f.set {
		return errBroken
	}
	return f.Memory.SetItem(k, v)
}

func (f *failing) RemoveItem(k string) error {
	if f.remove {
		return errBroken
	}
	return f.Memory.RemoveItem(k)
}

func TestFailingStorage(t *testing.T) {
	t.Run("SetItem", func(t *testing.T) {
		s := &pending.Store{Storage: &failing{set: true}}
		wantCode(t, s.Put(request(state1)), oauth.Internal)
	})
	t.Run("GetItem", func(t *testing.T) {
		f := &failing{}
		s := &pending.Store{Storage: f}
		if err := s.Put(request(state1)); err != nil {
			t.Fatal(err)
		}
		f.get = true
		r, err := s.Take(state1, client)
		if r != nil {
			t.Errorf("got %+v", r)
		}
		wantCode(t, err, oauth.Internal)
	})
	t.Run("RemoveItem", func(t *testing.T) {
		f := &failing{}
		s := &pending.Store{Storage: f}
		if err := s.Put(request(state1)); err != nil {
			t.Fatal(err)
		}
		f.remove = true
		// A state that cannot be consumed must not be accepted: it could
		// be replayed.
		r, err := s.Take(state1, client)
		if r != nil {
			t.Errorf("accepted a state it could not consume: %+v", r)
		}
		wantCode(t, err, oauth.Internal)
	})
	t.Run("all", func(t *testing.T) {
		s := &pending.Store{Storage: &failing{get: true, set: true, remove: true}}
		wantCode(t, s.Put(request(state1)), oauth.Internal)
		_, err := s.Take(state1, client)
		wantCode(t, err, oauth.Internal)
	})
}

// raw is a Storage that answers any key with one fixed value.
type raw struct{ value string }

func (r raw) GetItem(string) (string, bool, error) { return r.value, true, nil }
func (raw) SetItem(string, string) error           { return nil }
func (raw) RemoveItem(string) error                { return nil }

func TestCorruptedValue(t *testing.T) {
	good := "v=1&state=" + state1 + "&client_id=" + client + "&flow=code&redirect_uri=https%3A%2F%2Fexample.com&code_verifier=abc&created=" + strconv.FormatInt(t0.UnixMilli(), 10)
	// The well-formed value is accepted, so the refusals below are about
	// the corruption alone.
	s := &pending.Store{Storage: raw{good}, Now: func() time.Time { return t0 }}
	if _, err := s.Take(state1, client); err != nil {
		t.Fatalf("good value refused: %v", err)
	}
	for name, v := range map[string]string{
		"empty":           "",
		"garbage":         "%%%not form data",
		"JSON":            `{"state":"` + state1 + `"}`,
		"wrong version":   strings.Replace(good, "v=1", "v=2", 1),
		"no version":      strings.Replace(good, "v=1&", "", 1),
		"duplicate state": good + "&state=" + state1,
		"no created":      strings.Replace(good, "&created=", "&x=", 1),
		"bad created":     strings.Replace(good, "&created=", "&created=x", 1),
		"other state":     strings.Replace(good, state1, state2, 1),
		"no state":        strings.Replace(good, "state="+state1, "s=1", 1),
		"bad escape":      good + "&x=%G0",
		"control char":    good + "&x=%00",
	} {
		t.Run(name, func(t *testing.T) {
			s := &pending.Store{Storage: raw{v}, Now: func() time.Time { return t0 }}
			r, err := s.Take(state1, client)
			if r != nil {
				t.Errorf("got %+v", r)
			}
			wantCode(t, err, oauth.StateMismatch)
		})
	}
}

// slow delays reads, as a storage backed by I/O would, to open the window
// between reading a state and removing it.
type slow struct{ pending.Memory }

func (s *slow) GetItem(k string) (string, bool, error) {
	v, ok, err := s.Memory.GetItem(k)
	time.Sleep(20 * time.Millisecond)
	return v, ok, err
}

// A state is accepted once, even when two redirects race for it.
func TestTakeConcurrentOnce(t *testing.T) {
	s := &pending.Store{Storage: &slow{}}
	if err := s.Put(request(state1)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Take(state1, client); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("the state was accepted %d times, want once", ok)
	}
}

// reentrant is a Storage that, once, calls back into Take from inside
// GetItem or RemoveItem, as a hostile JS storage object can.
type reentrant struct {
	pending.Memory
	inGet, inRemove bool
	again           func() error
	innerErr        error
	called          bool
}

func (r *reentrant) GetItem(k string) (string, bool, error) {
	if r.inGet && !r.called {
		r.called = true
		r.innerErr = r.again()
	}
	return r.Memory.GetItem(k)
}

func (r *reentrant) RemoveItem(k string) error {
	if r.inRemove && !r.called {
		r.called = true
		r.innerErr = r.again()
	}
	return r.Memory.RemoveItem(k)
}

// A Take that comes back in while a state is being taken gets an error,
// not a deadlock, and the state is still accepted exactly once.
func TestTakeReentrant(t *testing.T) {
	for _, where := range []string{"getItem", "removeItem"} {
		st := &reentrant{inGet: where == "getItem", inRemove: where == "removeItem"}
		s := &pending.Store{Storage: st}
		state := strings.Repeat("s", 43)
		if err := s.Put(pending.Request{State: state, ClientID: "c", Flow: "code"}); err != nil {
			t.Fatal(err)
		}
		other := &pending.Store{Storage: st} // another client on the same storage
		st.again = func() error { _, err := other.Take(state, "c"); return err }
		if _, err := s.Take(state, "c"); err != nil {
			t.Fatalf("%s: outer Take: %v", where, err)
		}
		if !st.called {
			t.Fatalf("%s: the storage did not call back", where)
		}
		wantCode(t, st.innerErr, oauth.StateMismatch)
		_, err := s.Take(state, "c")
		wantCode(t, err, oauth.StateMismatch)
	}
}

func TestAppState(t *testing.T) {
	s, mem, _ := newStore()
	r := request(state1)
	r.AppState = `{"returnTo":"/inbox?x=1&y=2#z"}`
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Take(state1, client)
	if err != nil {
		t.Fatal(err)
	}
	if got.AppState != r.AppState {
		t.Errorf("AppState = %q, want %q", got.AppState, r.AppState)
	}
	// At most MaxAppState bytes: one more is refused and nothing is stored.
	r.AppState = `"` + strings.Repeat("a", limits.MaxAppState-2) + `"`
	if err := s.Put(r); err != nil {
		t.Fatalf("exactly %d bytes: %v", limits.MaxAppState, err)
	}
	r = request(state2)
	r.AppState = `"` + strings.Repeat("a", limits.MaxAppState-1) + `"`
	wantCode(t, s.Put(r), oauth.InvalidArgument)
	if _, err := s.Take(state2, client); err == nil {
		t.Error("a refused request was stored")
	}
	_ = mem
}
