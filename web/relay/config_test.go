package relay

import (
	"bytes"
	"encoding/base64"
	"log"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gotoauth/wasm/oauth"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, KeySize) // encodes with '+' or '-', '/' or '_'
	cfg, err := ConfigFromEnv(envOf(map[string]string{
		EnvClientID: clientID, EnvClientSecret: secret, EnvCookieKey: base64.StdEncoding.EncodeToString(key) + "\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != clientID || cfg.ClientSecret != secret || cfg.TokenEndpoint != oauth.DefaultTokenEndpoint || !bytes.Equal(cfg.CookieKey, key) {
		t.Fatalf("%+v", cfg)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		got, err := ParseKey(enc.EncodeToString(key))
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("key in %v: %v", enc, err)
		}
	}
	cfg, err = ConfigFromEnv(envOf(map[string]string{
		EnvClientID: clientID, EnvClientSecret: secret, EnvTokenEndpoint: "http://127.0.0.1:8080/goto/oauth/token",
	}))
	if err != nil || cfg.TokenEndpoint != "http://127.0.0.1:8080/goto/oauth/token" || cfg.CookieKey != nil {
		t.Fatalf("%+v %v", cfg, err)
	}

	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"nothing":     {map[string]string{}, "GOTO_CLIENT_ID and GOTO_CLIENT_SECRET must be set"},
		"no secret":   {map[string]string{EnvClientID: clientID}, "GOTO_CLIENT_SECRET must be set"},
		"no id":       {map[string]string{EnvClientSecret: secret}, "GOTO_CLIENT_ID must be set"},
		"colon in id": {map[string]string{EnvClientID: "a:b", EnvClientSecret: secret}, "must not contain ':'"},
		"newline":     {map[string]string{EnvClientID: clientID, EnvClientSecret: secret + "\n"}, "control characters"},
		"short key": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvCookieKey: base64.StdEncoding.EncodeToString(make([]byte, 16))}, "decodes to 16 bytes"},
		"long key": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvCookieKey: base64.StdEncoding.EncodeToString(make([]byte, 64))}, "decodes to 64 bytes"},
		"hex key": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvCookieKey: strings.Repeat("ab", 32) + "!"}, "is not base64"},
		"http endpoint": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvTokenEndpoint: "http://authentication.logmeininc.com/oauth/token"}, "must use https"},
		"http lookalike": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvTokenEndpoint: "http://127.0.0.1.example/oauth/token"}, "must use https"},
		"userinfo": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvTokenEndpoint: "https://user:pw@authentication.logmeininc.com/oauth/token"}, "without user information"},
		"fragment": {map[string]string{EnvClientID: clientID, EnvClientSecret: secret,
			EnvTokenEndpoint: "https://authentication.logmeininc.com/oauth/token#x"}, "fragment"},
	} {
		_, err := ConfigFromEnv(envOf(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
			continue
		}
		// An error names the variable, never its value.
		for _, v := range tc.env {
			if len(v) > 8 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
				t.Errorf("%s: the error shows a value: %v", name, err)
			}
		}
	}
}

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
	if r1.timeout != DefaultTimeout || r1.endpoint != oauth.DefaultTokenEndpoint {
		t.Errorf("defaults: %v %s", r1.timeout, r1.endpoint)
	}
}

// The README's configuration table names every variable ConfigFromEnv
// reads and every Config field an operator sets, and names nothing else.
func TestREADMEConfigTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### The token relay")
	end := strings.Index(readme[start:], "\n### ")
	if start < 0 || end < 0 {
		t.Fatal("no relay section in the README")
	}
	section := readme[start : start+end]
	var table []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `GOTO") || strings.HasPrefix(line, "| `-") {
			table = append(table, line)
		}
	}
	joined := strings.Join(table, "\n")
	vars := []string{EnvClientID, EnvClientSecret, EnvTokenEndpoint, EnvCookieKey, EnvOldCookieKeys, EnvRedisURL, EnvRevocationEndpoint}
	for _, v := range vars {
		if !strings.Contains(joined, "`"+v+"`") {
			t.Errorf("the README's table lacks %s", v)
		}
	}
	for _, f := range []string{"ClientID", "ClientSecret", "TokenEndpoint", "CookieKey", "OldCookieKeys", "Store", "RevocationEndpoint", "Path", "AllowedOrigins"} {
		if !strings.Contains(joined, "`"+f+"`") {
			t.Errorf("the README's table lacks Config.%s", f)
		}
	}
	for _, m := range regexp.MustCompile("`(GOTO[A-Z_]*)`").FindAllStringSubmatch(joined, -1) {
		if !slices.Contains(vars, m[1]) {
			t.Errorf("the README's table names %s, which ConfigFromEnv does not read", m[1])
		}
	}
}
