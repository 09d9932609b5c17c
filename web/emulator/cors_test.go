package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	paths := []string{"/goto/oauth/token", "/goto/oauth2/v2/token", "/goto/identity/v1/Users/me",
		"/goto/_emulator/age-refresh-token", "/goto/_emulator/expire-access-token"}
	tests := []struct {
		name    string
		cfg     Config
		origin  string
		allowed bool
	}{
		{"loopback default", Config{}, "http://127.0.0.1:8080", true},
		{"localhost default", Config{}, "http://localhost:5173", true},
		{"ipv6 default", Config{}, "http://[::1]:8080", true},
		{"foreign default", Config{}, "https://evil.example", false},
		{"https loopback default", Config{}, "https://127.0.0.1:8080", false},
		{"null origin", Config{}, "null", false},
		{"listed", Config{AllowedOrigins: []string{"http://127.0.0.1:8080"}}, "http://127.0.0.1:8080", true},
		{"unlisted loopback", Config{AllowedOrigins: []string{"http://127.0.0.1:8080"}}, "http://127.0.0.1:9090", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, tc.cfg)
			for _, p := range paths {
				hdr := http.Header{"Origin": {tc.origin}}
				// Simple request.
				rec := v.do(req{method: http.MethodPost, path: p, body: "grant_type=password", header: hdr})
				acao := rec.Header().Get("Access-Control-Allow-Origin")
				if tc.allowed && acao != tc.origin || !tc.allowed && acao != "" {
					t.Errorf("%s: ACAO %q", p, acao)
				}
				if rec.Header().Get("Vary") != "Origin" {
					t.Errorf("%s: Vary %q", p, rec.Header().Get("Vary"))
				}
				// Preflight.
				pre := http.Header{"Origin": {tc.origin}, "Access-Control-Request-Method": {"POST"},
					"Access-Control-Request-Headers": {"authorization,content-type"}}
				rec = v.do(req{method: http.MethodOptions, path: p, header: pre})
				if rec.Code != 204 {
					t.Errorf("%s preflight: %d", p, rec.Code)
				}
				h := rec.Header()
				if tc.allowed {
					if h.Get("Access-Control-Allow-Origin") != tc.origin || h.Get("Access-Control-Allow-Methods") != "GET, POST" ||
						h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || h.Get("Access-Control-Max-Age") != "600" {
						t.Errorf("%s preflight headers %v", p, h)
					}
				} else {
					for k := range h {
						if strings.HasPrefix(k, "Access-Control-") {
							t.Errorf("%s: foreign origin got %s", p, k)
						}
					}
				}
			}
		})
	}
	// No CORS on the authorize pages, which are navigations.
	v := newEnv(t, Config{})
	rec := v.do(req{path: "/goto/oauth/authorize?" + codeQuery(BackendClientID).Encode(), header: http.Header{"Origin": {"http://127.0.0.1:8080"}}})
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS on authorize")
	}
}
