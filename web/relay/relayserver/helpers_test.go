package relayserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
	"gotoauth/web/relay/store"
)

const (
	clientID     = "ops-client"
	clientSecret = "ops-secret-Zq81hV"
	origin       = "http://127.0.0.1:5173"
	redirectURI  = origin + "/callback"
)

// stub is GoTo's token and revocation endpoints: a code X issues the
// access token "at-X" and the refresh token "rt-X"; a refresh answers
// "at2-…" and keeps the refresh token, except "rt-dead", which is
// invalid_grant. While gate is set, refreshes wait on it.
type stub struct {
	srv      *httptest.Server
	refreshs atomic.Int64
	revokes  atomic.Int64
	mu       sync.Mutex
	gate     chan struct{}
	seen     []string // every token and code GoTo was sent (the test greps logs for them)
}

func newStub(t *testing.T) *stub {
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/revoke" {
			s.revokes.Add(1)
			return
		}
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			c := r.PostForm.Get("code")
			s.note("at-"+c, "rt-"+c)
			io.WriteString(w, `{"access_token":"at-`+c+`","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-`+c+`"}`)
		case "refresh_token":
			s.refreshs.Add(1)
			s.mu.Lock()
			gate := s.gate
			s.mu.Unlock()
			if gate != nil {
				<-gate
			}
			rt := r.PostForm.Get("refresh_token")
			if rt == "rt-dead" {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"invalid_grant","error_description":"dead"}`)
				return
			}
			s.note("at2-" + rt)
			io.WriteString(w, `{"access_token":"at2-`+rt+`","token_type":"Bearer","expires_in":3600}`)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) note(v ...string) {
	s.mu.Lock()
	s.seen = append(s.seen, v...)
	s.mu.Unlock()
}

func (s *stub) hold() {
	s.mu.Lock()
	s.gate = make(chan struct{})
	s.mu.Unlock()
}

func (s *stub) release() {
	s.mu.Lock()
	close(s.gate)
	s.gate = nil
	s.mu.Unlock()
}

// harness is a Server running a relay on loopback.
type harness struct {
	t      *testing.T
	srv    *Server
	rl     *relay.Relay
	base   string // http://127.0.0.1:port
	up     *stub
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func key(t *testing.T) []byte {
	b := make([]byte, relay.KeySize)
	rand.Read(b)
	return b
}

func start(t *testing.T, o Options, st store.Store, edit func(*Server)) *harness {
	t.Helper()
	return startWith(t, o, newStub(t), key(t), st, edit)
}

// startWith starts a harness with GoTo up and the cookie key k: instances
// that share a store share both.
func startWith(t *testing.T, o Options, up *stub, k []byte, st store.Store, edit func(*Server)) *harness {
	t.Helper()
	h := &harness{t: t, up: up, logs: &syncBuffer{}, done: make(chan error, 1)}
	var err error
	if h.srv, err = New(o, h.logs); err != nil {
		t.Fatal(err)
	}
	h.srv.ready = make(chan struct{})
	if edit != nil {
		edit(h.srv)
	}
	cfg := relay.Config{ClientID: clientID, ClientSecret: clientSecret, TokenEndpoint: h.up.srv.URL + "/token",
		RevocationEndpoint: h.up.srv.URL + "/revoke", CookieKey: k, AllowedOrigins: []string{origin}, Store: st}
	h.srv.Configure(&cfg)
	if h.rl, err = relay.New(cfg); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.base = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle(relay.Path, h.rl)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.srv.Run(ctx, ln, mux, h.rl, nil) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(time.Minute):
			t.Error("Run did not return")
		}
	})
	select {
	case <-h.srv.ready:
	case err := <-h.done:
		t.Fatal(err)
	}
	return h
}

// post sends a relay request as a page would; cookie is "name=value" or "".
func (h *harness) post(path, body, cookie string, edit ...func(*http.Request)) (*http.Response, string) {
	h.t.Helper()
	r, _ := http.NewRequest("POST", h.base+relay.Path+path, strings.NewReader(body))
	r.Header.Set("Origin", origin)
	r.Header.Set(relayapi.Header, relayapi.HeaderValue)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	for _, e := range edit {
		e(r)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// signIn redeems code and returns the refresh cookie as "name=value".
func (h *harness) signIn(code string) string {
	h.t.Helper()
	resp, body := h.post("token", url.Values{"code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {verifier}}.Encode(), "")
	if resp.StatusCode != 200 {
		h.t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	c := resp.Cookies()
	if len(c) != 1 {
		h.t.Fatalf("cookies: %v", resp.Header)
	}
	return c[0].Name + "=" + c[0].Value
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
