package form

import (
	"errors"
	"net/url"
	"reflect"
	"strconv"
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

func TestUnescape(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"", "", nil},
		{"plain", "plain", nil},
		{"a+b", "a b", nil},
		{"a%20b%2B", "a b+", nil},
		{"%C3%A9%c3%a9", "éé", nil},
		{"%7E%41", "~A", nil},
		{"%", "", ErrEscape},
		{"%4", "", ErrEscape},
		{"a%4g", "", ErrEscape},
		{"%zz", "", ErrEscape},
		{"%0A", "", ErrControl},
		{"%00", "", ErrControl},
		{"%1f", "", ErrControl},
		{"%7F", "", ErrControl},
		{"%80", "\x80", nil},
	} {
		got, err := unescape(tc.in)
		if err != tc.err || got != tc.want {
			t.Errorf("unescape(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "é/?#&=+%", "https://example.com/cb?x=1", strings.Repeat("~", 10)} {
		got, err := unescape(escape(s))
		if err != nil || got != s {
			t.Errorf("round trip %q -> %q (%v)", s, got, err)
		}
		// The standard library must read what we write.
		if std, err := url.PathUnescape(escape(s)); err != nil || std != s {
			t.Errorf("net/url reads %q as %q", escape(s), std)
		}
	}
	if escape("a b") != "a%20b" {
		t.Errorf("space is %q", escape("a b"))
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

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.0.0.2": true, "127.9.8.7": true,
		"::1": true, "[::1]": true, "[::1]:80": false, "127.0.0.1:80": false, "127.1": false,
		"0x7f.0.0.1": false, "127.0.0.01": false, "::ffff:127.0.0.1": false, "localhost.": false,
		"": false, "10.0.0.1": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for in, want := range map[string]bool{
		"http://127.0.0.1:8080/":     true,
		"http://localhost/":          true,
		"http://[::1]/":              true,
		"http://127.1.2.3/":          true,
		"http://127.0.0.1.evil/":     false,
		"http://127.evil.com/":       false,
		"http://example.com/":        false,
		"http://localhost.evil/":     false,
		"http://127.0.0.2:1/":        true,
		"http://127.255.255.255/":    true,
		"http://LOCALHOST/":          true,
		"http://127.000.0.1/":        false,
		"http://127.0.0.256/":        false,
		"http://128.0.0.1/":          false,
		"http://[::ffff:127.0.0.1]/": false,
		"http://[0::1]/":             false,
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
		name, err := checkedUnescape(rawName)
		if err != nil {
			return nil, err
		}
		value, err := checkedUnescape(rawValue)
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

// checkedUnescape refuses raw control characters, then unescapes.
func checkedUnescape(s string) (string, error) {
	if hasControl(s) {
		return "", ErrControl
	}
	return unescape(s)
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

// TestParseIsLinear counts the names the duplicate check compares or hashes
// instead of timing anything: a check against every earlier name, as before,
// would make n(n-1)/2 probes, about 18 million for 6,000 parameters.
func TestParseIsLinear(t *testing.T) {
	// The first linearNames names are compared with the ones before them;
	// the map then takes each of those once and each later name once.
	bound := func(n int) int { return linearNames*(linearNames-1)/2 + linearNames + n }
	for _, n := range []int{0, 1, 3, linearNames - 1, linearNames, linearNames + 1, 100, 6000, 30000} {
		v, probes, err := parseCounting(manyParams(n))
		if err != nil || len(v) != n {
			t.Fatalf("n=%d: %d parameters, %v", n, len(v), err)
		}
		if probes > bound(n) {
			t.Errorf("n=%d: %d probes, more than %d", n, probes, bound(n))
		}
	}
	// Doubling the parameters past linearNames adds one probe for each new one.
	_, p1, _ := parseCounting(manyParams(5000))
	_, p2, _ := parseCounting(manyParams(10000))
	if p2-p1 != 5000 {
		t.Errorf("5,000 more parameters cost %d more probes", p2-p1)
	}
}

// Duplicates are found whether the check is scanning or using its map.
func TestParseDuplicateAnywhere(t *testing.T) {
	for _, n := range []int{2, linearNames - 1, linearNames, linearNames + 1, 100} {
		for _, dup := range []int{0, n / 2, n - 1} {
			s := manyParams(n) + "&k" + strconv.Itoa(dup) + "=again"
			if _, err := Parse(s); !errors.Is(err, ErrDuplicate) {
				t.Errorf("n=%d, k%d twice: %v", n, dup, err)
			}
			// The same name spelt with an escape is the same name.
			s = manyParams(n) + "&%6B" + strconv.Itoa(dup)
			if _, err := Parse(s); !errors.Is(err, ErrDuplicate) {
				t.Errorf("n=%d, %%6B%d after k%d: %v", n, dup, dup, err)
			}
		}
		// Empty pairs and a name only once are fine.
		if v, err := Parse(manyParams(n) + "&&k" + strconv.Itoa(n)); err != nil || len(v) != n+1 {
			t.Errorf("n=%d: %d, %v", n, len(v), err)
		}
	}
}

func TestParseErrorNames(t *testing.T) {
	_, err := Parse("a=1\n")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Name != "(raw)" || !errors.Is(err, ErrControl) {
		t.Errorf("raw control: %v", err)
	}
	long := strings.Repeat("n", 1000)
	_, err = Parse(long + "=1&" + long + "=2")
	if !errors.As(err, &pe) || !errors.Is(err, ErrDuplicate) || len(pe.Name) > 50 {
		t.Errorf("long duplicate: %v", err)
	}
}

// Schemes and hosts compare without case (RFC 3986 §3.1, §3.2.2); SplitURL
// lower-cases their ASCII letters and nothing else.
func TestSplitURLCase(t *testing.T) {
	for _, tc := range []struct{ in, scheme, host, path, query, frag string }{
		{"HTTPS://Authentication.LogMeInInc.COM/oauth/Authorize?Code=X#Y", "https", "authentication.logmeininc.com", "/oauth/Authorize", "Code=X", "Y"},
		{"hTtP://LOCALHOST:8080/CB", "http", "localhost", "/CB", "", ""},
		{"Com.Example.App:/OAuth", "com.example.app", "", "/OAuth", "", ""},
		{"https://[FE80::1]/", "https", "[fe80::1]", "/", "", ""},
		{"https://User:PW@Host.Example/", "https", "host.example", "/", "", ""},
		// Non-ASCII bytes stay as they are, escaped or not; strings.ToLower
		// would have turned É into é and invalid UTF-8 into U+FFFD.
		{"https://Ex%C3%89mple.COM/", "https", "ex%c3%89mple.com", "/", "", ""},
		{"https://ÉXAMPLE.com/", "https", "Éxample.com", "/", "", ""},
		{"https://A\xffB/", "https", "a\xffb", "/", "", ""},
	} {
		u, err := SplitURL(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if u.Scheme != tc.scheme || u.Host != tc.host || u.Path != tc.path || u.Query != tc.query || u.Fragment != tc.frag {
			t.Errorf("%q: got %+v", tc.in, u)
		}
		if ASCIILower(tc.in) != strings.ToLower(tc.in) && isASCII(tc.in) {
			t.Errorf("%q: asciiLower differs from strings.ToLower", tc.in)
		}
	}
	if u, _ := SplitURL("https://Example.COM:443/"); u.IsLoopback() {
		t.Error("example.com is loopback")
	}
	if u, _ := SplitURL("HTTP://LocalHost:8080/"); !u.IsLoopback() {
		t.Error("LocalHost is not loopback")
	}
}

func TestASCIILower(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{'x', byte(c), 'Y'})
		want := []byte{'x', byte(c), 'y'}
		if 'A' <= c && c <= 'Z' {
			want[1] += 'a' - 'A'
		}
		got := ASCIILower(s)
		if got != string(want) {
			t.Errorf("ASCIILower(%q) = %q, want %q", s, got, want)
		}
		if c < 0x80 && got != strings.ToLower(s) {
			t.Errorf("ASCIILower(%q) = %q, strings.ToLower %q", s, got, strings.ToLower(s))
		}
	}
	if s := "already lower"; ASCIILower(s) != s {
		t.Error("changed lower-case text")
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
