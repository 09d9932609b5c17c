package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Realistic bodies: a GoTo token response and a SCIM /me answer.
const (
	tokenBody = `{"access_token":"eyJraWQiOiJvYXV0aHYyLmxtaS5jb20uMDIxOSIsImFsZyI6IlJTNTEyIn0.` +
		`eyJscyI6IjdiNjYzZTU0LWEwYWItNDk1Yy1iNDdiLTU1ZjA4ZjJmNWJlZSIsIm9nbiI6InB3ZCIsImF1ZCI6IjA0` +
		`ZjNhYjI3LTQ1OGMtNGQ2Ni1iNGU0LTNkNmY5ZDY1OTM0NyIsInN1YiI6Ijg0Mzk4ODU2OTQwMjM5OTk5OTkiLCJq` +
		`dGkiOiJhYmNkZWYiLCJleHAiOjE3MDAwMDAwMDAsImlhdCI6MTY5OTk5NjQwMCwidHlwIjoiQSJ9.c2lnbmF0dXJl",` +
		`"token_type":"Bearer","expires_in":3600,"scope":"identity:scim.me","principal":"a@b.c"}`
	meBody = `{"schemas":["urn:scim:schemas:core:1.0","urn:scim:schemas:extension:getgo:1.0"],` +
		`"id":"8439885694023999999","userName":"mister.jones@fakemail.com","displayName":"Moon Beam",` +
		`"name":{"givenName":"Moon","familyName":"Beam"},"locale":"en_US","timezone":"America/New_York",` +
		`"meta":{"created":"2018-04-01T12:00:00.000Z","location":"https://api.getgo.com/identity/v1/Users/8439885694023999999"},` +
		`"urn:scim:schemas:extension:getgo:1.0":{"accounts":[{"value":"1","display":"Acme","entitlements":["acctadmin"]}]}}`
)

func nest(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func nestObj(n int) string {
	return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1)
}

// array returns an array of n zeros: n+1 values.
func array(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("0,", n), ",") + "]"
}

func TestParse(t *testing.T) {
	type m = map[string]any
	type a = []any
	ok := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{`true`, true},
		{`false`, false},
		{`0`, 0.0},
		{`-1`, -1.0},
		{`12.5`, 12.5},
		{`1e3`, 1000.0},
		{`1E+3`, 1000.0},
		{`1e-3`, 0.001},
		{`-0.5E-2`, -0.005},
		{`1.7976931348623157e308`, math.MaxFloat64},
		{`4.9e-324`, 5e-324},
		{`1e-400`, 0.0}, // underflow is zero, as in encoding/json
		{`123456789012345678901234567890`, 123456789012345678901234567890.0},
		{`8439885694023999999`, 8439885694023999999.0},
		{`""`, ""},
		{`"abc"`, "abc"},
		{` "x" `, "x"},
		{"\t\r\n 1 \t\r\n", 1.0},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u0041\u00e9\u20AC"`, "Aé€"},
		{`"a\u0000b"`, "a\x00b"},
		{`"é€😀"`, "é€😀"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00x"`, "😀x"},
		{`"\udbff\udfff"`, "\U0010FFFF"},
		{`"\ud83d"`, "\uFFFD"},
		{`"\ude00"`, "\uFFFD"},
		{`"\ud83dx"`, "\uFFFDx"},
		{`"\ud83d\n"`, "\uFFFD\n"},
		{`"\ud83d\u0041"`, "\uFFFDA"},
		{`"\ud83d\ud83d\ude00"`, "\uFFFD😀"},
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},
		{"\"a\xffb\"", "a\uFFFDb"},
		{"\"\xe2\x82\"", "\uFFFD\uFFFD"},           // truncated sequence: one U+FFFD per byte
		{"\"\xed\xa0\x80\"", "\uFFFD\uFFFD\uFFFD"}, // UTF-8-encoded surrogate
		{"\"\xc0\xaf\"", "\uFFFD\uFFFD"},           // overlong
		{"\"\x7f\u2028\"", "\x7f\u2028"},
		{`[]`, a{}},
		{`{}`, m{}},
		{`[ 1 , "a" , null , true , false , [ ] , { } ]`, a{1.0, "a", nil, true, false, a{}, m{}}},
		{`{"a":{"b":[{"c":null}]}}`, m{"a": m{"b": a{m{"c": nil}}}}},
		{`{ "a" : 1 , "b" : [ 2 ] }`, m{"a": 1.0, "b": a{2.0}}},
		{`{"":1}`, m{"": 1.0}},
		{`{"a":1,"A":2}`, m{"a": 1.0, "A": 2.0}},
		{nest(MaxDepth), nil},
		{nestObj(MaxDepth), nil},
		{array(MaxValues - 1), nil},
	}
	for _, tc := range ok {
		got, err := Parse([]byte(tc.in))
		if err != nil {
			t.Errorf("Parse(%.40q): %v", tc.in, err)
			continue
		}
		want := tc.want
		if want == nil && len(tc.in) > 4 && (tc.in[0] == '[' || tc.in[0] == '{') {
			// The long generated inputs: compare with encoding/json.
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%.40q) = %#v, want %#v", tc.in, got, want)
		}
	}

	// -0 keeps its sign, as in encoding/json.
	for _, in := range []string{`-0`, `-0.0`, `-0e5`} {
		v, err := Parse([]byte(in))
		if f, isF := v.(float64); err != nil || !isF || f != 0 || !math.Signbit(f) {
			t.Errorf("Parse(%s) = %v, %v; want -0", in, v, err)
		}
	}

	bad := []struct {
		in     string
		reason error
		off    int
	}{
		{``, ErrEnd, 0},
		{`   `, ErrEnd, 3},
		{"\ufeff{}", ErrSyntax, 0}, // a leading BOM, as encoding/json
		{"\v1", ErrSyntax, 0},      // not RFC 8259 white space
		{"\f1", ErrSyntax, 0},
		{"\u00a01", ErrSyntax, 0},
		{`1 2`, ErrSyntax, 2},
		{`{}x`, ErrSyntax, 2},
		{`{}}`, ErrSyntax, 2},
		{`[],`, ErrSyntax, 2},
		{`nul`, ErrEnd, 3},
		{`nulL`, ErrSyntax, 3},
		{`True`, ErrSyntax, 0},
		{`truex`, ErrSyntax, 4},
		{`undefined`, ErrSyntax, 0},
		{`NaN`, ErrSyntax, 0},
		{`Infinity`, ErrSyntax, 0},
		{`-Infinity`, ErrSyntax, 1},
		{`+1`, ErrSyntax, 0},
		{`01`, ErrSyntax, 1},
		{`-01`, ErrSyntax, 2},
		{`.5`, ErrSyntax, 0},
		{`1.`, ErrEnd, 2},
		{`1.e3`, ErrSyntax, 2},
		{`1e`, ErrEnd, 2},
		{`1e+`, ErrEnd, 3},
		{`1e+x`, ErrSyntax, 3},
		{`-`, ErrEnd, 1},
		{`- 1`, ErrSyntax, 1},
		{`0x10`, ErrSyntax, 1},
		{`1_000`, ErrSyntax, 1},
		{`1e400`, ErrNumber, 0},
		{`[-1e309]`, ErrNumber, 1},
		{`1` + strings.Repeat("0", 400), ErrNumber, 0},
		{`"abc`, ErrEnd, 4},
		{`"\`, ErrEnd, 2},
		{`"\u12`, ErrEnd, 5},
		{`"\u12x4"`, ErrSyntax, 5},
		{`"\ud83d\u12`, ErrEnd, 11},
		{`"\ud83d\u12x4"`, ErrSyntax, 11},
		{`"\x"`, ErrSyntax, 2},
		{`"\'"`, ErrSyntax, 2},
		{`"\U0041"`, ErrSyntax, 2},
		{"\"a\tb\"", ErrSyntax, 2},
		{"\"a\nb\"", ErrSyntax, 2},
		{"\"\x00\"", ErrSyntax, 1},
		{"\"\x1f\"", ErrSyntax, 1},
		{`'a'`, ErrSyntax, 0},
		{`[`, ErrEnd, 1},
		{`[1`, ErrEnd, 2},
		{`[1,`, ErrEnd, 3},
		{`[1,]`, ErrSyntax, 3},
		{`[,1]`, ErrSyntax, 1},
		{`[1 2]`, ErrSyntax, 3},
		{`[1}`, ErrSyntax, 2},
		{`{`, ErrEnd, 1},
		{`{"a"`, ErrEnd, 4},
		{`{"a":`, ErrEnd, 5},
		{`{"a":1`, ErrEnd, 6},
		{`{"a":1,`, ErrEnd, 7},
		{`{"a":1,}`, ErrSyntax, 7},
		{`{"a" 1}`, ErrSyntax, 5},
		{`{a:1}`, ErrSyntax, 1},
		{`{1:1}`, ErrSyntax, 1},
		{`{"a":1]`, ErrSyntax, 6},
		{`{"a"}`, ErrSyntax, 4},
		{`{"a":1,"a":2}`, ErrDuplicateKey, 7},
		{`{"a":1,"b":{"c":1,"c":1}}`, ErrDuplicateKey, 18},
		{`{"a":1,"\u0061":2}`, ErrDuplicateKey, 7},
		{"{\"\xff\":1,\"\xfe\":2}", ErrDuplicateKey, 7}, // both names are "\uFFFD"
		{`[{"a":1},{"a":1}]`, nil, 0},                   // the same name in two objects is fine
		{nest(MaxDepth + 1), ErrDepth, MaxDepth},
		{nestObj(MaxDepth + 1), ErrDepth, 5 * MaxDepth},
		{`{"a":` + nest(MaxDepth) + `}`, ErrDepth, 5 + MaxDepth - 1},
		{array(MaxValues), ErrCount, 2*MaxValues - 1},
		{`[` + strings.Repeat(`{"a":null},`, MaxValues/2) + `0]`, ErrCount, 11*(MaxValues/2) - 5},
	}
	for _, tc := range bad {
		v, err := Parse([]byte(tc.in))
		if tc.reason == nil {
			if err != nil {
				t.Errorf("Parse(%.40q): %v", tc.in, err)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || !errors.Is(err, tc.reason) || pe.Off != tc.off || v != nil {
			t.Errorf("Parse(%.40q) = %v, %v; want %q at offset %d", tc.in, v, err, tc.reason, tc.off)
			continue
		}
		if msg := err.Error(); len(msg) > 60 || strings.Contains(msg, `"`) {
			t.Errorf("Parse(%.40q): message %q", tc.in, msg)
		}
		var any any
		if jerr := json.Unmarshal([]byte(tc.in), &any); (jerr == nil) != (tc.reason == ErrDuplicateKey || tc.reason == ErrDepth || tc.reason == ErrCount) {
			t.Errorf("Parse(%.40q): %v, encoding/json: %v", tc.in, err, jerr)
		}
	}
}

func TestParseObject(t *testing.T) {
	got, err := ParseObject([]byte(" " + tokenBody + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got["token_type"] != "Bearer" || got["expires_in"] != 3600.0 || got["principal"] != "a@b.c" || len(got) != 5 {
		t.Errorf("got %v", got)
	}
	for _, tc := range []struct {
		in     string
		reason error
		off    int
	}{
		{``, ErrEnd, 0},
		{` `, ErrEnd, 1},
		{`[]`, ErrNotObject, 0},
		{` "a"`, ErrNotObject, 1},
		{`null`, ErrNotObject, 0},
		{`{`, ErrEnd, 1},
		{`{} {}`, ErrSyntax, 3},
		{`{"a":1,"a":1}`, ErrDuplicateKey, 7},
	} {
		v, err := ParseObject([]byte(tc.in))
		var pe *Error
		if v != nil || !errors.As(err, &pe) || !errors.Is(err, tc.reason) || pe.Off != tc.off {
			t.Errorf("ParseObject(%q) = %v, %v; want %q at offset %d", tc.in, v, err, tc.reason, tc.off)
		}
	}
}

// TestParseRealistic checks the two bodies against encoding/json, and that
// every truncation of them is refused as ending too early.
func TestParseRealistic(t *testing.T) {
	for _, body := range []string{tokenBody, meBody} {
		got, err := ParseObject([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
		for n := 0; n < len(body); n++ {
			v, err := Parse([]byte(body[:n]))
			var pe *Error
			if v != nil || !errors.As(err, &pe) || !errors.Is(err, ErrEnd) || pe.Off != n {
				t.Errorf("Parse(body[:%d]) = %v, %v; want ErrEnd at offset %d", n, v, err, n)
			}
			if _, err := ParseObject([]byte(body[:n])); !errors.Is(err, ErrEnd) {
				t.Errorf("ParseObject(body[:%d]): %v", n, err)
			}
		}
	}
	me, _ := ParseObject([]byte(meBody))
	ext := me["urn:scim:schemas:extension:getgo:1.0"].(map[string]any)
	acct := ext["accounts"].([]any)[0].(map[string]any)
	if acct["display"] != "Acme" || acct["entitlements"].([]any)[0] != "acctadmin" {
		t.Errorf("account %v", acct)
	}
}

// TestParseNeverPanics feeds every single-byte change of the realistic
// bodies; the fuzzer does more.
// Every one-byte corruption of a real body is either read as
// encoding/json reads it or refused with an *Error that points inside the
// input: never a panic, never a value the standard library would not
// give.
func TestParseNeverPanics(t *testing.T) {
	accepted, refused := 0, 0
	for _, body := range []string{tokenBody, meBody} {
		b := []byte(body)
		for i := range b {
			old := b[i]
			for _, c := range []byte{0, '"', '\\', '{', '}', '[', ']', ',', ':', 'u', 0xff, ' '} {
				b[i] = c
				v, err := Parse(b)
				if err != nil {
					refused++
					var e *Error
					if !errors.As(err, &e) || e.Off < 0 || e.Off > len(b) {
						t.Fatalf("Parse(%q): %v is not an *Error inside the input", b, err)
					}
					continue
				}
				accepted++
				var want any
				if json.Unmarshal(b, &want) != nil {
					t.Fatalf("Parse(%q) accepted what encoding/json refuses", b)
				}
				if !reflect.DeepEqual(v, want) {
					t.Fatalf("Parse(%q) = %#v, encoding/json reads %#v", b, v, want)
				}
			}
			b[i] = old
		}
	}
	if accepted == 0 || refused == 0 {
		t.Fatalf("accepted %d and refused %d corruptions: the test exercises nothing", accepted, refused)
	}
}

// TestParseLinear checks that Parse's work grows linearly with its input
// without timing anything: the allocations, in count and in bytes, per
// byte of input stay bounded for 1 MiB inputs of each shape that could
// make a careless parser quadratic. Each shape is also checked at 1/16 of
// the size, and the per-byte cost must not grow with the size.
func TestParseLinear(t *testing.T) {
	const mib = 1 << 20
	shapes := []struct {
		name  string
		make  func(size int) []byte
		limit error // the reason a hostile shape is refused, or nil
	}{
		{"long string", func(size int) []byte {
			return []byte(`"` + strings.Repeat("a", size-2) + `"`)
		}, nil},
		{"long escaped string", func(size int) []byte {
			return []byte(`"` + strings.Repeat(`\u00e9\n`, (size-2)/8) + `"`)
		}, nil},
		{"long invalid UTF-8", func(size int) []byte {
			return []byte(`"` + strings.Repeat("\xff", size-2) + `"`)
		}, nil},
		{"many keys", func(size int) []byte {
			n := size / 13 // {"k123456":0, ...
			if n >= MaxValues {
				n = MaxValues - 1
			}
			var b bytes.Buffer
			b.WriteByte('{')
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
			}
			b.WriteByte('}')
			return b.Bytes()
		}, nil},
		{"over 100000 short keys", func(size int) []byte {
			// More members than MaxValues: refused once the budget is spent.
			var b bytes.Buffer
			b.WriteByte('{')
			for i := 0; b.Len() < size-16; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + strconv.Itoa(i) + `":0`)
			}
			b.WriteByte('}')
			return b.Bytes()
		}, ErrCount},
		{"long array", func(size int) []byte {
			return []byte(array(min(size/2, MaxValues-1)))
		}, nil},
		{"too long array", func(size int) []byte { return []byte(array(size / 2)) }, ErrCount},
		{"deep arrays", func(size int) []byte { return []byte(nest(size / 2)) }, ErrDepth},
		{"deep then long", func(size int) []byte {
			return []byte(strings.Repeat("[", MaxDepth) + strings.Repeat("0,", size/2-MaxDepth-1) + "0" + strings.Repeat("]", MaxDepth))
		}, ErrCount},
		{"long number", func(size int) []byte { return []byte("0." + strings.Repeat("1", size-2)) }, nil},
		{"white space", func(size int) []byte { return []byte(strings.Repeat(" ", size-1) + "0") }, nil},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			var perByte [2]float64
			for j, size := range []int{mib / 16, mib} {
				in := s.make(size)
				if len(in) > mib+16 {
					t.Fatalf("input of %d bytes", len(in))
				}
				// The hostile shapes are refused at 1 MiB, and may be at 64 KiB.
				if _, err := Parse(in); err != nil && !errors.Is(err, s.limit) || err == nil && s.limit != nil && size == mib {
					t.Fatalf("Parse: %v, want %v", err, s.limit)
				}
				allocs, bytes := allocated(func() { _, _ = Parse(in) })
				perByte[j] = bytes / float64(len(in))
				t.Logf("%d bytes: %.0f allocations of %.0f bytes", len(in), allocs, bytes)
				// A value costs at most a few allocations and a few
				// dozen bytes beyond what it is built from; a string
				// costs its bytes, twice when it has escapes.
				if allocs > float64(len(in))/2+64 || bytes > 64*float64(len(in))+4096 {
					t.Errorf("%d bytes: %.0f allocations of %.0f bytes", len(in), allocs, bytes)
				}
			}
			if perByte[1] > 2*perByte[0]+8 {
				t.Errorf("bytes allocated per input byte grow with the input: %.1f at 64 KiB, %.1f at 1 MiB", perByte[0], perByte[1])
			}
		})
	}
}

// allocated returns the average number and bytes of heap allocations of f.
func allocated(f func()) (allocs, bytes float64) {
	const runs = 3
	f()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / runs, float64(after.TotalAlloc-before.TotalAlloc) / runs
}

func TestParseAllocs(t *testing.T) {
	// One allocation per value and string, and a few for each object's map.
	for _, tc := range []struct {
		body  string
		limit float64 // 16 and 64 when written; encoding/json takes 20 and 70
	}{{tokenBody, 20}, {meBody, 72}} {
		b := []byte(tc.body)
		n := testing.AllocsPerRun(100, func() { _, _ = Parse(b) })
		if n > tc.limit {
			t.Errorf("%.0f allocations for a %d-byte body", n, len(b))
		}
	}
}

func BenchmarkParseTokenResponse(b *testing.B) {
	in := []byte(tokenBody)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObject(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMe(b *testing.B) {
	in := []byte(meBody)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObject(in); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseAgainstEncodingJSON(f *testing.F) {
	for _, s := range []string{
		tokenBody, meBody,
		`{"a":1,"a":2}`, `[1,"x",null,true,false,{},[]]`, `-0.0e-7`, `1e400`,
		`"\ud83d\ude00\ud83d\u0041\ude00"`, "\"\xff\xe2\x82\"", "\ufeff{}", ` 0 `,
		nest(MaxDepth), nest(MaxDepth + 1), `{"":{"":{"":[]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Parse(b)
		var want any
		jerr := json.Unmarshal(b, &want)
		if err == nil {
			if jerr != nil {
				t.Fatalf("Parse accepts %q, encoding/json refuses: %v", b, jerr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Parse(%q)\n = %#v\nencoding/json %#v", b, got, want)
			}
			// DeepEqual takes -0 for 0; the writer's text does not.
			if g, w := NewWriter(0).Any(got).String(), NewWriter(0).Any(want).String(); g != w {
				t.Fatalf("Parse(%q) = %s, encoding/json %s", b, g, w)
			}
			if m, oerr := ParseObject(b); (oerr == nil) != (m != nil) || (oerr == nil) != (b[firstNonSpace(b)] == '{') {
				t.Fatalf("ParseObject(%q) = %v, %v", b, m, oerr)
			}
			return
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Off < 0 || pe.Off > len(b) || got != nil {
			t.Fatalf("Parse(%q) = %v, %v", b, got, err)
		}
		if len(err.Error()) > 60 {
			t.Fatalf("long message %q", err)
		}
		if jerr != nil {
			return
		}
		// encoding/json accepts: the refusal must be a deliberate one, and true.
		switch {
		case errors.Is(err, ErrDuplicateKey):
			if !hasDuplicateKey(b) {
				t.Fatalf("Parse(%q): %v, but no object repeats a name", b, err)
			}
		case errors.Is(err, ErrDepth):
			if depth(want) <= MaxDepth {
				t.Fatalf("Parse(%q): %v, but the depth is %d", b, err, depth(want))
			}
		case errors.Is(err, ErrCount):
			if count(want) <= MaxValues {
				t.Fatalf("Parse(%q): %v, but there are %d values", b, err, count(want))
			}
		default:
			t.Fatalf("Parse(%q) refuses what encoding/json accepts: %v", b, err)
		}
	})
}

func firstNonSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func depth(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

func count(v any) int {
	n := 1
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			n += count(e)
		}
	case map[string]any:
		for _, e := range x {
			n += count(e)
		}
	}
	return n
}

// hasDuplicateKey reports, using encoding/json's token stream, whether an
// object in the valid JSON text b names a member twice.
func hasDuplicateKey(b []byte) bool {
	type frame struct {
		obj, wantKey bool
		seen         map[string]bool
	}
	d := json.NewDecoder(bytes.NewReader(b))
	var stack []*frame
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, isStr := tok.(string); isStr && top != nil && top.obj && top.wantKey {
			if top.seen[k] {
				return true
			}
			top.seen[k] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.obj {
			top.wantKey = true // this token starts the member's value
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, wantKey: true, seen: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		}
	}
}
