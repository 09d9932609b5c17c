package form

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	v, err := Parse("code=abc&state=x%20y&scope=a+b&&empty=&flag")
	if err != nil {
		t.Fatal(err)
	}
	want := Values{{"code", "abc"}, {"state", "x y"}, {"scope", "a b"}, {"empty", ""}, {"flag", ""}}
	if len(v) != len(want) {
		t.Fatalf("got %v", v)
	}
	for i := range want {
		if v[i] != want[i] {
			t.Errorf("param %d = %v, want %v", i, v[i], want[i])
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"code=a&code=b", ErrDuplicate},
		{"code=a&code=a", ErrDuplicate},
		{"c%6Fde=a&code=b", ErrDuplicate},
		{"code=%zz", ErrEscape},
		{"code=%4", ErrEscape},
		{"code=%", ErrEscape},
		{"code=a%0Ab", ErrControl},
		{"code=a%00", ErrControl},
		{"na%0Dme=a", ErrControl},
	} {
		_, err := Parse(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "é/?#&=+%", "https://example.com/cb?x=1", strings.Repeat("~", 10)} {
		got, err := Unescape(Escape(s))
		if err != nil || got != s {
			t.Errorf("round trip %q -> %q (%v)", s, got, err)
		}
		// The standard library must read what we write.
		if std, err := url.PathUnescape(Escape(s)); err != nil || std != s {
			t.Errorf("net/url reads %q as %q", Escape(s), std)
		}
	}
	if Escape("a b") != "a%20b" {
		t.Errorf("space is %q", Escape("a b"))
	}
}

func TestSplitURL(t *testing.T) {
	for _, tc := range []struct {
		in                                    string
		scheme, host, port, path, query, frag string
	}{
		{"https://Example.COM/cb?code=1#x", "https", "example.com", "", "/cb", "code=1", "x"},
		{"http://127.0.0.1:8080/?a=b", "http", "127.0.0.1", "8080", "/", "a=b", ""},
		{"http://[::1]:9/p#access_token=t", "http", "[::1]", "9", "/p", "", "access_token=t"},
		{"https://u:p@host/", "https", "host", "", "/", "", ""},
		{"com.example.app:/oauth?code=1", "com.example.app", "", "", "/oauth", "code=1", ""},
		{"https://h/#a?b", "https", "h", "", "/", "", "a?b"},
	} {
		u, err := SplitURL(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if u.Scheme != tc.scheme || u.Host != tc.host || u.Port != tc.port || u.Path != tc.path || u.Query != tc.query || u.Fragment != tc.frag {
			t.Errorf("%q: got %+v", tc.in, u)
		}
		if u.String() != strings.Replace(tc.in, "Example.COM", "Example.COM", 1) && !strings.EqualFold(u.String(), tc.in) {
			t.Errorf("%q: String() = %q", tc.in, u.String())
		}
	}
	for _, bad := range []string{"", "/relative", "?code=1", "#a=b", "https://", "https:/x", "https://h:80x/", "https://exa mple.com/", "https://h/\n", "1http://h/", "https://[::1/", "http:\\\\evil.com"} {
		if _, err := SplitURL(bad); err == nil {
			t.Errorf("SplitURL(%q) accepted", bad)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for in, want := range map[string]bool{
		"http://127.0.0.1:8080/": true,
		"http://localhost/":      true,
		"http://[::1]/":          true,
		"http://127.1.2.3/":      true,
		"http://127.0.0.1.evil/": false,
		"http://127.evil.com/":   false,
		"http://example.com/":    false,
		"http://localhost.evil/": false,
	} {
		u, err := SplitURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if u.IsLoopback() != want {
			t.Errorf("%s: loopback=%v", in, !want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("code=abc&state=xyz")
	f.Add("access_token=t&type=bearer&expires_in=2592000000&username=u%40x&state=s")
	f.Add("a=%zz&a=1")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(v.Encode())
		if err != nil || len(again) != len(v) {
			t.Fatalf("re-parse of %q: %v %v", v.Encode(), again, err)
		}
		for i := range v {
			if again[i] != v[i] {
				t.Fatalf("round trip changed %v to %v", v[i], again[i])
			}
		}
	})
}

// parseReference is Parse written the plain way, for the fuzzer to check
// the single-pass parser against.
func parseReference(s string) (Values, error) {
	var out Values
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := Unescape(rawName)
		if err != nil {
			return nil, err
		}
		value, err := Unescape(rawValue)
		if err != nil {
			return nil, err
		}
		if out.Has(name) {
			return nil, ErrDuplicate
		}
		out = append(out, Param{name, value})
	}
	return out, nil
}

func FuzzParseMatchesReference(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=%41&b=+", "&&a=&=b&c", "a=1&a=2", "x=%zz", "a=b=c&%3D=%26", "k=%0a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		want, refErr := parseReference(s)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Parse(%q) error %v, reference %v", s, err, refErr)
		}
		if err == nil && !reflect.DeepEqual([]Param(got), []Param(want)) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("Parse(%q) = %v, reference %v", s, got, want)
		}
	})
}

func TestUnreserved(t *testing.T) {
	for s, want := range map[string]bool{"": true, "AZaz09-._~": true, "a b": false, "a+b": false, "é": false, "a%20": false, "a/b": false} {
		if Unreserved(s) != want {
			t.Errorf("Unreserved(%q) = %v", s, !want)
		}
	}
}
