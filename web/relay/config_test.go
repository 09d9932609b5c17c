package relay

import (
	"bytes"
	"log"
	"strings"
	"testing"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
)

func TestNew(t *testing.T) {
	base := func() Config {
		return Config{ClientID: clientID, ClientSecret: secret, AllowedOrigins: []string{origin}, CookieKey: testKey,
			Logger: log.New(&bytes.Buffer{}, "", 0)}
	}
	for name, edit := range map[string]func(*Config){
		"no id":          func(c *Config) { c.ClientID = "" },
		"no secret":      func(c *Config) { c.ClientSecret = "" },
		"colon":          func(c *Config) { c.ClientID = "a:b" },
		"no origins":     func(c *Config) { c.AllowedOrigins = nil },
		"wildcard":       func(c *Config) { c.AllowedOrigins = []string{"*"} },
		"origin path":    func(c *Config) { c.AllowedOrigins = []string{origin + "/"} },
		"origin scheme":  func(c *Config) { c.AllowedOrigins = []string{"file://x"} },
		"short key":      func(c *Config) { c.CookieKey = make([]byte, 31) },
		"http endpoint":  func(c *Config) { c.TokenEndpoint = "http://example.com/token" },
		"tiny timeout":   func(c *Config) { c.Timeout = 1 },
		"endless":        func(c *Config) { c.Timeout = 1 << 62 },
		"secret newline": func(c *Config) { c.ClientSecret = "a\nb" },
	} {
		c := base()
		edit(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret", name)
		}
	}

	// Without a key: a random one, and one log line that says what that
	// means.
	var logs bytes.Buffer
	c := base()
	c.CookieKey = nil
	c.Logger = log.New(&logs, "", 0)
	r1, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := New(c)
	if got := logs.String(); strings.Count(got, "\n") != 2 || !strings.Contains(got, EnvCookieKey) || !strings.Contains(got, "signs everyone out") {
		t.Errorf("log %q", got)
	}
	v, _ := r1.seal.seal("rt", testSignIn, sealNow)
	if _, _, err := r2.seal.open(v, sealNow); err == nil {
		t.Error("two random keys are the same")
	}
	if r1.timeout != limits.DefaultTimeout || r1.endpoint != oauth.DefaultTokenEndpoint {
		t.Errorf("defaults: %v %s", r1.timeout, r1.endpoint)
	}
}
