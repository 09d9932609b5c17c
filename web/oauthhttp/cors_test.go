package oauthhttp

import (
	"net/http/httptest"
	"testing"
)

func TestCORS(t *testing.T) {
	c := CORS{Origins: AllowOrigins([]string{"https://app.example"}), Methods: "POST", Headers: "Content-Type", Credentials: true}
	for origin, allowed := range map[string]bool{"https://app.example": true, "https://evil.example": false, "": false} {
		r := httptest.NewRequest("OPTIONS", "/", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		got, ok := c.Allow(rec, r)
		h := rec.Header()
		if ok != allowed || got != origin || h.Get("Vary") != "Origin" {
			t.Errorf("%q: %q %v, Vary %q", origin, got, ok, h.Get("Vary"))
		}
		if allowed != (h.Get("Access-Control-Allow-Origin") == origin && h.Get("Access-Control-Allow-Credentials") == "true") {
			t.Errorf("%q: headers %v", origin, h)
		}
	}
	rec := httptest.NewRecorder()
	c.Preflight(rec)
	h := rec.Header()
	if rec.Code != 204 || h.Get("Access-Control-Allow-Methods") != "POST" || h.Get("Access-Control-Allow-Headers") != "Content-Type" ||
		h.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", rec.Code, h)
	}
	// Without Credentials, no Allow-Credentials.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://app.example")
	rec = httptest.NewRecorder()
	CORS{Origins: c.Origins}.Allow(rec, r)
	if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("credentials: %v", rec.Header())
	}
}

func TestReadOnly(t *testing.T) {
	for method, want := range map[string]bool{"GET": true, "HEAD": true, "POST": false, "PUT": false, "OPTIONS": false, "DELETE": false} {
		rec := httptest.NewRecorder()
		if got := ReadOnly(rec, httptest.NewRequest(method, "/", nil)); got != want {
			t.Errorf("%s: %v", method, got)
		}
		if !want && (rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD") {
			t.Errorf("%s: %d %v", method, rec.Code, rec.Header())
		}
	}
}
