package oauth_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"gotoauth/wasm/oauth"
)

func TestMigrateURLLegacy(t *testing.T) {
	const (
		authz = "https://authentication.logmeininc.com/oauth/authorize"
		token = "https://authentication.logmeininc.com/oauth/token"
	)
	tests := []struct {
		name, in, wantBase string
		wantParams         url.Values
		noteHas            string
	}{
		{"getgo v1 authorize", "https://api.getgo.com/oauth/authorize?client_id=consumerKey",
			authz, url.Values{"response_type": {"code"}, "client_id": {"consumerKey"}}, "response_type=code"},
		{"getgo v1 authorize with redirect and state", "https://api.getgo.com/oauth/authorize?client_id=k&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=xyz",
			authz, url.Values{"response_type": {"code"}, "client_id": {"k"}, "redirect_uri": {"https://example.com/cb"}, "state": {"xyz"}}, "response_type=code"},
		{"getgo v1 access_token", "https://api.getgo.com/oauth/access_token?grant_type=authorization_code&code=responseKey&client_id=consumerKey",
			token, url.Values{"grant_type": {"authorization_code"}, "code": {"responseKey"}, "client_id": {"consumerKey"}}, "POST"},
		{"getgo v1 access_token bare", "https://api.getgo.com/oauth/access_token",
			token, url.Values{}, "access_token"},
		{"getgo v2 authorize (new token retrieval guide)", "https://api.getgo.com/oauth/v2/authorize?client_id={clientID}&response_type=code",
			authz, url.Values{"client_id": {"{clientID}"}, "response_type": {"code"}}, "v2"},
		{"getgo v2 authorize (access token guide)", "https://api.getgo.com/oauth/v2/authorize?client_id=a2094c4f-fAk0e-4339-934f-4da2d788d0aa&response_type=code&redirect_uri=https://example.com",
			authz, url.Values{"client_id": {"a2094c4f-fAk0e-4339-934f-4da2d788d0aa"}, "response_type": {"code"}, "redirect_uri": {"https://example.com"}}, "v2"},
		{"getgo v2 token", "https://api.getgo.com/oauth/v2/token",
			token, url.Values{}, "SCIM"},
		{"jive grant (GoToConnect migration guide)", "https://auth.jive.com/oauth2/v2/grant?response_type=token&client_id=CID&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=users.v1.read%20calls.v2.initiate&state=S",
			authz, url.Values{"response_type": {"token"}, "client_id": {"CID"}, "redirect_uri": {"https://app.example.com/cb"}, "scope": {"users.v1.read calls.v2.initiate"}, "state": {"S"}}, "jive"},
		{"jive grant code", "https://auth.jive.com/oauth2/v2/grant?response_type=code&client_id=CID",
			authz, url.Values{"response_type": {"code"}, "client_id": {"CID"}}, "jive"},
		{"jive token", "https://auth.jive.com/oauth2/v2/token",
			token, url.Values{}, "unsupported.jwt"},
		{"trailing slash", "https://api.getgo.com/oauth/v2/token/",
			token, url.Values{}, ""},
		{"upper-case host", "https://API.GETGO.COM/oauth/v2/token",
			token, url.Values{}, ""},
		{"http legacy", "http://api.getgo.com/oauth/v2/authorize?response_type=code&client_id=x",
			authz, url.Values{"response_type": {"code"}, "client_id": {"x"}}, "https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := oauth.MigrateURL(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Changed {
				t.Errorf("Changed = false for %q", tc.in)
			}
			if len(m.Notes) == 0 {
				t.Error("no notes")
			}
			for _, n := range m.Notes {
				if n == "" {
					t.Error("empty note")
				}
			}
			if tc.noteHas != "" && !strings.Contains(strings.ToLower(strings.Join(m.Notes, "\n")), strings.ToLower(tc.noteHas)) {
				t.Errorf("notes %q lack %q", m.Notes, tc.noteHas)
			}
			u := mustParseURL(t, m.URL)
			if got := u.Scheme + "://" + u.Host + u.Path; got != tc.wantBase {
				t.Errorf("URL %q: base %q, want %q", m.URL, got, tc.wantBase)
			}
			if got := u.Query(); !reflect.DeepEqual(got, tc.wantParams) {
				t.Errorf("URL %q: params %v, want %v", m.URL, got, tc.wantParams)
			}
			// The result is today's URL: migrating it again changes nothing.
			again, err := oauth.MigrateURL(m.URL)
			if err != nil || again.Changed || again.URL != m.URL {
				t.Errorf("migrating %q again: %+v %v", m.URL, again, err)
			}
		})
	}
}

func TestMigrateURLKeepsFragment(t *testing.T) {
	m, err := oauth.MigrateURL("https://auth.jive.com/oauth2/v2/grant?response_type=token&client_id=CID#frag")
	if err != nil {
		t.Fatal(err)
	}
	if u := mustParseURL(t, m.URL); u.Fragment != "frag" || u.Host != "authentication.logmeininc.com" {
		t.Errorf("URL = %q", m.URL)
	}
}

func TestMigrateURLUnchanged(t *testing.T) {
	for _, in := range []string{
		"https://authentication.logmeininc.com/oauth/authorize?response_type=code&client_id=x",
		"https://authentication.logmeininc.com/oauth/token",
		"https://example.com/oauth/authorize?client_id=x",
		"https://api.getgo.com/identity/v1/Users/me",
		"https://api.getgo.com/admin/rest/v1/me",
		"https://auth.jive.com/oauth2/v3/grant",
	} {
		t.Run(in, func(t *testing.T) {
			m, err := oauth.MigrateURL(in)
			if err != nil {
				t.Fatal(err)
			}
			if m.Changed || m.URL != in {
				t.Errorf("got %+v", m)
			}
			if len(m.Notes) == 0 || m.Notes[0] == "" {
				t.Errorf("no note saying why: %+v", m)
			}
		})
	}
}

func TestMigrateURLMalformed(t *testing.T) {
	for _, in := range []string{
		"",
		"api.getgo.com/oauth/authorize?client_id=x",
		"/oauth/v2/token",
		"https://api.getgo.com/oauth/authorize?client_id=%zz",
		"https://api.getgo.com/oauth/authorize?client_id=a&client_id=b",
		"https://api.getgo.com/oauth/authorize?client_id=a b",
		"mailto:someone@example.com",
		"https://api.getgo.com/oauth/authorize?pad=" + strings.Repeat("p", 64<<10),
	} {
		t.Run(in[:min(len(in), 50)], func(t *testing.T) {
			_, err := oauth.MigrateURL(in)
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

func TestMigrateURLPasswordGrantNote(t *testing.T) {
	for _, in := range []string{
		"https://api.getgo.com/oauth/access_token?grant_type=password&user_id=u&password=p&client_id=k",
		"https://api.getgo.com/oauth/v2/token?grant_type=password&username=u&password=p",
	} {
		m, err := oauth.MigrateURL(in)
		if err != nil {
			t.Fatal(err)
		}
		notes := strings.Join(m.Notes, "\n")
		if !strings.Contains(notes, "password") || !strings.Contains(notes, "authorization code") {
			t.Errorf("%s: notes %q do not warn about the password grant", in, m.Notes)
		}
		if !m.Changed || !strings.HasPrefix(m.URL, oauth.DefaultTokenEndpoint) {
			t.Errorf("%s: %+v", in, m)
		}
		q := mustParseURL(t, m.URL).Query()
		if q.Get("grant_type") != "password" {
			t.Errorf("parameters not kept: %v", q)
		}
	}
}

func TestMigrateURLNoStateNote(t *testing.T) {
	m, err := oauth.MigrateURL("https://api.getgo.com/oauth/v2/authorize?client_id=x&response_type=code")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(m.Notes, "\n"), "state") {
		t.Errorf("no note about the missing state: %q", m.Notes)
	}
}
