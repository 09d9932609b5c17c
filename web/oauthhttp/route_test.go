package oauthhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRoute(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(name)) })
	}
	h := Route(named("rest"), Mount{"/relay/", named("relay")}, Mount{"/serve-config.json", named("config")})
	for path, want := range map[string]string{
		"/relay/":              "relay",
		"/relay/refresh":       "relay",
		"/relay":               "rest", // a folder's name without its slash is not in it
		"/relayx/refresh":      "rest",
		"/serve-config.json":   "config",
		"/serve-config.json/x": "rest",
		"/relay/../serve.go":   "relay", // not cleaned: the mount refuses it, never a redirect
		"/index.html":          "rest",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://x"+path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s went to %q, want %q", path, rec.Body.String(), want)
		}
	}
	rec := httptest.NewRecorder()
	NotFound.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 404 || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("NotFound: %d %v", rec.Code, rec.Header())
	}
}
