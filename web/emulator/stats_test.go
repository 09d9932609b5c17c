package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

func TestStatsCountTokenRequests(t *testing.T) {
	v := newEnv(t, Config{})
	stats := func() statsResponse {
		t.Helper()
		rec := v.do(req{path: "/goto/_emulator/stats"})
		if rec.Code != 200 {
			t.Fatalf("stats: %d %s", rec.Code, rec.Body)
		}
		var s statsResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := stats(); s != (statsResponse{}) {
		t.Fatalf("fresh emulator: %+v", s)
	}
	rec := v.token("/goto/oauth/token", publicExchange(v.publicCode()))
	rt := decode(t, rec)["refresh_token"].(string)
	for range 3 {
		v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}})
	}
	v.token("/goto/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {PublicClientID}})
	if s := stats(); s != (statsResponse{TokenRequests: 5, Refreshes: 3, Codes: 1}) {
		t.Fatalf("after a code, three refreshes and a password grant: %+v", s)
	}
	if rec := v.do(req{method: http.MethodPost, path: "/goto/_emulator/stats"}); rec.Code != 405 {
		t.Errorf("POST stats: %d", rec.Code)
	}
}
