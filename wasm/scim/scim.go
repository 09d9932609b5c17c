// Package scim maps GoTo's SCIM /me response onto the fields the old getgo
// token responses carried (the table in GoTo's guide "Migrating to New Token Retrieval with authentication.logmeininc.com").
package scim

import "gotoauth/wasm/oauth"

// accountsExtension holds the accounts; it is seen in public clients but not
// in the published schema.
const accountsExtension = "urn:scim:schemas:extension:getgo:1.0"

// Account is one entry of the getgo extension's accounts.
type Account struct {
	Key          string
	Name         string
	Entitlements []string // nil when the response had none
}

// Profile is the mapped /me response.
type Profile struct {
	ID, UserName, DisplayName, GivenName, FamilyName, Locale, Timezone string
	Accounts                                                           []Account
	// Legacy holds organizer_key, account_key, email, firstName, lastName
	// under the names the getgo token response used.
	Legacy []oauth.Field
}

// Map reads a parsed /me body. id and userName are required; the rest is
// optional, but a field of the wrong type is an error rather than a guess.
func Map(m map[string]any) (*Profile, error) {
	if m == nil {
		return nil, bad("the /me response is not a JSON object")
	}
	p := &Profile{}
	var err error
	get := func(obj map[string]any, name string, dst *string) {
		if err != nil {
			return
		}
		switch v := obj[name].(type) {
		case nil:
		case string:
			*dst = v
		default:
			err = bad("/me field " + name + " is not a string")
		}
	}
	get(m, "id", &p.ID)
	get(m, "userName", &p.UserName)
	get(m, "displayName", &p.DisplayName)
	get(m, "locale", &p.Locale)
	get(m, "timezone", &p.Timezone)
	if name, ok := m["name"]; ok && name != nil {
		nm, isObj := name.(map[string]any)
		if !isObj {
			return nil, bad("/me field name is not an object")
		}
		get(nm, "givenName", &p.GivenName)
		get(nm, "familyName", &p.FamilyName)
	}
	if err != nil {
		return nil, err
	}
	if p.ID == "" || p.UserName == "" {
		return nil, bad("the /me response has no id or userName")
	}
	p.Accounts = []Account{}
	if ext, ok := m[accountsExtension]; ok && ext != nil {
		em, isObj := ext.(map[string]any)
		if !isObj {
			return nil, bad("/me extension " + accountsExtension + " is not an object")
		}
		if raw, ok := em["accounts"]; ok && raw != nil {
			list, isList := raw.([]any)
			if !isList {
				return nil, bad("/me accounts is not an array")
			}
			for _, item := range list {
				am, isObj := item.(map[string]any)
				if !isObj {
					return nil, bad("/me account is not an object")
				}
				var a Account
				get(am, "value", &a.Key)
				get(am, "display", &a.Name)
				if ents, ok := am["entitlements"]; ok && ents != nil && err == nil {
					el, isList := ents.([]any)
					if !isList {
						return nil, bad("/me entitlements is not an array")
					}
					a.Entitlements = []string{}
					for _, e := range el {
						s, isStr := e.(string)
						if !isStr {
							return nil, bad("/me entitlement is not a string")
						}
						a.Entitlements = append(a.Entitlements, s)
					}
				}
				if err != nil {
					return nil, err
				}
				if a.Key == "" {
					return nil, bad("/me account has no value")
				}
				p.Accounts = append(p.Accounts, a)
			}
		}
	}
	accountKey := ""
	if len(p.Accounts) > 0 {
		accountKey = p.Accounts[0].Key
	}
	p.Legacy = []oauth.Field{
		{Name: "organizer_key", Value: p.ID},
		{Name: "account_key", Value: accountKey},
		{Name: "email", Value: p.UserName},
		{Name: "firstName", Value: p.GivenName},
		{Name: "lastName", Value: p.FamilyName},
	}
	return p, nil
}

func bad(msg string) error { return &oauth.Error{Code: oauth.InvalidResponse, Message: msg} }
