package oauthhttp

import (
	"flag"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:5173":       "http://127.0.0.1:5173",
		"http://localhost:5173":       "http://localhost:5173",
		"https://app.example.com":     "https://app.example.com",
		"HTTPS://App.Example.COM":     "https://app.example.com",
		"http://localhost:80":         "http://localhost",
		"https://app.example.com:443": "https://app.example.com",
		"http://app.example.com:443":  "http://app.example.com:443",
		"http://[::1]:5173":           "http://[::1]:5173",
		"http://[0:0::1]":             "http://[::1]",
		"http://[2001:DB8::1]:8080":   "http://[2001:db8::1]:8080",
		"http://a-b.c0x1":             "http://a-b.c0x1",
		"http://0xford":               "http://0xford",
	} {
		if got, err := ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"*", "", " ", "null", "127.0.0.1:5173", "localhost:5173", "//127.0.0.1:5173", "ftp://127.0.0.1",
		"ws://127.0.0.1", "file:///tmp", "http:127.0.0.1", "http://", "http:///", "http://127.0.0.1:5173/",
		"http://127.0.0.1/a", "http://127.0.0.1?", "http://127.0.0.1?a=1", "http://127.0.0.1#", "http://127.0.0.1#f",
		"http://u:p@127.0.0.1", "http://@127.0.0.1", "http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:080",
		"http://127.0.0.1:x", "http://127.0.0.1:", "http://*", "http://*.example.com", "http://exa_mple.com",
		"http://-a.com", "http://a-.com", "http://a..com", "http://a.com.", "http://127.1", "http://0x7f.1",
		"http://127.000.0.1", "http://[127.0.0.1]", "http://::1", "http://[::1", "http://[::ffff:127.0.0.1]",
		"http://[fe80::1%25eth0]", "http://ex ample.com", " http://127.0.0.1", "http://127.0.0.1 ",
		"http://\u00e9.example", "http://" + strings.Repeat("a", 64) + ".com",
	} {
		if got, err := ParseOrigin(in); err == nil {
			t.Errorf("ParseOrigin(%q) = %q, want an error", in, got)
		}
	}
}

func TestOrigins(t *testing.T) {
	if _, err := NewOrigins(nil); err == nil {
		t.Error("an empty list was accepted")
	}
	for _, bad := range []string{"*", "http://a.example/", "file://x", "http://u@a.example"} {
		if _, err := NewOrigins([]string{bad}); err == nil {
			t.Errorf("NewOrigins(%q) accepted", bad)
		}
	}
	o, err := NewOrigins([]string{"https://App.Example", "http://127.0.0.1:5173"})
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://app.example": true, "http://127.0.0.1:5173": true, "https://App.Example": false,
		"http://127.0.0.1:5174": false, "http://localhost:5173": false, "": false,
	} {
		if got := o.Allows(origin); got != want {
			t.Errorf("Allows(%q) = %v, want %v", origin, got, want)
		}
	}
	loop := LoopbackOrigins()
	for origin, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://127.0.0.2": true, "http://localhost:1": true, "http://[::1]:8080": true,
		"https://127.0.0.1": false, "http://127.0.0.1:8080/": false, "http://LOCALHOST": false,
		"http://127.1": false, "http://example.com": false, "http://127.0.0.1.example": false, "null": false,
	} {
		if got := loop.Allows(origin); got != want {
			t.Errorf("LoopbackOrigins().Allows(%q) = %v, want %v", origin, got, want)
		}
	}
	r := httptest.NewRequest("POST", "/", nil)
	if _, ok := o.Check(r); ok {
		t.Error("a request without Origin was allowed")
	}
	r.Header.Add("Origin", "https://app.example")
	if got, ok := o.Check(r); !ok || got != "https://app.example" {
		t.Errorf("Check = %q, %v", got, ok)
	}
	r.Header.Add("Origin", "https://app.example")
	if _, ok := o.Check(r); ok {
		t.Error("a request with two Origin headers was allowed")
	}
}

func TestListenOriginsUnbound(t *testing.T) {
	if got := ListenOrigins(":9000", 0); len(got) != 3 || got[0] != "http://127.0.0.1:9000" {
		t.Errorf("ListenOrigins(\":9000\", 0) = %q", got)
	}
}

func TestListenOrigins(t *testing.T) {
	loopback := "http://127.0.0.1:8080 http://localhost:8080 http://[::1]:8080"
	for listen, want := range map[string]string{
		// Every interface: the loopback names, never http://:8080.
		":8080":          loopback,
		"0.0.0.0:8080":   loopback,
		"[::]:8080":      loopback,
		":0":             loopback,
		"127.0.0.1:8080": loopback,
		"localhost:0":    "http://localhost:8080 http://127.0.0.1:8080 http://[::1]:8080",
		"[::1]:8080":     "http://[::1]:8080 http://127.0.0.1:8080 http://localhost:8080",
		"Dev.Example:80": "http://dev.example:8080 " + loopback,
		"192.0.2.7:8080": "http://192.0.2.7:8080 " + loopback,
		"no port":        loopback,
	} {
		got := ListenOrigins(listen, 8080)
		if strings.Join(got, " ") != want {
			t.Errorf("ListenOrigins(%q) = %q, want %q", listen, got, want)
		}
		if _, err := NewOrigins(got); err != nil {
			t.Errorf("ListenOrigins(%q): %v", listen, err)
		}
	}
}

func TestOriginListFlag(t *testing.T) {
	var l OriginList
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&l, "allow-origin", "")
	if err := fs.Parse([]string{"-allow-origin", "http://127.0.0.1:5173", "-allow-origin=https://App.Example.com:443"}); err != nil {
		t.Fatal(err)
	}
	if got := l.String(); got != "http://127.0.0.1:5173 https://app.example.com" {
		t.Errorf("origins %q", got)
	}
	if err := fs.Parse([]string{"-allow-origin", "*"}); err == nil || !strings.Contains(err.Error(), "wildcard") {
		t.Errorf("-allow-origin *: %v", err)
	}
	if len(l) != 2 {
		t.Errorf("a refused value was kept: %q", l)
	}
	if (*OriginList)(nil).String() != "" {
		t.Error("nil String")
	}
}
