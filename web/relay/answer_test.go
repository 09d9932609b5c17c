package relay

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestWithAge(t *testing.T) {
	for _, tc := range []struct {
		body   string
		age    time.Duration
		want   string
		millis bool
	}{
		{`{"access_token":"a","expires_in":3600}`, 0, `{"access_token":"a","expires_in":3600}`, false},
		{`{"access_token":"a","expires_in":3600}`, 999 * time.Millisecond, `{"access_token":"a","expires_in":3600}`, false},
		{`{"access_token":"a","expires_in":3600}`, 7500 * time.Millisecond, `{"access_token":"a","expires_in":3593}`, false},
		{`{"access_token":"a","expires_in":"3600"}`, 10 * time.Second, `{"access_token":"a","expires_in":"3590"}`, false},
		{`{"access_token":"a","expires_in":5}`, time.Minute, `{"access_token":"a","expires_in":0}`, false},
		{`{"access_token":"a"}`, time.Minute, `{"access_token":"a"}`, false},
		{`{"access_token":"a","expires_in":"soon"}`, time.Minute, `{"access_token":"a","expires_in":"soon"}`, false},
		{`{"access_token":"a","expires_in":null}`, time.Minute, `{"access_token":"a","expires_in":null}`, false},
		{`not json`, time.Minute, `not json`, false},
		{`{"access_token":"a","expires_in":3600000,"username":"u"}`, 3 * time.Second, `{"access_token":"a","expires_in":3597000,"username":"u"}`, true},
		{`{"access_token":"a","expires_in":3600,"x":{"y":[1,2]}}`, 2 * time.Second, `{"access_token":"a","expires_in":3598,"x":{"y":[1,2]}}`, false},
	} {
		if got := string(withAge([]byte(tc.body), tc.age, tc.millis)); got != tc.want {
			t.Errorf("%s aged %v: %s, want %s", tc.body, tc.age, got, tc.want)
		}
	}
}

func TestStoredAnswerRoundTrip(t *testing.T) {
	k := newStoreKeys(clientID)
	now := time.Unix(1_700_000_000, 0)
	res := refreshResult{status: 200, body: []byte(`{"access_token":"a"}`), answered: now.Add(123 * time.Millisecond), millis: true,
		cookie: cookieAction{op: setCookie, value: "sealed", expires: now.Add(RefreshLifetime)}}
	key := k.tokenKey("rt-1")
	if key == k.tokenKey("rt-2") || strings.Contains(key, "rt-1") || len(key) != 64 {
		t.Fatalf("key %q", key)
	}
	// Not the cookie key: instances on different cookie keys (a rolling
	// rotation) name a token alike.
	other := newStoreKeys("another-client")
	if other.tokenKey("rt-1") == key {
		t.Fatal("the name does not depend on the client")
	}
	b := k.sealAnswer("rt-1", res)
	if strings.Contains(string(b), "access_token") || strings.Contains(string(b), "sealed") {
		t.Fatal("the answer is not sealed")
	}
	got, err := k.openAnswer("rt-1", b)
	if err != nil || got.status != 200 || string(got.body) != string(res.body) || got.cookie != res.cookie || !got.answered.Equal(res.answered) || !got.millis {
		t.Fatalf("%+v %v", got, err)
	}
	// For another token, another client, cut or flipped: refused.
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() error{
		"other token":  func() error { _, err := k.openAnswer("rt-2", b); return err },
		"other client": func() error { _, err := other.openAnswer("rt-1", b); return err },
		"cut":          func() error { _, err := k.openAnswer("rt-1", b[:10]); return err },
		"flipped":      func() error { _, err := k.openAnswer("rt-1", flipped); return err },
	} {
		if try() == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// An answer in the store that this relay cannot open (a relay of another
// client wrote it, or it was tampered with): 503, logged, nothing sent
// to GoTo.
func TestForeignAnswerInStore(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	s, _, _ := v.rl.seal.open(cookie, v.clk.Now())
	c, _ := v.memory().Claim(context.Background(), v.rl.keys.tokenKey(s.token), "someone", time.Minute)
	c.Lease.Finish(context.Background(), []byte("garbage that does not open"), time.Minute)
	hits := v.up.hits.Load()
	rec := v.refresh(cookie)
	wantError(t, rec, 503, "temporarily_unavailable")
	if v.up.hits.Load() != hits || !strings.Contains(v.logs.String(), "does not open") {
		t.Errorf("%d hits, log %q", v.up.hits.Load()-hits, v.logs)
	}
}
