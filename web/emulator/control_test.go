package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestControlEndpoints(t *testing.T) {
	v := newEnv(t, Config{})
	for _, tc := range []struct{ path, key string }{
		{"/goto/_emulator/age-refresh-token", "refresh_token"},
		{"/goto/_emulator/expire-access-token", "access_token"},
	} {
		if rec := v.do(req{method: http.MethodPost, path: tc.path, body: url.Values{tc.key: {"unknown"}}.Encode()}); rec.Code != 404 {
			t.Errorf("%s unknown: %d", tc.path, rec.Code)
		}
		if rec := v.do(req{path: tc.path}); rec.Code != 405 || rec.Header().Get("Allow") == "" {
			t.Errorf("%s GET: %d", tc.path, rec.Code)
		}
	}
	if rec := v.do(req{path: "/goto/nothing"}); rec.Code != 404 {
		t.Errorf("unknown path: %d", rec.Code)
	}
}

func TestInfoNamesTheDemoClient(t *testing.T) {
	srv := httptest.NewServer(New(Config{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_emulator/info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), `"clientId":"gotoauth-demo"`) {
		t.Fatalf("info: %d %q", resp.StatusCode, body)
	}
	resp, err = http.Post(srv.URL+"/_emulator/info", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST info: %d", resp.StatusCode)
	}
}
