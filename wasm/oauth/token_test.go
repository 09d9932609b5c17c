package oauth_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gotoauth/wasm/oauth"
)

// Token endpoint bodies exactly as GoTo's guides print them.
const (
	// Seed 000: today's response with a refresh token.
	bodyToday = `{
"access_token": "eyJraWQiOiJvYXV0aHYyLmxt666...",
"token_type": "Bearer",
"refresh_token": "eyJraWQiOiJvYXV0aHYyLmxt999...",
"expires_in": 3600,
"scope": "users.v1.lines.read calls.v2.initiate",
"principal": "mister.jones@fakemail.com"
}`
	// Seed 000: today's refresh response without a new refresh token.
	bodyTodayNoRefresh = `{
"access_token": "eyJraWQiOiJvYXV0aHYyLmxt666...",
"token_type": "Bearer",
"expires_in": 3600,
"scope": "users.v1.lines.read calls.v2.initiate",
"principal": "mister.jones@fakemail.com"
}`
	// Seed 000 / 003: the getgo v2 payload with user fields.
	bodyGetGoV2 = `{
"access_token": "eyJraWQiOiJvYXV0aHYyLmxt666...",
"token_type": "Bearer",
"refresh_token": "eyJraWQiOiJvYXV0aHYyLmxt999...",
"expires_in": 3600,
"account_key": "9999982253621659654",
"email": "mister.jones@fakemail.com",
"firstName": "Moon",
"lastName": "Beam",
"organizer_key": "8439885694023999999",
"version": "3",
"account_type": ""
}`
	// Seed 002: the getgo v1 legacy proxy.
	bodyGetGoV1 = `{
"access_token": "o4yGgdsjaklfjdsklfadiygQ9",
"expires_in": "30758399",
"refresh_token": "9i4fdasfdsfdsfdsavnUbDw1",
"organizer_key": "1252383132521359990",
"account_key": "3792314532151329654",
"account_type": "",
"firstName": "Jon",
"lastName": "Karmak",
"email": "jk@example.com",
"platform": "GLOBAL",
"version": "2"
}`
	// Seed 001: the former GoToConnect (Jive) token response.
	bodyJive = `{
  "access_token": "{ACCESS_TOKEN}",
  "refresh_token": "{REFRESH_TOKEN}",
  "token_type": "bearer",
  "expires_in": 2592000000,
  "username": "jive-user@jive.com"
}`
	// Seed 001: today's response as the Jive migration guide prints it
	// (with the comma the guide forgot).
	bodyTodayJiveGuide = `{
  "access_token": "{ACCESS_TOKEN}",
  "refresh_token": "{REFRESH_TOKEN}",
  "token_type": "Bearer",
  "expires_in": 86400,
  "scope": "{SCOPE} {ANOTHER_SCOPE}",
  "principal": "jive-user@jive.com"
}`
	// Seed 001: a GoToConnect refresh token sent to today's endpoint.
	bodyUnsupportedJWT = `{
  "error": "invalid_request",
  "error_description": "unsupported.jwt"
}`
)

func decode(t testing.TB, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", body, err)
	}
	return m
}

func TestNormalizeJSONGenerations(t *testing.T) {
	now := fixedNow.UnixMilli()
	tests := []struct {
		name string
		body string
		want *oauth.Token
	}{
		{"today", bodyToday, &oauth.Token{
			AccessToken: "eyJraWQiOiJvYXV0aHYyLmxt666...", TokenType: "Bearer",
			RefreshToken: "eyJraWQiOiJvYXV0aHYyLmxt999...",
			ExpiresIn:    3600, HasExpiry: true, ExpiresAt: now + 3600_000,
			Scope:     []string{"users.v1.lines.read", "calls.v2.initiate"},
			Principal: "mister.jones@fakemail.com", Legacy: "",
		}},
		{"today without refresh_token", bodyTodayNoRefresh, &oauth.Token{
			AccessToken: "eyJraWQiOiJvYXV0aHYyLmxt666...", TokenType: "Bearer",
			ExpiresIn: 3600, HasExpiry: true, ExpiresAt: now + 3600_000,
			Scope:     []string{"users.v1.lines.read", "calls.v2.initiate"},
			Principal: "mister.jones@fakemail.com", Legacy: "",
		}},
		{"today, Jive guide", bodyTodayJiveGuide, &oauth.Token{
			AccessToken: "{ACCESS_TOKEN}", TokenType: "Bearer", RefreshToken: "{REFRESH_TOKEN}",
			ExpiresIn: 86400, HasExpiry: true, ExpiresAt: now + 86400_000,
			Scope:     []string{"{SCOPE}", "{ANOTHER_SCOPE}"},
			Principal: "jive-user@jive.com", Legacy: "",
		}},
		{"getgo v2", bodyGetGoV2, &oauth.Token{
			AccessToken: "eyJraWQiOiJvYXV0aHYyLmxt666...", TokenType: "Bearer",
			RefreshToken: "eyJraWQiOiJvYXV0aHYyLmxt999...",
			ExpiresIn:    3600, HasExpiry: true, ExpiresAt: now + 3600_000,
			Scope:     []string{},
			Principal: "mister.jones@fakemail.com", Legacy: oauth.LegacyGetGoV2,
			Profile: []oauth.Field{
				{Name: "organizer_key", Value: "8439885694023999999"},
				{Name: "account_key", Value: "9999982253621659654"},
				{Name: "account_type", Value: ""},
				{Name: "email", Value: "mister.jones@fakemail.com"},
				{Name: "firstName", Value: "Moon"},
				{Name: "lastName", Value: "Beam"},
				{Name: "version", Value: "3"},
			},
		}},
		{"getgo v1", bodyGetGoV1, &oauth.Token{
			AccessToken: "o4yGgdsjaklfjdsklfadiygQ9", TokenType: "Bearer",
			RefreshToken: "9i4fdasfdsfdsfdsavnUbDw1",
			ExpiresIn:    30758399, HasExpiry: true, ExpiresAt: now + 30758399_000,
			Scope:     []string{},
			Principal: "jk@example.com", Legacy: oauth.LegacyGetGoV1,
			Profile: []oauth.Field{
				{Name: "organizer_key", Value: "1252383132521359990"},
				{Name: "account_key", Value: "3792314532151329654"},
				{Name: "account_type", Value: ""},
				{Name: "email", Value: "jk@example.com"},
				{Name: "firstName", Value: "Jon"},
				{Name: "lastName", Value: "Karmak"},
				{Name: "platform", Value: "GLOBAL"},
				{Name: "version", Value: "2"},
			},
		}},
		{"gotoconnect", bodyJive, &oauth.Token{
			AccessToken: "{ACCESS_TOKEN}", TokenType: "Bearer", RefreshToken: "{REFRESH_TOKEN}",
			ExpiresIn: 2592000, HasExpiry: true, ExpiresAt: now + 2592000_000,
			Scope:     []string{},
			Principal: "jive-user@jive.com", Legacy: oauth.LegacyGoToConnect,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oauth.NormalizeJSON(decode(t, tc.body), fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestNormalizeJSONLegacyFieldValues(t *testing.T) {
	// The getgo v2 response of GoTo's OAuth migration guide and its guide
	// "How to obtain an access token", in their other example.
	m := decode(t, `{
"access_token": "o4yGgdsjaklfjdsklfadiygQ9",
"token_type": "Bearer",
"refresh_token": "9i4fdasfdsfdsfdsavnUbDw1",
"expires_in": 3600,
"account_key": "3792882212321659654",
"account_type": "",
"email": "jk@example.com",
"firstName": "Jon",
"lastName": "Karmak",
"organizer_key": "18889842069694200",
"version": "3"
}`)
	tok, err := oauth.NormalizeJSON(m, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Legacy != oauth.LegacyGetGoV2 || tok.Principal != "jk@example.com" {
		t.Errorf("got %+v", tok)
	}
	get := func(name string) string {
		for _, f := range tok.Profile {
			if f.Name == name {
				return f.Value
			}
		}
		t.Fatalf("Profile lacks %s: %+v", name, tok.Profile)
		return ""
	}
	if get("organizer_key") != "18889842069694200" || get("account_key") != "3792882212321659654" || get("version") != "3" {
		t.Errorf("Profile = %+v", tok.Profile)
	}
}

func TestNormalizeJSONVariants(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, tok *oauth.Token)
	}{
		{"token_type upper case", `{"access_token":"a","token_type":"BEARER","expires_in":60}`, func(t *testing.T, tok *oauth.Token) {
			if tok.TokenType != "Bearer" {
				t.Errorf("TokenType = %q", tok.TokenType)
			}
		}},
		{"no expires_in", `{"access_token":"a","token_type":"Bearer"}`, func(t *testing.T, tok *oauth.Token) {
			if tok.HasExpiry || tok.ExpiresAt != 0 || tok.ExpiresIn != 0 {
				t.Errorf("expiry invented: %+v", tok)
			}
		}},
		{"null expires_in and refresh_token", `{"access_token":"a","token_type":"Bearer","expires_in":null,"refresh_token":null}`, func(t *testing.T, tok *oauth.Token) {
			if tok.HasExpiry || tok.RefreshToken != "" {
				t.Errorf("got %+v", tok)
			}
		}},
		{"zero expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":0}`, func(t *testing.T, tok *oauth.Token) {
			if !tok.HasExpiry || tok.ExpiresIn != 0 || tok.ExpiresAt != fixedNow.UnixMilli() {
				t.Errorf("got %+v", tok)
			}
		}},
		{"expires_in 3600.0", `{"access_token":"a","token_type":"Bearer","expires_in":3600.0}`, func(t *testing.T, tok *oauth.Token) {
			if tok.ExpiresIn != 3600 {
				t.Errorf("got %+v", tok)
			}
		}},
		{"v1 expires_in with spaces", `{"access_token":"a","expires_in":" 3600 ","organizer_key":"1"}`, func(t *testing.T, tok *oauth.Token) {
			if tok.ExpiresIn != 3600 || tok.Legacy != oauth.LegacyGetGoV1 {
				t.Errorf("got %+v", tok)
			}
		}},
		{"numeric organizer_key", `{"access_token":"a","token_type":"Bearer","organizer_key":18889842069694200}`, func(t *testing.T, tok *oauth.Token) {
			if tok.Legacy != oauth.LegacyGetGoV2 || len(tok.Profile) != 1 || tok.Profile[0].Value != "18889842069694200" {
				t.Errorf("got %+v", tok)
			}
		}},
		{"unknown fields ignored", `{"access_token":"a","token_type":"Bearer","id_token":"x","foo":{"bar":[1]}}`, func(t *testing.T, tok *oauth.Token) {
			if tok.AccessToken != "a" {
				t.Errorf("got %+v", tok)
			}
		}},
		{"principal wins over email", `{"access_token":"a","token_type":"Bearer","principal":"p@x.com","email":"e@x.com"}`, func(t *testing.T, tok *oauth.Token) {
			if tok.Principal != "p@x.com" {
				t.Errorf("Principal = %q", tok.Principal)
			}
		}},
		{"ten years", `{"access_token":"a","token_type":"Bearer","expires_in":315360000}`, func(t *testing.T, tok *oauth.Token) {
			if tok.ExpiresIn != 315360000 {
				t.Errorf("got %+v", tok)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := oauth.NormalizeJSON(decode(t, tc.body), fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tok)
		})
	}
}

func TestNormalizeJSONOAuthErrors(t *testing.T) {
	tests := []struct {
		name, body           string
		oauthCode, desc, uri string
	}{
		{"invalid_grant", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`, "invalid_grant", "Invalid authorization code", ""},
		{"unsupported.jwt", bodyUnsupportedJWT, "invalid_request", "unsupported.jwt", ""},
		{"invalid_client", `{"error":"invalid_client","error_description":"Client authentication failed."}`, "invalid_client", "Client authentication failed.", ""},
		{"with uri", `{"error":"invalid_scope","error_uri":"https://example.com/help"}`, "invalid_scope", "", "https://example.com/help"},
		{"error next to a token", `{"error":"invalid_grant","access_token":"a","token_type":"Bearer"}`, "invalid_grant", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := oauth.NormalizeJSON(decode(t, tc.body), fixedNow)
			if tok != nil {
				t.Errorf("token with an error: %+v", tok)
			}
			e := wantCode(t, err, oauth.OAuthError)
			if e.OAuth != tc.oauthCode || e.Description != tc.desc || e.URI != tc.uri {
				t.Errorf("got %+v", e)
			}
			if !strings.Contains(e.Message, tc.oauthCode) {
				t.Errorf("Message %q", e.Message)
			}
		})
	}
}

func TestNormalizeJSONInvalidResponse(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty object", `{}`},
		{"missing access_token", `{"token_type":"Bearer","expires_in":3600}`},
		{"empty access_token", `{"access_token":"","token_type":"Bearer"}`},
		{"null access_token", `{"access_token":null,"token_type":"Bearer"}`},
		{"number access_token", `{"access_token":12345,"token_type":"Bearer"}`},
		{"object access_token", `{"access_token":{"v":"a"},"token_type":"Bearer"}`},
		{"array scope", `{"access_token":"a","token_type":"Bearer","scope":["a","b"]}`},
		{"number scope", `{"access_token":"a","token_type":"Bearer","scope":1}`},
		{"object expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":{"s":3600}}`},
		{"bool expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":true}`},
		{"array expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":[3600]}`},
		{"bool token_type", `{"access_token":"a","token_type":true}`},
		{"number refresh_token", `{"access_token":"a","token_type":"Bearer","refresh_token":7}`},
		{"number principal", `{"access_token":"a","token_type":"Bearer","principal":7}`},
		{"array username", `{"access_token":"a","token_type":"bearer","username":["u"]}`},
		{"object email", `{"access_token":"a","token_type":"Bearer","email":{"x":1}}`},
		{"bool organizer_key", `{"access_token":"a","token_type":"Bearer","organizer_key":true}`},
		{"mac token_type", `{"access_token":"a","token_type":"mac"}`},
		{"DPoP token_type", `{"access_token":"a","token_type":"DPoP"}`},
		{"empty token_type", `{"access_token":"a","token_type":""}`},
		{"negative expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":-1}`},
		{"fractional expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":3599.5}`},
		{"huge expires_in", `{"access_token":"a","token_type":"Bearer","expires_in":1e300}`},
		{"over ten years", `{"access_token":"a","token_type":"Bearer","expires_in":315360001}`},
		{"string expires_in negative", `{"access_token":"a","expires_in":"-5","organizer_key":"1"}`},
		{"string expires_in text", `{"access_token":"a","expires_in":"soon","organizer_key":"1"}`},
		{"string expires_in fraction", `{"access_token":"a","expires_in":"3.5","organizer_key":"1"}`},
		{"string expires_in overflow", `{"access_token":"a","expires_in":"99999999999999999999","organizer_key":"1"}`},
		{"jive expires_in over ten years", `{"access_token":"a","token_type":"bearer","expires_in":315360001000,"username":"u"}`},
		{"today without token_type", `{"access_token":"a","expires_in":3600,"scope":"x","principal":"p@x.com"}`},
		{"only access_token", `{"access_token":"a"}`},
		{"number error", `{"error":400}`},
		{"empty error", `{"error":""}`},
		{"dead v2 host message", `{"message":"This endpoint is no longer valid, please use authentication.logmeininc.com"}`},
		{"token over 32 KiB", `{"access_token":"` + strings.Repeat("a", 32<<10+1) + `","token_type":"Bearer"}`},
		{"refresh over 32 KiB", `{"access_token":"a","refresh_token":"` + strings.Repeat("r", 32<<10+1) + `","token_type":"Bearer"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := oauth.NormalizeJSON(decode(t, tc.body), fixedNow)
			if err == nil {
				t.Fatalf("accepted: %+v", tok)
			}
			wantCode(t, err, oauth.InvalidResponse)
		})
	}
}

func TestNormalizeJSONNil(t *testing.T) {
	_, err := oauth.NormalizeJSON(nil, fixedNow)
	wantCode(t, err, oauth.InvalidResponse)
}
