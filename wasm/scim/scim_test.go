package scim_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"gotoauth/wasm/oauth"
	"gotoauth/wasm/scim"
)

func load(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/me.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func TestMapFull(t *testing.T) {
	p, err := scim.Map(load(t))
	if err != nil {
		t.Fatal(err)
	}
	want := &scim.Profile{
		ID: "8439885694023999999", UserName: "mister.jones@fakemail.com", DisplayName: "Moon Beam",
		GivenName: "Moon", FamilyName: "Beam", Locale: "en_US", Timezone: "America/Los_Angeles",
		Accounts: []scim.Account{
			{Key: "9999982253621659654", Name: "Fake Corp", Entitlements: []string{"acctadmin", "gotoconnect"}},
			{Key: "1111111111111111111", Name: "Side Project"},
		},
		Legacy: []oauth.Field{
			{Name: "organizer_key", Value: "8439885694023999999"},
			{Name: "account_key", Value: "9999982253621659654"},
			{Name: "email", Value: "mister.jones@fakemail.com"},
			{Name: "firstName", Value: "Moon"},
			{Name: "lastName", Value: "Beam"},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
}

func TestMapMinimal(t *testing.T) {
	for name, body := range map[string]string{
		"no extension":        `{"id":"1","userName":"u@x.com"}`,
		"null extension":      `{"id":"1","userName":"u@x.com","urn:scim:schemas:extension:getgo:1.0":null}`,
		"extension no list":   `{"id":"1","userName":"u@x.com","urn:scim:schemas:extension:getgo:1.0":{}}`,
		"empty accounts":      `{"id":"1","userName":"u@x.com","urn:scim:schemas:extension:getgo:1.0":{"accounts":[]}}`,
		"null optional":       `{"id":"1","userName":"u@x.com","displayName":null,"name":null,"locale":null}`,
		"only jive extension": `{"id":"1","userName":"u@x.com","urn:scim:schemas:extension:jive:1.0":{"x":1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := scim.Map(decode(t, body))
			if err != nil {
				t.Fatal(err)
			}
			if p.Accounts == nil || len(p.Accounts) != 0 {
				t.Errorf("Accounts = %#v, want empty and non-nil", p.Accounts)
			}
			want := []oauth.Field{
				{Name: "organizer_key", Value: "1"},
				{Name: "account_key", Value: ""},
				{Name: "email", Value: "u@x.com"},
				{Name: "firstName", Value: ""},
				{Name: "lastName", Value: ""},
			}
			if !reflect.DeepEqual(p.Legacy, want) {
				t.Errorf("Legacy = %+v", p.Legacy)
			}
		})
	}
}

func TestMapEntitlements(t *testing.T) {
	p, err := scim.Map(decode(t, `{"id":"1","userName":"u","urn:scim:schemas:extension:getgo:1.0":{"accounts":[{"value":"a","entitlements":[]},{"value":"b"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Accounts[0].Entitlements == nil || len(p.Accounts[0].Entitlements) != 0 {
		t.Errorf("empty entitlements = %#v", p.Accounts[0].Entitlements)
	}
	if p.Accounts[1].Entitlements != nil {
		t.Errorf("missing entitlements = %#v, want nil", p.Accounts[1].Entitlements)
	}
}

func TestMapInvalid(t *testing.T) {
	const ext = `"urn:scim:schemas:extension:getgo:1.0"`
	for name, body := range map[string]string{
		"empty":                   `{}`,
		"missing id":              `{"userName":"u@x.com"}`,
		"missing userName":        `{"id":"1"}`,
		"empty id":                `{"id":"","userName":"u@x.com"}`,
		"null id":                 `{"id":null,"userName":"u@x.com"}`,
		"numeric id":              `{"id":8439885694023999999,"userName":"u@x.com"}`,
		"array userName":          `{"id":"1","userName":["u@x.com"]}`,
		"bool displayName":        `{"id":"1","userName":"u","displayName":true}`,
		"number locale":           `{"id":"1","userName":"u","locale":1}`,
		"object timezone":         `{"id":"1","userName":"u","timezone":{}}`,
		"name string":             `{"id":"1","userName":"u","name":"Moon Beam"}`,
		"givenName number":        `{"id":"1","userName":"u","name":{"givenName":1}}`,
		"familyName array":        `{"id":"1","userName":"u","name":{"familyName":["B"]}}`,
		"extension string":        `{"id":"1","userName":"u",` + ext + `:"x"}`,
		"extension array":         `{"id":"1","userName":"u",` + ext + `:[]}`,
		"accounts object":         `{"id":"1","userName":"u",` + ext + `:{"accounts":{"value":"a"}}}`,
		"accounts string":         `{"id":"1","userName":"u",` + ext + `:{"accounts":"a"}}`,
		"account string":          `{"id":"1","userName":"u",` + ext + `:{"accounts":["a"]}}`,
		"account null":            `{"id":"1","userName":"u",` + ext + `:{"accounts":[null]}}`,
		"account without value":   `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"display":"x"}]}}`,
		"account numeric value":   `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":999}]}}`,
		"account display number":  `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":"a","display":1}]}}`,
		"entitlements string":     `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":"a","entitlements":"acctadmin"}]}}`,
		"entitlement number":      `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":"a","entitlements":[1]}]}}`,
		"second account broken":   `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":"a"},{"value":2}]}}`,
		"broken account, no name": `{"id":"1","userName":"u",` + ext + `:{"accounts":[{"value":"a","display":[],"entitlements":["x"]}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := scim.Map(decode(t, body))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != oauth.InvalidResponse {
				t.Fatalf("error %v, want invalid_response", err)
			}
			if p != nil {
				t.Errorf("profile with the error: %+v", p)
			}
		})
	}
}

func TestMapNil(t *testing.T) {
	_, err := scim.Map(nil)
	var e *oauth.Error
	if !errors.As(err, &e) || e.Code != oauth.InvalidResponse {
		t.Fatalf("error %v, want invalid_response", err)
	}
}
