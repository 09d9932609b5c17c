package explain

import (
	"strings"
	"testing"
	"time"
)

func find(ex Explanation, label string) string {
	for _, l := range ex.Lines {
		if l.Label == label {
			return l.Value
		}
	}
	return ""
}

func TestExplain(t *testing.T) {
	now := time.Unix(1700000000, 0)
	ex := URL("https://app.example/#access_token=abcdefghijkl&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=s", now)
	if ex.Err != nil || !strings.Contains(find(ex, "format"), "GoToConnect") || !strings.Contains(find(ex, "expires in"), "2592000 seconds (30d 0h)") {
		t.Fatalf("legacy fragment: %+v", ex)
	}
	if strings.Contains(find(ex, "access token"), "abcdefghijkl") {
		t.Fatal("the token is shown whole")
	}
	ex = URL("https://api.getgo.com/oauth/authorize?client_id=x", now)
	if !strings.HasPrefix(find(ex, "today's URL"), "https://authentication.logmeininc.com/oauth/authorize?response_type=code&client_id=x") {
		t.Fatalf("migration: %+v", ex)
	}
	ex = URL("https://app.example/?error=access_denied&state=s", now)
	if find(ex, "error") != "access_denied" {
		t.Fatalf("error: %+v", ex)
	}
	ex = URL("https://app.example/?code=c&state=s&state=t", now)
	if ex.Err == nil || ex.Err.Code != "invalid_redirect" {
		t.Fatalf("duplicate: %+v", ex)
	}
	if ex := URL("  ", now); ex.Err == nil || ex.Err.Code != "invalid_argument" {
		t.Fatalf("empty: %+v", ex)
	}
	if ex := URL("https://app.example/?code=c", now); find(ex, "state") != "missing: a client refuses this redirect" {
		t.Fatalf("no state: %+v", ex)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "expired", 12 * time.Second: "12s", 3599 * time.Second: "59m 59s", 3600 * time.Second: "1h 0m", 30 * 24 * time.Hour: "30d 0h"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
