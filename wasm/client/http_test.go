//go:build !js

package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/oauth"
)

// httpClient is a client whose token and /me endpoints are srv.
func httpClient(t *testing.T, srv *httptest.Server, timeout time.Duration) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{
		ClientID: clientID, RedirectURI: redirectURI,
		TokenEndpoint: srv.URL + "/token", MeEndpoint: srv.URL + "/me",
		Transport: client.HTTPTransport{}, Timeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHTTPTransportRoundTrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.FormValue("refresh_token") != "rt" {
			http.Error(w, "bad request", 400)
			return
		}
		w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	tok, err := httpClient(t, srv, time.Second).Refresh(context.Background(), "rt")
	if err != nil || tok.AccessToken != "at" || tok.RefreshToken != "rt" {
		t.Fatalf("refresh over net/http: %+v, %v", tok, err)
	}
}

// A server that sends headers and part of a body, then stalls: the call
// ends with network_error at the client's timeout, not never.
func TestHTTPTransportStalledBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"a`))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	_, err := httpClient(t, srv, 200*time.Millisecond).Refresh(context.Background(), "rt")
	wantCode(t, err, oauth.NetworkError)
	if !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("error %v", err)
	}
}

// A server that never stops sending: reading stops at limits.MaxBodyBytes.
func TestHTTPTransportEndlessBody(t *testing.T) {
	sent := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat(" ", 64<<10))
		n := 0
		defer func() { sent <- n }()
		for n < 200<<20 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			n += len(chunk)
		}
	}))
	defer srv.Close()
	_, _, err := httpClient(t, srv, 5*time.Second).Me(context.Background(), "at")
	wantCode(t, err, oauth.InvalidResponse)
	if n := <-sent; n >= 200<<20 {
		t.Fatalf("the server could send all %d bytes: the client read on past the cap", n)
	}
}

// A context cancelled by the caller ends the call.
func TestHTTPTransportCancelled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := httpClient(t, srv, 10*time.Second).Refresh(ctx, "rt")
	wantCode(t, err, oauth.NetworkError)
	if !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("error %v", err)
	}
}

// A redirect is never followed: it would resend the refresh token.
func TestHTTPTransportNoRedirect(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			hit = true
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	_, err := httpClient(t, srv, time.Second).Refresh(context.Background(), "rt")
	wantCode(t, err, oauth.HTTPError)
	if hit {
		t.Fatal("the redirect was followed")
	}
}
