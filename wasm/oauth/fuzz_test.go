package oauth_test

import (
	"encoding/json"
	"errors"
	"testing"

	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
)

func asOAuthError(t *testing.T, err error) *oauth.Error {
	t.Helper()
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *oauth.Error", err, err)
	}
	if e.Code == "" {
		t.Fatalf("error %v has no Code", err)
	}
	return e
}

func FuzzParseRedirect(f *testing.F) {
	for _, s := range []string{
		todayCodeRedirect,
		todayImplicitRedirect,
		jiveImplicitRedirect,
		"https://example.com/?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE...",
		"{REDIRECT_URI}?code={AUTHORIZATION_CODE}&state={STATE}",
		"https://example.com/cb#access_token={ACCESS_TOKEN}&token_type=Bearer&expires_in={EXPIRATION_TIME}&principal={principal}&scope={SCOPE}%20{ANOTHER_SCOPE}&state={STATE}",
		"https://example.com/cb#access_token={ACCESS_TOKEN}&type=bearer&expires_in={EXPIRATION_TIME}&username={USERNAME}&state={STATE}",
		cbURL + "?error=access_denied&error_description=The+user+denied&state=" + st,
		cbURL + "#error=access_denied&state=" + st,
		cbURL + "?code=a&state=" + st + "#/settings",
		cbURL + "?code=a&c%6Fde=b",
		cbURL + "?access_token=a",
		cbURL + "?state=x#code=a&state=y",
		cbURL + "#access_token=a&token_type=Bearer&expires_in=99999999999999999999",
		cbURL + "#access_token=a&type=bearer&expires_in=-1",
		"http://[::1]:8080/cb?code=%41&state=%7e",
		"",
		"#",
		"a:?&=%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := oauth.ParseRedirect(raw, fixedNow)
		if err != nil {
			asOAuthError(t, err)
			if r != nil {
				t.Fatalf("result %+v with error %v", r, err)
			}
			return
		}
		switch r.Kind {
		case oauth.KindToken:
			if r.Token == nil || r.Token.TokenType != "Bearer" || r.Token.AccessToken == "" {
				t.Fatalf("bad token result %+v %+v", r, r.Token)
			}
			if r.Token.HasExpiry && (r.Token.ExpiresIn < 0 || r.Token.ExpiresAt < fixedNow.UnixMilli()) {
				t.Fatalf("bad expiry %+v", r.Token)
			}
			if !r.InFragment {
				t.Fatalf("token accepted outside the fragment: %q", raw)
			}
		case oauth.KindCode:
			if r.Code == "" || r.Token != nil || r.Err != nil {
				t.Fatalf("bad code result %+v", r)
			}
		case oauth.KindError:
			if r.Err == nil || r.Err.Code != oauth.OAuthError || r.Err.OAuth == "" {
				t.Fatalf("bad error result %+v", r)
			}
		default:
			t.Fatalf("unknown kind %q", r.Kind)
		}
		if len(r.State) > limits.MaxParamLength {
			t.Fatalf("state of %d bytes accepted", len(r.State))
		}
	})
}

func FuzzNormalizeJSON(f *testing.F) {
	for _, s := range []string{
		bodyToday, bodyTodayNoRefresh, bodyGetGoV2, bodyGetGoV1, bodyJive, bodyTodayJiveGuide, bodyUnsupportedJWT,
		`{"error":"invalid_grant"}`,
		`{"access_token":1}`,
		`{"access_token":"a","token_type":"Bearer","expires_in":1e300}`,
		`{"access_token":"a","token_type":"bearer","username":"u","expires_in":-1e20}`,
		`{"access_token":"a","expires_in":"9223372036854775807","organizer_key":"1"}`,
		`{"access_token":"a","token_type":"Bearer","organizer_key":1.5e308}`,
		`[]`, `null`, `"x"`, `{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		tok, err := oauth.NormalizeJSON(m, fixedNow)
		if err != nil {
			asOAuthError(t, err)
			if tok != nil {
				t.Fatalf("token %+v with error %v", tok, err)
			}
			return
		}
		if tok.TokenType != "Bearer" || tok.AccessToken == "" {
			t.Fatalf("bad token %+v", tok)
		}
		if tok.HasExpiry && tok.ExpiresIn < 0 {
			t.Fatalf("negative expiry %+v", tok)
		}
		if tok.Scope == nil {
			t.Fatalf("nil Scope %+v", tok)
		}
	})
}

func FuzzMigrateURL(f *testing.F) {
	for _, s := range []string{
		"https://api.getgo.com/oauth/authorize?client_id={consumerKey}",
		"https://api.getgo.com/oauth/access_token?grant_type=password&user_id=u&password=p&client_id=k",
		"https://api.getgo.com/oauth/v2/authorize?client_id={clientID}&response_type=code",
		"https://api.getgo.com/oauth/v2/token",
		"https://auth.jive.com/oauth2/v2/grant?response_type=token&client_id={CLIENT_ID}&redirect_uri={REDIRECT_URI}&scope={SCOPE}%20{ANOTHER_SCOPE}&state={STATE}",
		"https://auth.jive.com/oauth2/v2/token#x",
		"https://authentication.logmeininc.com/oauth/authorize?response_type=code",
		"http://API.getgo.com:80/oauth/v2/token/",
		"https://example.com/",
		"nonsense",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		m, err := oauth.MigrateURL(raw)
		if err != nil {
			asOAuthError(t, err)
			return
		}
		if len(m.Notes) == 0 {
			t.Fatalf("no notes for %q", raw)
		}
		if !m.Changed {
			if m.URL != raw {
				t.Fatalf("unchanged but URL %q != %q", m.URL, raw)
			}
			return
		}
		u, err := form.SplitURL(m.URL)
		if err != nil || u.Scheme != "https" || u.Host != "authentication.logmeininc.com" {
			t.Fatalf("migrated %q to %q", raw, m.URL)
		}
		if _, err := form.Parse(u.Query); err != nil {
			t.Fatalf("migrated %q to a malformed query %q: %v", raw, m.URL, err)
		}
		again, err := oauth.MigrateURL(m.URL)
		if err != nil || again.Changed {
			t.Fatalf("migrating %q again: %+v %v", m.URL, again, err)
		}
	})
}
