package form

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Differential tests against net/url, which the wasm module cannot afford
// but tests can. Where the two disagree on purpose it is listed here and
// asserted in TestParseDiffersFromNetURL:
//
//   - form refuses a name given twice (RFC 6749 §3.1: request and response
//     parameters MUST NOT be included more than once); net/url collects the
//     values in a slice.
//   - form refuses control characters (below 0x20, and 0x7f), raw or
//     percent-encoded; net/url.ParseQuery accepts both.
//   - net/url refuses a pair containing ';' (the alternative separator it
//     stopped splitting on in Go 1.17); form reads ';' as an ordinary
//     character, as the URL Standard's application/x-www-form-urlencoded
//     parser (and so URLSearchParams in the browser) does.
//   - net/url refuses a query of more than 10,000 pairs (counted as '&'
//     plus one, empty pairs included); form has no count limit (its callers
//     limit the length of the URL).
//
// Both refuse a malformed percent-escape (RFC 3986 §2.1).

// Redirects as GoTo sends them: a code (RFC 6749 §4.1.2), today's implicit
// fragment (RFC 6749 §4.2.2), the GoToConnect fragment of GoTo's guide
// "Migrating from GoToConnect (auth.jive.com) to LogMeIn Authentication API"
// (type, expires_in in ms, username), and an error (RFC 6749 §4.1.2.1);
// then the loopback and private-use redirect URIs of RFC 8252 §7, and URLs
// near the edges of both parsers.
var redirectSeeds = []string{
	"https://app.example.com/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkjR2Hk9hx3uJq_Zp0Wm",
	"https://app.example.com/#access_token=eyJraWQiOiJvYXV0aCJ9.eyJzdWIiOiJ1In0.c2ln&token_type=Bearer&expires_in=3600&principal=jane%40example.com&scope=identity%3Ascim.me+collab%3A&state=af0ifjsldkj",
	"https://app.example.com/cb#access_token=eyJraWQiOiJvYXV0aCJ9.eyJzdWIiOiJ1In0.c2ln&type=bearer&expires_in=2592000000&username=jane.doe%40example.com&state=af0ifjsldkjR2Hk9hx3uJq_Zp0Wm",
	"https://app.example.com/cb?error=access_denied&error_description=The+user+denied+access&error_uri=https%3A%2F%2Fexample.com%2Fe&state=af0ifjsldkj",
	"http://127.0.0.1:8080/?code=abc&state=s",
	"http://[::1]:9/p#access_token=t&state=s",
	"http://localhost:3000/auth/callback?state=s&code=c",
	"com.example.app:/oauth2redirect?code=x&state=y",
	"HTTPS://App.Example.COM:443/cb?code=x#",
	"https://u:p@h.example/a%20b/c?q=%7E#f%20g",
	"https://h.example/cb?",
	"https://h.example/cb?a=1;b=2",
	"https://h.example/cb?code=a&code=b",
	"https://h.example/cb?code=%zz",
	"https://[fe80::1%25en0]:8443/?x",
	"mailto:someone@example.com?subject=hi",
	"urn:ietf:wg:oauth:2.0:oob",
}

// rawParts returns the query and the fragment of one of redirectSeeds.
func rawParts(s string) (query, fragment string) {
	s, fragment, _ = strings.Cut(s, "#")
	_, query, _ = strings.Cut(s, "?")
	return query, fragment
}

func FuzzParseAgainstNetURL(f *testing.F) {
	for _, s := range redirectSeeds {
		q, frag := rawParts(s)
		f.Add(q)
		f.Add(frag)
	}
	for _, s := range []string{"", "&", "=", "=&=", "a", "a=b=c", "%41=%42", "a+b=c+d", "a;b", "a=%0A", "a=\x7f", "a=%", "a=1&A=2", "%C3%A9=%E2%82%AC", "\xff=\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		std, stdErr := url.ParseQuery(s)

		// ParseURLPart is Parse without the scan for raw control characters.
		if !hasControlByte(s) {
			part, partErr := ParseURLPart(s)
			if (partErr == nil) != (err == nil) || !sameValues(part, got) {
				t.Fatalf("ParseURLPart(%q) = %v, %v; Parse %v, %v", s, part, partErr, got, err)
			}
		}

		switch {
		case err == nil && stdErr == nil:
			if msg := compareWithNetURL(got, std); msg != "" {
				t.Fatalf("%q: %s", s, msg)
			}
		case err != nil && stdErr == nil:
			// form refuses what net/url accepts only for its own reasons.
			switch {
			case errors.Is(err, ErrDuplicate):
				var pe *ParseError
				if !errors.As(err, &pe) || !hasRepeatedName(std, pe.Name) {
					t.Fatalf("%q: form says %v, net/url gives %v", s, err, std)
				}
			case errors.Is(err, ErrControl):
				if !hasControlByte(s) && !hasDecodedControl(std) {
					t.Fatalf("%q: form says %v, net/url gives %v", s, err, std)
				}
			default:
				t.Fatalf("%q: form refuses (%v) what net/url accepts: %v", s, err, std)
			}
		case err == nil && stdErr != nil:
			switch {
			case strings.Count(s, "&")+1 > 10000:
			case strings.Contains(s, ";"):
				// net/url skips the pairs with ';' and reads the others as
				// form does.
				rest := withoutSemicolonPairs(s)
				restForm, err1 := Parse(rest)
				restStd, err2 := url.ParseQuery(rest)
				if err1 != nil || err2 != nil || compareWithNetURL(restForm, restStd) != "" || compareWithNetURL(restForm, std) != "" {
					t.Fatalf("%q: without the ';' pairs form gives %v (%v), net/url %v (%v), and %v with them", s, restForm, err1, restStd, err2, std)
				}
			default:
				t.Fatalf("%q: form accepts %v, net/url refuses: %v", s, got, stdErr)
			}
		}
	})
}

// TestParseDiffersFromNetURL asserts each intended difference listed at the
// top of this file.
func TestParseDiffersFromNetURL(t *testing.T) {
	for _, tc := range []struct {
		in     string
		form   error // nil: form accepts
		netURL bool  // net/url accepts
	}{
		{"code=a&code=b", ErrDuplicate, true},
		{"code=a&c%6Fde=a", ErrDuplicate, true},
		{"code=a%0Ab", ErrControl, true},
		{"code=a\tb", ErrControl, true},
		{"code=a%7F", ErrControl, true},
		{"code=a;b", nil, false},
		{"a;b=1&code=c", nil, false},
		{manyParams(10001), nil, false},
		{strings.Repeat("&", 10000) + "a=1", nil, false},
		{"code=%zz", ErrEscape, false},
		{"code=%4", ErrEscape, false},
		{"code=abc&state=x%20y", nil, true},
	} {
		_, err := Parse(tc.in)
		_, stdErr := url.ParseQuery(tc.in)
		if !errors.Is(err, tc.form) || (tc.form == nil) != (err == nil) {
			t.Errorf("Parse(%.40q) = %v, want %v", tc.in, err, tc.form)
		}
		if (stdErr == nil) != tc.netURL {
			t.Errorf("url.ParseQuery(%.40q) error = %v, want accepted=%v", tc.in, stdErr, tc.netURL)
		}
	}
}

func compareWithNetURL(got Values, std url.Values) string {
	if len(got) != len(std) {
		return "form has " + strconv.Itoa(len(got)) + " names, net/url " + strconv.Itoa(len(std))
	}
	for _, p := range got {
		if vs := std[p.Name]; len(vs) != 1 || vs[0] != p.Value {
			return "form has " + p.Name + "=" + p.Value + ", net/url " + strings.Join(vs, ",")
		}
	}
	return ""
}

func sameValues(a, b Values) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hasRepeatedName reports whether net/url read name (possibly as truncated
// for a ParseError) more than once.
func hasRepeatedName(std url.Values, name string) bool {
	if len(std[name]) > 1 {
		return true
	}
	if prefix, ok := strings.CutSuffix(name, "…"); ok {
		for k, vs := range std {
			if len(vs) > 1 && strings.HasPrefix(k, prefix) {
				return true
			}
		}
	}
	return false
}

func hasControlByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func hasDecodedControl(std url.Values) bool {
	for k, vs := range std {
		if hasControlByte(k) {
			return true
		}
		for _, v := range vs {
			if hasControlByte(v) {
				return true
			}
		}
	}
	return false
}

func withoutSemicolonPairs(s string) string {
	var keep []string
	for _, pair := range strings.Split(s, "&") {
		if !strings.Contains(pair, ";") {
			keep = append(keep, pair)
		}
	}
	return strings.Join(keep, "&")
}

// FuzzSplitURLAgainstNetURL checks SplitURL's parts against url.Parse for
// the URLs both accept. SplitURL keeps path, query and fragment as written,
// so they are compared with net/url's raw forms; it lower-cases the host's
// ASCII letters and keeps its escapes, so hosts are compared decoded and
// without ASCII case. SplitURL accepts some URLs net/url refuses (a bad
// escape in the path or fragment, bytes RFC 3986 §3.2.2 does not allow in a
// host, a bracketed host that is not an IPv6 address, two colons in an http
// host), and net/url accepts some SplitURL refuses (spaces, backslashes, an
// http URL without a host, relative references); neither is compared.
func FuzzSplitURLAgainstNetURL(f *testing.F) {
	for _, s := range redirectSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := SplitURL(s)
		if err != nil {
			return
		}
		std, err := url.Parse(s)
		if err != nil {
			return
		}
		if u.Scheme != std.Scheme {
			t.Fatalf("%q: scheme %q, net/url %q", s, u.Scheme, std.Scheme)
		}
		if u.Query != std.RawQuery || u.HasQuery != (std.RawQuery != "" || std.ForceQuery) {
			t.Fatalf("%q: query %q (%v), net/url %q (%v)", s, u.Query, u.HasQuery, std.RawQuery, std.ForceQuery)
		}
		rawFragment := std.RawFragment
		if rawFragment == "" {
			rawFragment = std.EscapedFragment()
		}
		if u.Fragment != rawFragment || std.Fragment != "" && !u.HasFragment {
			t.Fatalf("%q: fragment %q (%v), net/url %q", s, u.Fragment, u.HasFragment, rawFragment)
		}
		if std.Opaque != "" {
			if u.Path != std.Opaque || u.Authority != "" || u.Host != "" {
				t.Fatalf("%q: path %q, authority %q; net/url opaque %q", s, u.Path, u.Authority, std.Opaque)
			}
			return
		}
		rawPath := std.RawPath
		if rawPath == "" {
			rawPath = std.EscapedPath()
		}
		if u.Path != rawPath {
			t.Fatalf("%q: path %q, net/url %q", s, u.Path, rawPath)
		}
		// Hostname drops the brackets of an IP literal (RFC 3986 §3.2.2).
		host := u.Host
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
		host, err = url.PathUnescape(host)
		if err != nil || ASCIILower(host) != ASCIILower(std.Hostname()) {
			t.Fatalf("%q: host %q (%v), net/url %q", s, u.Host, err, std.Hostname())
		}
		if u.Port != std.Port() {
			t.Fatalf("%q: port %q, net/url %q", s, u.Port, std.Port())
		}
	})
}
