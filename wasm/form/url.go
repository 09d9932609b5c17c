package form

import (
	"errors"
	"strings"
)

// URL is an absolute URL split into the parts of RFC 3986 §3. Query and
// Fragment exclude their '?' and '#'; HasQuery and HasFragment tell an empty
// part from a missing one.
type URL struct {
	Scheme    string // ASCII letters in lower case (RFC 3986 §3.1)
	Authority string // userinfo@host:port, as written
	Host      string // ASCII letters in lower case (RFC 3986 §3.2.2), without port or userinfo; IPv6 keeps its brackets
	Port      string
	Path      string
	Query     string
	Fragment  string

	HasQuery, HasFragment bool
}

// ErrURL is returned for anything SplitURL cannot take as an absolute URL.
var ErrURL = errors.New("not an absolute URL")

// SplitURL splits an absolute URL ("scheme:" followed by an optional
// "//authority"). It rejects white space and control characters anywhere,
// which browsers strip or reject before a redirect reaches a page.
func SplitURL(s string) (URL, error) {
	var u URL
	// One pass: refuse white space, control characters and backslashes,
	// and find the first ':', and the first '?' and '#' after it.
	colon, question, hash := -1, -1, -1
	for i := 0; i < len(s); i++ {
		switch urlClass[s[i]] {
		case classPlain:
		case classBad:
			return u, ErrURL
		case classColon:
			if colon < 0 {
				colon = i
			}
		case classQuestion:
			if question < 0 && hash < 0 && colon >= 0 {
				question = i
			}
		case classHash:
			if hash < 0 && colon >= 0 {
				hash = i
			}
		}
	}
	if colon < 1 || !validScheme(s[:colon]) {
		return u, ErrURL
	}
	u.Scheme = ASCIILower(s[:colon])
	end := len(s)
	if hash >= 0 {
		u.Fragment, u.HasFragment = s[hash+1:], true
		end = hash
	}
	if question >= 0 {
		u.Query, u.HasQuery = s[question+1:end], true
		end = question
	}
	rest := s[colon+1 : end]
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		u.Authority, u.Path = rest[:end], rest[end:]
		hostPort := u.Authority
		if at := strings.LastIndexByte(hostPort, '@'); at >= 0 {
			hostPort = hostPort[at+1:]
		}
		host, port := hostPort, ""
		if strings.HasPrefix(hostPort, "[") {
			end := strings.IndexByte(hostPort, ']')
			if end < 0 {
				return u, ErrURL
			}
			host, port = hostPort[:end+1], hostPort[end+1:]
			if port != "" && port[0] != ':' {
				return u, ErrURL
			}
			port = strings.TrimPrefix(port, ":")
		} else if i := strings.LastIndexByte(hostPort, ':'); i >= 0 {
			host, port = hostPort[:i], hostPort[i+1:]
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return u, ErrURL
			}
		}
		u.Host, u.Port = ASCIILower(host), port
		if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
			return u, ErrURL
		}
	} else {
		u.Path = rest
		if u.Scheme == "http" || u.Scheme == "https" {
			return u, ErrURL
		}
	}
	return u, nil
}

// Byte classes for SplitURL's single pass.
const (
	classPlain = iota
	classBad   // white space, control characters, backslash
	classColon
	classQuestion
	classHash
)

var urlClass = func() (t [256]uint8) {
	for c := 0; c <= ' '; c++ {
		t[c] = classBad
	}
	t[0x7f], t['\\'] = classBad, classBad
	t[':'], t['?'], t['#'] = classColon, classQuestion, classHash
	return t
}()

// String joins the parts again.
func (u URL) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteByte(':')
	if u.Authority != "" || u.Host != "" {
		b.WriteString("//")
		b.WriteString(u.Authority)
	}
	b.WriteString(u.Path)
	if u.HasQuery {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	if u.HasFragment {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

// IsLoopback reports whether the URL's host is a loopback host
// (LoopbackHost), where plain http is acceptable.
func (u URL) IsLoopback() bool { return LoopbackHost(u.Host) }

// LoopbackHost is the one answer to "is this host loopback": "localhost"
// in any case, an IPv4 address of 127.0.0.0/8 or the IPv6 address ::1
// (RFC 6890's loopback blocks; RFC 8252 §7.3 names 127.0.0.1 and [::1],
// §8.3 localhost), with or without its brackets, without a port. Addresses
// must be written as browsers write them, in dotted decimal without
// leading zeros or as "::1": another spelling of the same address
// (127.1, 0x7f.0.0.1, [0::1]) is not taken for loopback.
func LoopbackHost(host string) bool {
	if strings.HasPrefix(host, "127.") {
		return isDottedQuad(host)
	}
	return host == "::1" || host == "[::1]" || len(host) == len("localhost") && ASCIILower(host) == "localhost"
}

// isDottedQuad reports whether h is an IPv4 address in dotted decimal,
// each part 0 to 255 without leading zeros.
func isDottedQuad(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || len(p) > 1 && p[0] == '0' {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// ASCIILower lower-cases ASCII letters and leaves every other byte as it is.
// Schemes are ASCII (RFC 3986 §3.1), and so are the hosts OAuth redirects
// go to and the names OAuth compares without case; strings.ToLower would
// also fold non-ASCII letters and link Unicode's case tables into the wasm
// module.
func ASCIILower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
