package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gotoauth/wasm/form"
)

// resolveRedirect picks the redirect URI of an authorization request. given
// reports whether the request named it (then the token request must repeat it).
func resolveRedirect(c Client, values []string) (uri string, given, ok bool) {
	switch len(values) {
	case 0:
		if len(c.RedirectURIs) == 1 {
			return c.RedirectURIs[0], false, true
		}
		return "", false, false
	case 1:
	default:
		return "", false, false
	}
	v := values[0]
	if len(c.RedirectURIs) > 0 {
		for _, r := range c.RedirectURIs {
			if r == v {
				return v, true, true
			}
		}
		return "", false, false
	}
	return v, true, isLoopbackURI(v)
}

// isLoopbackURI reports whether s is an absolute http URL on a loopback
// host (form.LoopbackHost) without userinfo or fragment, written as a
// browser writes it.
func isLoopbackURI(s string) bool {
	if len(s) > maxURILen || !strings.HasPrefix(s, "http://") || strings.ContainsAny(s, "#\\ \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Opaque != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	if !form.LoopbackHost(host) {
		return false
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return false
		}
		return u.Host == net.JoinHostPort(host, port)
	}
	if strings.Contains(host, ":") {
		return u.Host == "["+host+"]"
	}
	return u.Host == host
}

// redirectOrigin returns scheme://host of a redirect URI, for the consent
// page's form-action (Chromium applies form-action to the redirect that
// follows a form submission).
func redirectOrigin(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// params is an ordered list of redirect parameters; the order copies GoTo's
// documentation, which makes redirects easy to compare by eye.
type params [][2]string

func (p params) encode() string {
	var b strings.Builder
	for i, kv := range p {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(kv[0]))
		b.WriteByte('=')
		b.WriteString(escape(kv[1]))
	}
	return b.String()
}

// escape percent-encodes a parameter, spaces as %20 (GoTo writes
// scope=a%20b, and a fragment is not form-encoded). ':' and '@' stay
// literal: both are allowed in a query and a fragment (RFC 3986 §3.4), and
// scopes and principals read as GoTo's own redirects do.
var escaper = strings.NewReplacer("+", "%20", "%3A", ":", "%40", "@")

func escape(s string) string {
	return escaper.Replace(url.QueryEscape(s))
}

func errorParams(code, desc, state string, hasState bool) params {
	p := params{{"error", code}, {"error_description", desc}}
	if hasState {
		p = append(p, [2]string{"state", state})
	}
	return p
}

// redirectTo sends the user agent to uri with p in the query (code flow)
// or in the fragment (implicit flow), keeping any query uri already has.
func redirectTo(w http.ResponseWriter, status int, uri string, fragment bool, p params) {
	var loc string
	switch {
	case fragment:
		loc = uri + "#" + p.encode()
	case strings.HasSuffix(uri, "?"):
		loc = uri + p.encode()
	case strings.Contains(uri, "?"):
		loc = uri + "&" + p.encode()
	default:
		loc = uri + "?" + p.encode()
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(status)
}
