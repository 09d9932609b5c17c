package relay

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
		got, aged := withAge([]byte(tc.body), tc.age, tc.millis)
		if string(got) != tc.want || aged != (tc.want != tc.body) {
			t.Errorf("%s aged %v: %s, want %s", tc.body, tc.age, got, tc.want)
		}
	}
}

func TestStoredAnswerRoundTrip(t *testing.T) {
	k := newStoreKeys(clientID)
	now := time.Unix(1_700_000_000, 0)
	res := refreshResult{status: 200, body: []byte(`{"access_token":"a"}`), answered: now.Add(123 * time.Millisecond), millis: true,
		cookie: cookieAction{op: setCookie, value: "sealed", expires: now.Add(RefreshLifetime)}}
	tk := k.forToken("rt-1")
	key := tk.name
	if key == k.forToken("rt-2").name || strings.Contains(key, "rt-1") || len(key) != 64 {
		t.Fatalf("key %q", key)
	}
	// Not the cookie key: instances on different cookie keys (a rolling
	// rotation) name a token alike.
	other := newStoreKeys("another-client")
	if other.forToken("rt-1").name == key {
		t.Fatal("the name does not depend on the client")
	}
	b := sealAnswer(tk, res)
	if strings.Contains(string(b), "access_token") || strings.Contains(string(b), "sealed") {
		t.Fatal("the answer is not sealed")
	}
	got, err := openAnswer(tk, b)
	if err != nil || got.status != 200 || string(got.body) != string(res.body) || got.cookie != res.cookie || !got.answered.Equal(res.answered) || !got.millis {
		t.Fatalf("%+v %v", got, err)
	}
	// For another token, another client, cut or flipped: refused.
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() error{
		"other token":  func() error { _, err := openAnswer(k.forToken("rt-2"), b); return err },
		"other client": func() error { _, err := openAnswer(other.forToken("rt-1"), b); return err },
		"cut":          func() error { _, err := openAnswer(tk, b[:10]); return err },
		"flipped":      func() error { _, err := openAnswer(tk, flipped); return err },
	} {
		if try() == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// A token's name and sealing key are a whole HKDF (RFC 5869) of the token
// per purpose, as relays have always derived them: a shared store's names
// and sealed answers stay valid across instances of every version.
func TestStoreKeysAreWholeHKDF(t *testing.T) {
	derive := func(purpose string) []byte {
		b, err := hkdf.Key(sha256.New, []byte("rt-1"), []byte(clientID), "gotoauth-relay/"+purpose, 32)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tk := newStoreKeys(clientID).forToken("rt-1")
	if tk.name != hex.EncodeToString(derive("store-name")) {
		t.Fatalf("name %s", tk.name)
	}
	block, _ := aes.NewCipher(derive("store-seal"))
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, nonceSize)
	b := aead.Seal(nonce, nonce, []byte(`{"s":200,"b":"{}","c":0,"t":1700000000000}`), []byte(tk.name))
	if got, err := openAnswer(tk, b); err != nil || got.status != 200 || string(got.body) != "{}" {
		t.Fatalf("%+v %v", got, err)
	}
}

// An answer in the store that this relay cannot open (a relay of another
// client wrote it, or it was tampered with): 503, logged, nothing sent
// to GoTo.
func TestForeignAnswerInStore(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	s, _, _ := v.rl.seal.open(cookie, v.clk.Now())
	c, _ := v.memory().Claim(context.Background(), v.rl.keys.forToken(s.token).name, "someone", time.Minute)
	c.Lease.Finish(context.Background(), []byte("garbage that does not open"), time.Minute)
	hits := v.up.hits.Load()
	rec := v.refresh(cookie)
	wantError(t, rec, 503, "temporarily_unavailable")
	if v.up.hits.Load() != hits || !strings.Contains(v.logs.String(), "does not open") {
		t.Errorf("%d hits, log %q", v.up.hits.Load()-hits, v.logs)
	}
}

// The stored answer's JSON reads back as encoding/json reads what it
// writes itself, whatever the body holds: answers written by relays of
// earlier versions and of this one are alike to every reader.
func TestStoredAnswerJSON(t *testing.T) {
	for _, a := range []storedAnswer{
		{Status: 200, Body: `{"access_token":"a<b>&c","x":"\u2028 é \"q\" \\ \n\t\u0001"}`, Answered: 1_700_000_000_123, Expires: -62135596800},
		{Status: 200, Body: "{}", Cookie: int(setCookie), Value: "k.v-_", Expires: 1_700_000_000, Answered: 1, Millis: true},
		{Status: 400, Body: "not valid utf-8: \xff\xfe", Cookie: int(clearCookie)},
	} {
		var got, want storedAnswer
		if err := json.Unmarshal(a.marshal(), &got); err != nil {
			t.Fatalf("%s: %v", a.marshal(), err)
		}
		std, _ := json.Marshal(a)
		json.Unmarshal(std, &want)
		if got != want {
			t.Errorf("%s\nreads as %+v\nwant     %+v", a.marshal(), got, want)
		}
	}
}
