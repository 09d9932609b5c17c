package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// The page configuration names endpoints the emulator answers under its
// mount, and never the secret.
func TestPage(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle(Mount+"/", http.StripPrefix(Mount, New(Config{})))
	for relay, want := range map[string]string{
		"":        `{"relay":"","clientId":"gotoauth-demo","emulator":true,"authorizeEndpoint":"/goto/oauth/authorize","tokenEndpoint":"/goto/oauth/token","meEndpoint":"/goto/identity/v1/Users/me"}`,
		"/relay/": `{"relay":"/relay/","clientId":"gotoauth-demo","emulator":true,"authorizeEndpoint":"/goto/oauth/authorize","tokenEndpoint":"/goto/oauth/token","meEndpoint":"/goto/identity/v1/Users/me"}`,
	} {
		c := Page(relay)
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, httptest.NewRequest("GET", PageConfigPath, nil))
		if rec.Code != 200 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "application/json" ||
			rec.Header().Get("Cache-Control") != "no-cache" || strings.Contains(rec.Body.String(), DemoClientSecret) {
			t.Errorf("relay %q: %d %v %q", relay, rec.Code, rec.Header(), rec.Body)
		}
		for _, p := range []string{c.AuthorizeEndpoint, c.TokenEndpoint, c.MeEndpoint} {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
			if rec.Code == 404 {
				t.Errorf("%s: 404", p)
			}
		}
	}
	h := PageConfig{Relay: "/relay/", ClientID: "x"}.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("HEAD", PageConfigPath, nil))
	const body = `{"relay":"/relay/","clientId":"x","emulator":false}`
	if b, _ := io.ReadAll(rec.Body); rec.Code != 200 || len(b) != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("HEAD: %d %v %q", rec.Code, rec.Header(), b)
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, PageConfigPath, nil))
		if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d %v", m, rec.Code, rec.Header())
		}
	}
}

func TestURL(t *testing.T) {
	for bound, want := range map[string]string{
		"127.0.0.1:8080":         "http://127.0.0.1:8080/goto",
		"0.0.0.0:8080":           "http://127.0.0.1:8080/goto",
		"[::]:8080":              "http://[::1]:8080/goto",
		"[::1]:8080":             "http://[::1]:8080/goto",
		"[::ffff:0.0.0.0]:8080":  "http://127.0.0.1:8080/goto",
		"[::ffff:127.0.0.1]:443": "http://127.0.0.1:443/goto",
	} {
		if got := URL(netip.MustParseAddrPort(bound)); got != want {
			t.Errorf("URL(%s) = %q, want %q", bound, got, want)
		}
	}
}
