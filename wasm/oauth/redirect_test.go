package oauth_test

import (
	"reflect"
	"strings"
	"testing"

	"gotoauth/wasm/oauth"
)

const (
	cbURL = "https://example.com/callback"
	st    = "Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5MA"
)

// Examples shaped exactly as GoTo's guide "Migrating from GoToConnect (auth.jive.com) to LogMeIn Authentication API"
// shows them, with values filled in.
var (
	todayCodeRedirect     = cbURL + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + st
	todayImplicitRedirect = cbURL + "#access_token=eyJraWQiOiJvYXV0aHYyLmxt666&token_type=Bearer&expires_in=3600&principal=mister.jones%40fakemail.com&scope=users.v1.lines.read%20calls.v2.initiate&state=" + st
	jiveImplicitRedirect  = cbURL + "#access_token=jive-token-123&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=" + st
)

func TestParseRedirectTodayCode(t *testing.T) {
	for _, raw := range []string{
		todayCodeRedirect,
		"https://example.com/?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + st, // the access token guide's example.com/?code=
		cbURL + "?state=" + st + "&code=iS0vynEEvRFA9i6kZ8gvNDnnOGE",
		cbURL + "?app=1&code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + st + "&session_state=abc",
		cbURL + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + st + "#/settings", // SPA route ignored
		cbURL + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + st + "#",
	} {
		t.Run(raw, func(t *testing.T) {
			r, err := oauth.ParseRedirect(raw, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			want := &oauth.Redirect{Kind: oauth.KindCode, State: st, Code: "iS0vynEEvRFA9i6kZ8gvNDnnOGE"}
			if !reflect.DeepEqual(r, want) {
				t.Errorf("got %+v, want %+v", r, want)
			}
		})
	}
}

func TestParseRedirectCodeEncoded(t *testing.T) {
	r, err := oauth.ParseRedirect(cbURL+"?code=a%2Fb%2Bc%3D%3D&state="+st, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != "a/b+c==" {
		t.Errorf("Code = %q", r.Code)
	}
}

func TestParseRedirectTodayImplicit(t *testing.T) {
	r, err := oauth.ParseRedirect(todayImplicitRedirect, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != oauth.KindToken || !r.InFragment || r.State != st || r.Token == nil {
		t.Fatalf("got %+v", r)
	}
	want := &oauth.Token{
		AccessToken: "eyJraWQiOiJvYXV0aHYyLmxt666",
		TokenType:   "Bearer",
		ExpiresIn:   3600,
		HasExpiry:   true,
		ExpiresAt:   fixedNow.UnixMilli() + 3600*1000,
		Scope:       []string{"users.v1.lines.read", "calls.v2.initiate"},
		Principal:   "mister.jones@fakemail.com",
		Legacy:      "",
	}
	if !reflect.DeepEqual(r.Token, want) {
		t.Errorf("token = %+v\nwant    %+v", r.Token, want)
	}
}

func TestParseRedirectGoToConnectImplicit(t *testing.T) {
	r, err := oauth.ParseRedirect(jiveImplicitRedirect, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	want := &oauth.Token{
		AccessToken: "jive-token-123",
		TokenType:   "Bearer",
		ExpiresIn:   2592000, // 2592000000 ms
		HasExpiry:   true,
		ExpiresAt:   fixedNow.UnixMilli() + 2592000000,
		Scope:       []string{},
		Principal:   "jive-user@jive.com",
		Legacy:      oauth.LegacyGoToConnect,
	}
	if r.Kind != oauth.KindToken || r.State != st || !reflect.DeepEqual(r.Token, want) {
		t.Errorf("got %+v token %+v\nwant token %+v", r, r.Token, want)
	}
}

func TestParseRedirectTokenType(t *testing.T) {
	for _, tt := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		for _, name := range []string{"token_type", "type"} {
			raw := cbURL + "#access_token=t&" + name + "=" + tt + "&state=" + st
			r, err := oauth.ParseRedirect(raw, fixedNow)
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			if r.Token.TokenType != "Bearer" {
				t.Errorf("%s: TokenType = %q, want Bearer", raw, r.Token.TokenType)
			}
			if r.Token.HasExpiry {
				t.Errorf("%s: HasExpiry without expires_in", raw)
			}
		}
	}
	for _, tt := range []string{"mac", "DPoP", "", "Bearer%20x", "Basic"} {
		for _, name := range []string{"token_type", "type"} {
			raw := cbURL + "#access_token=t&" + name + "=" + tt + "&state=" + st
			_, err := oauth.ParseRedirect(raw, fixedNow)
			wantCode(t, err, oauth.InvalidRedirect)
		}
	}
	// No type at all.
	_, err := oauth.ParseRedirect(cbURL+"#access_token=t&expires_in=3600&state="+st, fixedNow)
	wantCode(t, err, oauth.InvalidRedirect)
}

func TestParseRedirectErrors(t *testing.T) {
	tests := []struct {
		name, raw            string
		oauthCode, desc, uri string
		inFragment           bool
		state                string
	}{
		{"query access_denied", cbURL + "?error=access_denied&error_description=The+user+denied+access&error_uri=https%3A%2F%2Fexample.com%2Fe&state=" + st,
			"access_denied", "The user denied access", "https://example.com/e", false, st},
		{"query no description", cbURL + "?error=server_error&state=" + st, "server_error", "", "", false, st},
		{"fragment access_denied", cbURL + "#error=access_denied&error_description=denied%20by%20user&state=" + st,
			"access_denied", "denied by user", "", true, st},
		{"fragment without state", cbURL + "#error=invalid_scope", "invalid_scope", "", "", true, ""},
		{"query error, state in fragment", cbURL + "?error=access_denied#state=" + st, "access_denied", "", "", false, st},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := oauth.ParseRedirect(tc.raw, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != oauth.KindError || r.Err == nil {
				t.Fatalf("got %+v", r)
			}
			if r.Err.Code != oauth.OAuthError || r.Err.OAuth != tc.oauthCode || r.Err.Description != tc.desc || r.Err.URI != tc.uri {
				t.Errorf("Err = %+v", r.Err)
			}
			if !strings.Contains(r.Err.Message, tc.oauthCode) {
				t.Errorf("message %q lacks %s", r.Err.Message, tc.oauthCode)
			}
			if r.InFragment != tc.inFragment || r.State != tc.state {
				t.Errorf("InFragment=%v State=%q", r.InFragment, r.State)
			}
			if r.Code != "" || r.Token != nil {
				t.Errorf("error redirect has a code or token: %+v", r)
			}
		})
	}
}

func TestParseRedirectCodeInFragment(t *testing.T) {
	r, err := oauth.ParseRedirect(cbURL+"#code=abc&state="+st, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != oauth.KindCode || r.Code != "abc" || !r.InFragment || r.State != st {
		t.Errorf("got %+v", r)
	}
	// State may sit in the query while the code is in the fragment.
	r, err = oauth.ParseRedirect(cbURL+"?state="+st+"#code=abc", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != oauth.KindCode || r.State != st || !r.InFragment {
		t.Errorf("got %+v", r)
	}
}

func TestParseRedirectSameStateInBoth(t *testing.T) {
	r, err := oauth.ParseRedirect(cbURL+"?code=abc&state="+st+"#state="+st, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != st {
		t.Errorf("State = %q", r.State)
	}
}

func TestParseRedirectNoState(t *testing.T) {
	r, err := oauth.ParseRedirect(cbURL+"?code=abc", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != "" || r.Code != "abc" {
		t.Errorf("got %+v", r)
	}
}

func TestParseRedirectInvalid(t *testing.T) {
	tests := []struct {
		name, raw string
		code      oauth.Code
	}{
		{"access_token in query", cbURL + "?access_token=leak&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"access_token in query with code", cbURL + "?code=abc&access_token=leak&state=" + st, oauth.InvalidRedirect},
		{"access_token encoded name in query", cbURL + "?access%5Ftoken=leak&state=" + st, oauth.InvalidRedirect},
		{"code twice", cbURL + "?code=a&code=b&state=" + st, oauth.InvalidRedirect},
		{"code twice same value", cbURL + "?code=a&code=a&state=" + st, oauth.InvalidRedirect},
		{"state twice", cbURL + "?code=a&state=" + st + "&state=other", oauth.InvalidRedirect},
		{"code twice, encoded name", cbURL + "?code=a&c%6Fde=b&state=" + st, oauth.InvalidRedirect},
		{"state twice, encoded name", cbURL + "?code=a&state=" + st + "&%73tate=x", oauth.InvalidRedirect},
		{"token twice in fragment", cbURL + "#access_token=a&access_token=b&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"state twice in fragment", cbURL + "#access_token=a&token_type=Bearer&state=" + st + "&state=" + st, oauth.InvalidRedirect},
		{"code and token", cbURL + "#code=a&access_token=b&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"error and code", cbURL + "?error=access_denied&code=a&state=" + st, oauth.InvalidRedirect},
		{"error and token", cbURL + "#error=access_denied&access_token=a&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"empty error", cbURL + "?error=&state=" + st, oauth.InvalidRedirect},
		{"query and fragment both respond", cbURL + "?code=a&state=" + st + "#access_token=b&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"code in both", cbURL + "?code=a&state=" + st + "#code=b", oauth.InvalidRedirect},
		{"error in fragment, code in query", cbURL + "?code=a&state=" + st + "#error=access_denied", oauth.InvalidRedirect},
		{"different states", cbURL + "?code=a&state=" + st + "#state=other", oauth.InvalidRedirect},
		{"different states, code in fragment", cbURL + "?state=one#code=a&state=two", oauth.InvalidRedirect},
		{"nothing", cbURL, oauth.InvalidRedirect},
		{"only state", cbURL + "?state=" + st, oauth.InvalidRedirect},
		{"only SPA route", cbURL + "#/settings", oauth.InvalidRedirect},
		{"unrelated query", cbURL + "?foo=bar", oauth.InvalidRedirect},
		{"empty code", cbURL + "?code=&state=" + st, oauth.InvalidRedirect},
		{"code without =", cbURL + "?code&state=" + st, oauth.InvalidRedirect},
		{"empty token", cbURL + "#access_token=&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"code over 32 KiB", cbURL + "?code=" + strings.Repeat("c", 32<<10+1) + "&state=" + st, oauth.InvalidRedirect},
		{"token over 32 KiB", cbURL + "#access_token=" + strings.Repeat("t", 32<<10+1) + "&token_type=Bearer", oauth.InvalidRedirect},
		{"state over 8 KiB", cbURL + "?code=a&state=" + strings.Repeat("s", 8<<10+1), oauth.InvalidRedirect},
		{"relative path", "/callback?code=a&state=" + st, oauth.InvalidRedirect},
		{"query only", "?code=a&state=" + st, oauth.InvalidRedirect},
		{"fragment only", "#access_token=a&token_type=Bearer", oauth.InvalidRedirect},
		{"scheme-relative", "//example.com/callback?code=a&state=" + st, oauth.InvalidRedirect},
		{"empty", "", oauth.InvalidRedirect},
		{"http without host", "https:/callback?code=a", oauth.InvalidRedirect},
		{"space", cbURL + "?code=a b&state=" + st, oauth.InvalidRedirect},
		{"leading space", " " + todayCodeRedirect, oauth.InvalidRedirect},
		{"trailing newline", todayCodeRedirect + "\n", oauth.InvalidRedirect},
		{"tab", cbURL + "?code=a\t&state=" + st, oauth.InvalidRedirect},
		{"NUL", cbURL + "?code=a\x00&state=" + st, oauth.InvalidRedirect},
		{"backslash", "https://example.com\\callback?code=a&state=" + st, oauth.InvalidRedirect},
		{"bad escape", cbURL + "?code=%zz&state=" + st, oauth.InvalidRedirect},
		{"truncated escape", cbURL + "?state=" + st + "&code=abc%4", oauth.InvalidRedirect},
		{"lone percent", cbURL + "?code=abc%&state=" + st, oauth.InvalidRedirect},
		{"bad escape in name", cbURL + "?co%zde=a&code=b&state=" + st, oauth.InvalidRedirect},
		{"bad escape in fragment", cbURL + "#access_token=%GG&token_type=Bearer&state=" + st, oauth.InvalidRedirect},
		{"encoded control char", cbURL + "?code=a%0Ab&state=" + st, oauth.InvalidRedirect},
		{"encoded NUL in state", cbURL + "?code=a&state=x%00", oauth.InvalidRedirect},
		{"negative expires_in", cbURL + "#access_token=a&token_type=Bearer&expires_in=-1", oauth.InvalidRedirect},
		{"fractional expires_in", cbURL + "#access_token=a&token_type=Bearer&expires_in=1.5", oauth.InvalidRedirect},
		{"text expires_in", cbURL + "#access_token=a&token_type=Bearer&expires_in=soon", oauth.InvalidRedirect},
		{"huge expires_in", cbURL + "#access_token=a&token_type=Bearer&expires_in=99999999999999999999999", oauth.InvalidRedirect},
		{"expires_in over ten years", cbURL + "#access_token=a&token_type=Bearer&expires_in=2592000000", oauth.InvalidRedirect},
		{"max int64 expires_in", cbURL + "#access_token=a&token_type=Bearer&expires_in=9223372036854775807", oauth.InvalidRedirect},
		{"jive huge expires_in", cbURL + "#access_token=a&type=bearer&expires_in=9223372036854775807&username=u", oauth.InvalidRedirect},
		{"over 64 KiB", cbURL + "?code=a&state=" + st + "&pad=" + strings.Repeat("p", 64<<10), oauth.InvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := oauth.ParseRedirect(tc.raw, fixedNow)
			if err == nil {
				t.Fatalf("accepted: %+v", r)
			}
			if r != nil {
				t.Errorf("returned a result with the error: %+v", r)
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestParseRedirectSPARouteIgnored(t *testing.T) {
	for _, frag := range []string{"#/settings", "#/", "#!/home", "#section-2"} {
		r, err := oauth.ParseRedirect(cbURL+"?code=abc&state="+st+frag, fixedNow)
		if err != nil {
			t.Fatalf("%s: %v", frag, err)
		}
		if r.Kind != oauth.KindCode || r.Code != "abc" || r.InFragment {
			t.Errorf("%s: %+v", frag, r)
		}
	}
}

func TestParseRedirectExpiry(t *testing.T) {
	tests := []struct {
		name, frag string
		wantIn     int64
	}{
		{"zero", "access_token=a&token_type=Bearer&expires_in=0", 0},
		{"seconds", "access_token=a&token_type=Bearer&expires_in=86400", 86400},
		{"ten years", "access_token=a&token_type=Bearer&expires_in=315360000", 315360000},
		{"jive ms", "access_token=a&type=bearer&expires_in=3600000&username=u%40jive.com", 3600},
		{"jive ms, no type", "access_token=a&token_type=bearer&expires_in=60", 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := oauth.ParseRedirect(cbURL+"#"+tc.frag, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			tok := r.Token
			if !tok.HasExpiry || tok.ExpiresIn != tc.wantIn || tok.ExpiresAt != fixedNow.UnixMilli()+tc.wantIn*1000 {
				t.Errorf("ExpiresIn=%d HasExpiry=%v ExpiresAt=%d, want %d", tok.ExpiresIn, tok.HasExpiry, tok.ExpiresAt, tc.wantIn)
			}
		})
	}
}

func TestParseRedirectPrincipal(t *testing.T) {
	// Today's format names the user principal; a username next to a
	// token_type is still taken as the principal.
	r, err := oauth.ParseRedirect(cbURL+"#access_token=a&token_type=Bearer&username=u%40x.com", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Token.Principal != "u@x.com" || r.Token.Legacy != "" {
		t.Errorf("got %+v", r.Token)
	}
	r, err = oauth.ParseRedirect(cbURL+"#access_token=a&token_type=Bearer&principal=p%40x.com&username=u%40x.com", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Token.Principal != "p@x.com" {
		t.Errorf("principal = %q", r.Token.Principal)
	}
}

func TestParseRedirectScope(t *testing.T) {
	for raw, want := range map[string][]string{
		"scope=a%20b":              {"a", "b"},
		"scope=a+b":                {"a", "b"},
		"scope=identity%3Ascim.me": {"identity:scim.me"},
		"scope=":                   {},
		"x=1":                      {},
	} {
		r, err := oauth.ParseRedirect(cbURL+"#access_token=a&token_type=Bearer&"+raw, fixedNow)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !reflect.DeepEqual(r.Token.Scope, want) {
			t.Errorf("%s: Scope = %#v, want %#v", raw, r.Token.Scope, want)
		}
	}
}

func TestParseRedirectLongErrorClipped(t *testing.T) {
	long := strings.Repeat("d", 4000)
	r, err := oauth.ParseRedirect(cbURL+"?error="+long+"&error_description="+long+"&state="+st, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Err.OAuth) > 600 || len(r.Err.Description) > 600 || len(r.Err.Message) > 1400 {
		t.Errorf("server text not clipped: %d %d %d", len(r.Err.OAuth), len(r.Err.Description), len(r.Err.Message))
	}
}
