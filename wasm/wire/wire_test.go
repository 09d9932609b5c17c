package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestWriterIsValidJSON(t *testing.T) {
	w := NewWriter(64)
	w.Open('{').Field("kind", "token").Key("token").Open('{').
		Field("accessToken", "a\"b\\c\n\t\r\x01\u2028é").Key("expiresIn").Int(3600).
		Key("scope").Strings([]string{"a", "b"}).Key("legacy").Null().Key("ok").Bool(true).
		OptField("empty", "").Close('}').Close('}')
	var got map[string]any
	if err := json.Unmarshal([]byte(w.String()), &got); err != nil {
		t.Fatalf("%s: %v", w.String(), err)
	}
	want := map[string]any{"kind": "token", "token": map[string]any{
		"accessToken": "a\"b\\c\n\t\r\x01\u2028é", "expiresIn": 3600.0, "scope": []any{"a", "b"}, "legacy": nil, "ok": true,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestAnyRoundTrips(t *testing.T) {
	in := `{"a":[1,2.5,-3e-7,"x",null,true,{"b":"c"}],"id":"8439885694023999999","n":{},"q\"\\\u0001":"k"}`
	var v any
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(0)
	w.Any(v)
	var back any
	if err := json.Unmarshal([]byte(w.String()), &back); err != nil {
		t.Fatalf("%s: %v", w.String(), err)
	}
	if !reflect.DeepEqual(v, back) {
		t.Fatalf("%v != %v", v, back)
	}
}

func FuzzQuote(f *testing.F) {
	f.Add("plain")
	f.Add("\xff\xfe invalid \x00 utf8 \"")
	f.Fuzz(func(t *testing.T, s string) {
		w := NewWriter(0)
		w.Str(s)
		var got string
		if err := json.Unmarshal([]byte(w.String()), &got); err != nil {
			t.Fatalf("%q gave %s: %v", s, w.String(), err)
		}
		if strings.ToValidUTF8(s, "\uFFFD") != got && isValid(s) {
			t.Fatalf("%q came back as %q", s, got)
		}
	})
}

func isValid(s string) bool { return strings.ToValidUTF8(s, "") == s }
