// Package explain describes, in plain words, a URL pasted into the demo: an
// authorization redirect of any generation, or a legacy GoTo endpoint.
package explain

import (
	"strconv"
	"strings"
	"time"

	"gotoauth/wasm/oauth"
)

// Line is one statement about the URL: a label and a value.
type Line struct{ Label, Value string }

// Explanation is what URL found; Err is set when the URL is neither a
// redirect nor a known GoTo URL.
type Explanation struct {
	Lines []Line
	Err   *oauth.Error
}

// URL explains raw. It tries the URL as a legacy endpoint first, then as a
// redirect, and reports both parsers' findings.
func URL(raw string, now time.Time) Explanation {
	var ex Explanation
	raw = strings.TrimSpace(raw)
	if raw == "" {
		ex.Err = &oauth.Error{Code: oauth.InvalidArgument, Message: "paste a redirect or a GoTo authorize or token URL"}
		return ex
	}
	if m, err := oauth.MigrateURL(raw); err == nil && m.Changed {
		ex.add("legacy URL", "yes")
		ex.add("today's URL", m.URL)
		for _, n := range m.Notes {
			ex.add("note", n)
		}
		return ex
	}
	r, err := oauth.ParseRedirect(raw, now)
	if err != nil {
		e, _ := err.(*oauth.Error)
		if e == nil {
			e = &oauth.Error{Code: oauth.Internal, Message: err.Error()}
		}
		if m, merr := oauth.MigrateURL(raw); merr == nil && len(m.Notes) > 0 && e.Code == oauth.InvalidRedirect {
			ex.add("URL", m.Notes[0])
		}
		ex.Err = e
		return ex
	}
	where := "query"
	if r.InFragment {
		where = "fragment"
	}
	ex.add("response", r.Kind+" (in the "+where+")")
	if r.State == "" {
		ex.add("state", "missing: a client refuses this redirect")
	} else {
		ex.add("state", r.State)
	}
	switch r.Kind {
	case oauth.KindCode:
		ex.add("code", Mask(r.Code))
		ex.add("next", "the client checks the state, then exchanges the code with its PKCE verifier")
	case oauth.KindError:
		ex.add("error", r.Err.OAuth)
		if r.Err.Description != "" {
			ex.add("description", r.Err.Description)
		}
		if r.Err.URI != "" {
			ex.add("error URI", r.Err.URI)
		}
	case oauth.KindToken:
		t := r.Token
		format := "today's (authentication.logmeininc.com)"
		if t.Legacy == oauth.LegacyGoToConnect {
			format = "GoToConnect legacy: type → token_type, username → principal, expires_in in milliseconds"
		}
		ex.add("format", format)
		ex.add("access token", Mask(t.AccessToken))
		ex.add("token type", t.TokenType)
		if t.HasExpiry {
			ex.add("expires in", strconv.FormatInt(t.ExpiresIn, 10)+" seconds ("+Duration(time.Duration(t.ExpiresIn)*time.Second)+")")
		}
		if t.Principal != "" {
			ex.add("principal", t.Principal)
		}
		scope := strings.Join(t.Scope, " ")
		if scope == "" {
			scope = "(none listed)"
		}
		ex.add("scope", scope)
	}
	return ex
}

func (ex *Explanation) add(label, value string) { ex.Lines = append(ex.Lines, Line{label, value}) }

// Mask shows enough of a secret to recognise it, never all of it.
func Mask(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("•", len(s))
	}
	return s[:6] + "… (" + strconv.Itoa(len(s)) + " characters)"
}

// Duration writes d as "29d 23h", "59m 58s" or "12s".
func Duration(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	s := int64(d / time.Second)
	days, hours, mins, secs := s/86400, s/3600%24, s/60%60, s%60
	switch {
	case days > 0:
		return strconv.FormatInt(days, 10) + "d " + strconv.FormatInt(hours, 10) + "h"
	case hours > 0:
		return strconv.FormatInt(hours, 10) + "h " + strconv.FormatInt(mins, 10) + "m"
	case mins > 0:
		return strconv.FormatInt(mins, 10) + "m " + strconv.FormatInt(secs, 10) + "s"
	}
	return strconv.FormatInt(secs, 10) + "s"
}
