package emulator

import (
	"net/http"
	"strings"
)

type scimName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type scimMeta struct {
	Created  string `json:"created"`
	Location string `json:"location"`
}

type scimAccount struct {
	Value        string   `json:"value"`
	Display      string   `json:"display"`
	Entitlements []string `json:"entitlements"`
}

type scimGetgo struct {
	Accounts []scimAccount `json:"accounts"`
}

// scimUser is the /me response: SCIM 1.0 core with GoTo's getgo extension.
type scimUser struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	UserName    string    `json:"userName"`
	DisplayName string    `json:"displayName"`
	Name        scimName  `json:"name"`
	Locale      string    `json:"locale"`
	Timezone    string    `json:"timezone"`
	Meta        scimMeta  `json:"meta"`
	Getgo       scimGetgo `json:"urn:scim:schemas:extension:getgo:1.0"`
}

// me implements SCIM /me for a valid bearer access token and answers 401
// otherwise.
func (e *Emulator) me(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD, OPTIONS")
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	now := e.now()
	e.mu.Lock()
	t := e.access[tok]
	valid := strings.EqualFold(scheme, "Bearer") && tok != "" && t != nil && now.Before(t.expires)
	e.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="emulator", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, struct {
			Code string `json:"int_err_code"`
			Msg  string `json:"msg"`
		}{"InvalidToken", "Invalid token passed"})
		return
	}
	u := e.user
	accounts := make([]scimAccount, 0, len(u.Accounts))
	for _, a := range u.Accounts {
		ent := a.Entitlements
		if ent == nil {
			ent = []string{}
		}
		accounts = append(accounts, scimAccount{Value: a.Value, Display: a.Display, Entitlements: ent})
	}
	writeJSON(w, http.StatusOK, scimUser{
		Schemas:     []string{"urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:getgo:1.0"},
		ID:          u.ID,
		UserName:    u.UserName,
		DisplayName: u.DisplayName,
		Name:        scimName{GivenName: u.GivenName, FamilyName: u.FamilyName},
		Locale:      u.Locale,
		Timezone:    u.Timezone,
		Meta: scimMeta{
			Created:  u.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
			Location: "https://api.getgo.com/identity/v1/Users/" + u.ID,
		},
		Getgo: scimGetgo{Accounts: accounts},
	})
}
