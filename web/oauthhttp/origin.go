// Package oauthhttp holds what the Go servers beside a page share: the
// relay (web/relay), the GoTo emulator (web/emulator), the static files
// (web/static) and serve.go. One file per concern: origins and who may call
// (origin.go), the CORS answers (cors.go), the headers every answer carries
// and read-only methods (headers.go), RFC 6749 §5.2 error bodies and JSON
// answers (respond.go), and bounded form bodies (form.go). It is never
// linked into the wasm module.
package oauthhttp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"gotoauth/wasm/form"
)

// ParseOrigin checks that s is a web origin, scheme://host[:port] with an
// http or https scheme and nothing after the port, and returns it as a
// browser sends it in Origin: scheme and host in lower case, the scheme's
// default port left out. The wildcard "*" and "null" are refused: the
// emulator answers named origins only.
func ParseOrigin(s string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not an origin (want scheme://host[:port], such as http://127.0.0.1:5173): %s", s, why)
	}
	switch strings.TrimSpace(s) {
	case "*":
		return bad("a wildcard is not allowed; name each origin")
	case "null", "":
		return bad("an origin names a scheme and a host")
	}
	if strings.ContainsAny(s, "?#") {
		return bad("an origin has no query or fragment")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("it does not parse as a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return bad("the scheme must be http or https")
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("the scheme must be followed by // and a host")
	}
	if u.User != nil {
		return bad("an origin has no user information")
	}
	if u.Path != "" || u.RawPath != "" {
		return bad("an origin has no path, not even a trailing /")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return bad("the port is empty")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return bad("the port must be a number from 1 to 65535")
		}
		if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
			port = "" // browsers leave the default port out of Origin
		}
	}
	const badHost = "the host must be a DNS name, an IPv4 address or a bracketed IPv6 address"
	bracketed := strings.HasPrefix(u.Host, "[")
	if addr, err := netip.ParseAddr(host); err == nil {
		switch {
		case addr.Is4() && !bracketed:
			host = addr.String()
		case addr.Is6() && !addr.Is4In6() && addr.Zone() == "" && bracketed:
			host = "[" + addr.String() + "]" // RFC 5952 form, as browsers write it
		default:
			return bad(badHost)
		}
	} else if bracketed || !validHostname(host) {
		return bad(badHost)
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// validHostname reports whether h is a lower-case DNS name: dot-separated
// labels of letters, digits and inner hyphens, 253 characters at most, the
// last not a number (a browser would read 127.1 or 0x7f.1 as an IPv4
// address and send another origin).
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	number := strings.Trim(last, "0123456789") == "" ||
		strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == ""
	return !number
}

// Origins are the page origins allowed to call a server cross-origin (CORS)
// or at all (the relay). The zero value allows none.
type Origins struct {
	set         map[string]bool
	anyLoopback bool // any http origin on a loopback host (form.LoopbackHost)
}

// NewOrigins checks each origin with ParseOrigin and allows them as
// browsers write them in Origin. An empty list is an error.
func NewOrigins(list []string) (Origins, error) {
	if len(list) == 0 {
		return Origins{}, errors.New("at least one allowed origin is required")
	}
	o := Origins{set: make(map[string]bool, len(list))}
	for _, s := range list {
		n, err := ParseOrigin(s)
		if err != nil {
			return Origins{}, err
		}
		o.set[n] = true
	}
	return o, nil
}

// AllowOrigins allows exactly the origins of list, compared byte for byte
// with Origin, for a list that ParseOrigin already wrote (serve.go's
// -allow-origin) or a test's. An empty list allows none.
func AllowOrigins(list []string) Origins {
	o := Origins{set: make(map[string]bool, len(list))}
	for _, s := range list {
		o.set[s] = true
	}
	return o
}

// LoopbackOrigins allows every http origin on a loopback host, for a server
// that runs only beside local pages (the emulator without a list).
func LoopbackOrigins() Origins { return Origins{anyLoopback: true} }

// Allows reports whether origin, exactly as a browser sent it, is allowed.
func (o Origins) Allows(origin string) bool {
	if o.set[origin] {
		return true
	}
	if !o.anyLoopback || !strings.HasPrefix(origin, "http://") {
		return false
	}
	n, err := ParseOrigin(origin)
	if err != nil || n != origin {
		return false
	}
	u, _ := url.Parse(n)
	return form.LoopbackHost(u.Hostname())
}

// Check returns the request's Origin and whether it is allowed. A request
// with no Origin, or with more than one, is not.
func (o Origins) Check(r *http.Request) (string, bool) {
	v := r.Header.Values("Origin")
	if len(v) != 1 {
		return "", false
	}
	return v[0], o.Allows(v[0])
}

// ListenOrigins are the origins of the pages a server serves itself, given
// the address it was told to listen on (such as serve.go's -addr) and the
// port it is bound to (0 before it is bound: the port listen names): the host as given, and the loopback names
// 127.0.0.1, localhost and [::1]. An address without a host, or with an
// unspecified one (0.0.0.0, [::]), means every interface: it gives the
// loopback names only, since a page's origin is never 0.0.0.0.
func ListenOrigins(listen string, port int) []string {
	if port == 0 {
		if _, p, err := net.SplitHostPort(listen); err == nil {
			port, _ = net.LookupPort("tcp", p)
		}
	}
	hosts := []string{"127.0.0.1", "localhost", "::1"}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip, err := netip.ParseAddr(host); err != nil || !ip.IsUnspecified() {
			hosts = append([]string{host}, hosts...)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, h := range hosts {
		o, err := ParseOrigin("http://" + net.JoinHostPort(h, strconv.Itoa(port)))
		if err == nil && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}

// OriginList is a flag.Value of origins (serve.go's -allow-origin): each
// use adds one, checked and written as a browser writes the Origin header.
type OriginList []string

func (l *OriginList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, " ")
}

func (l *OriginList) Set(v string) error {
	o, err := ParseOrigin(v)
	if err != nil {
		return err
	}
	*l = append(*l, o)
	return nil
}
