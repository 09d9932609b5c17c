package oauth_test

import (
	"testing"

	"gotoauth/wasm/oauth"
)

func TestParseFlowIsTheOneReading(t *testing.T) {
	for in, want := range map[string]string{
		"": "code", "code": "code", "Code": "code", "AUTHORIZATION_CODE": "code",
		"implicit": "implicit", "Implicit": "implicit", "token": "implicit", "TOKEN": "implicit",
	} {
		got, err := oauth.ParseFlow(in)
		if err != nil || got != want {
			t.Errorf("ParseFlow(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"hybrid", "code token", "password", "Password", "implicit ", "ﬂow"} {
		_, err := oauth.ParseFlow(bad)
		if err == nil {
			t.Errorf("ParseFlow(%q) accepted", bad)
			continue
		}
		wantCode(t, err, oauth.Unsupported)
	}
}

func TestCarriesResponse(t *testing.T) {
	for part, want := range map[string]bool{
		"code=a&state=s":             true,
		"state=s&code=a":             true,
		"access_token=t&type=bearer": true,
		"access_token=t&state=s":     true,
		"x=1&error=access_denied":    true,
		"state=only":                 true,
		"/settings":                  false,
		"/route?tab=code":            false,
		"mycode=1&xstate=2":          false,
		"":                           false,
	} {
		if got := oauth.CarriesResponse(part); got != want {
			t.Errorf("CarriesResponse(%q) = %v", part, got)
		}
	}
}

func TestStripResponse(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example/cb?code=a&state=s":                       "https://app.example/cb",
		"https://app.example/cb?tab=2&code=a&state=s&session_state=x": "https://app.example/cb?tab=2",
		"https://app.example/cb#access_token=t&type=bearer&state=s":   "https://app.example/cb",
		"https://app.example/cb?tab=2#error=access_denied&state=s":    "https://app.example/cb?tab=2",
		"https://app.example/cb?code=%zz&state=s":                     "https://app.example/cb",
		"https://app.example/cb?code=a&code=b":                        "https://app.example/cb",
	} {
		got, changed := oauth.StripResponse(in)
		if got != want || !changed {
			t.Errorf("StripResponse(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
	for _, same := range []string{"https://app.example/cb", "https://app.example/#/settings", "https://app.example/?scope=a&tab=1", "not a url"} {
		if got, changed := oauth.StripResponse(same); got != same || changed {
			t.Errorf("StripResponse(%q) = %q, %v; want it unchanged", same, got, changed)
		}
	}
}
