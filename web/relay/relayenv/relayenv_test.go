package relayenv

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotoauth/wasm/oauth"
	"gotoauth/web/relay"
)

const (
	clientID = "relay-client"
	secret   = "s3cr+t/with=padding=="
)

func randomKey(t testing.TB) string {
	b := make([]byte, relay.KeySize)
	rand.Read(b)
	if CheckKey(b) != "" {
		t.Fatalf("a random key is refused: %s", CheckKey(b))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// envOf is an Env over a map of variables and a map of files.
func envOf(vars map[string]string, files map[string]string) Env {
	return Env{
		Getenv: func(k string) string { return vars[k] },
		ReadFile: func(p string) ([]byte, error) {
			if v, ok := files[p]; ok {
				return []byte(v), nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
	}
}

func TestLoad(t *testing.T) {
	key := randomKey(t)
	cfg, err := Load(envOf(map[string]string{
		relay.EnvClientID: clientID, relay.EnvClientSecret: secret, relay.EnvCookieKey: key + "\n",
	}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Relay.ClientID != clientID || cfg.Relay.ClientSecret != secret || cfg.Relay.TokenEndpoint != oauth.DefaultTokenEndpoint ||
		base64.StdEncoding.EncodeToString(cfg.Relay.CookieKey) != key || cfg.Relay.Store != nil || cfg.Redis != nil {
		t.Fatalf("%+v", cfg)
	}
	raw, _ := base64.StdEncoding.DecodeString(key)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		got, err := ParseKey(relay.EnvCookieKey, enc.EncodeToString(raw))
		if err != nil || string(got) != string(raw) {
			t.Errorf("key in %v: %v", enc, err)
		}
	}
	cfg, err = Load(envOf(map[string]string{
		relay.EnvClientID: clientID, relay.EnvClientSecret: secret, relay.EnvTokenEndpoint: "http://127.0.0.1:8080/goto/oauth/token",
	}, nil))
	if err != nil || cfg.Relay.TokenEndpoint != "http://127.0.0.1:8080/goto/oauth/token" || cfg.Relay.CookieKey != nil {
		t.Fatalf("%+v %v", cfg, err)
	}

	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"nothing":     {map[string]string{}, "GOTO_CLIENT_ID and GOTO_CLIENT_SECRET must be set"},
		"no secret":   {map[string]string{relay.EnvClientID: clientID}, "GOTO_CLIENT_SECRET must be set"},
		"no id":       {map[string]string{relay.EnvClientSecret: secret}, "GOTO_CLIENT_ID must be set"},
		"colon in id": {map[string]string{relay.EnvClientID: "a:b", relay.EnvClientSecret: secret}, "must not contain ':'"},
		"newline":     {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret + "\n"}, "control characters"},
		"short key": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvCookieKey: base64.StdEncoding.EncodeToString(make([]byte, 16))}, "GOTOAUTH_COOKIE_KEY decodes to 16 bytes"},
		"long key": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvCookieKey: base64.StdEncoding.EncodeToString(make([]byte, 64))}, "decodes to 64 bytes"},
		"hex key": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvCookieKey: strings.Repeat("ab", 32) + "!"}, "is not base64"},
		"http endpoint": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvTokenEndpoint: "http://authentication.logmeininc.com/oauth/token"}, "must use https"},
		"http lookalike": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvTokenEndpoint: "http://127.0.0.1.example/oauth/token"}, "must use https"},
		"userinfo": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvTokenEndpoint: "https://user:pw@authentication.logmeininc.com/oauth/token"}, "without user information"},
		"fragment": {map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret,
			relay.EnvTokenEndpoint: "https://authentication.logmeininc.com/oauth/token#x"}, "fragment"},
	} {
		_, err := Load(envOf(tc.env, nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
			continue
		}
		noValues(t, name, err, tc.env)
	}
}

// noValues fails when err shows the value of any variable in env.
func noValues(t *testing.T, name string, err error, env map[string]string) {
	t.Helper()
	for _, v := range env {
		if len(v) > 8 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
			t.Errorf("%s: the error shows a value: %v", name, err)
		}
	}
}

func TestLoadOperations(t *testing.T) {
	key, old1 := randomKey(t), randomKey(t)
	base := map[string]string{relay.EnvClientID: "id", relay.EnvClientSecret: "s", relay.EnvCookieKey: key}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cfg, err := Load(envOf(with(map[string]string{
		relay.EnvOldCookieKeys:      old1 + " , " + key,
		relay.EnvRevocationEndpoint: "https://goto.example/oauth/revoke",
		relay.EnvRedisURL:           "redis://:hunter2@127.0.0.1:1/3",
	}), nil))
	if err != nil || len(cfg.Relay.OldCookieKeys) != 2 || base64.RawStdEncoding.EncodeToString(cfg.Relay.OldCookieKeys[0]) != strings.TrimRight(old1, "=") ||
		cfg.Relay.RevocationEndpoint != "https://goto.example/oauth/revoke" || cfg.Relay.Store == nil || cfg.RedisKind != "redis" {
		t.Fatalf("%+v %v", cfg, err)
	}
	cfg.Close()
	for name, env := range map[string]map[string]string{
		relay.EnvOldCookieKeys + " short":              {relay.EnvOldCookieKeys: "AAAA"},
		relay.EnvOldCookieKeys + " empty item":         {relay.EnvOldCookieKeys: old1 + ",,"},
		relay.EnvOldCookieKeys + " without key":        {relay.EnvOldCookieKeys: old1, relay.EnvCookieKey: ""},
		relay.EnvRevocationEndpoint + " http":          {relay.EnvRevocationEndpoint: "http://goto.example/revoke"},
		relay.EnvRedisURL + " scheme":                  {relay.EnvRedisURL: "http://hunter2@127.0.0.1:6379"},
		relay.EnvRedisURL + " without key":             {relay.EnvRedisURL: "redis://127.0.0.1:1", relay.EnvCookieKey: ""},
		relay.EnvRedisURL + " does not parse":          {relay.EnvRedisURL: "redis://hunter2@[::1"},
		relay.EnvRedisURL + " sentinel no master name": {relay.EnvRedisURL: "redis://:hunter2@127.0.0.1:1?master_name="},
		EnvRedisSentinelMaster + " without URL":        {EnvRedisSentinelMaster: "mymaster"},
	} {
		_, err := Load(envOf(with(env), nil))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), strings.Fields(name)[0]) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Every problem is listed, not only the first.
func TestLoadListsEveryProblem(t *testing.T) {
	_, err := Load(envOf(map[string]string{
		relay.EnvClientID:           "id",
		relay.EnvTokenEndpoint:      "http://goto.example/token",
		relay.EnvRevocationEndpoint: "https://u:p@goto.example/revoke",
		relay.EnvCookieKey:          base64.StdEncoding.EncodeToString(make([]byte, 31)),
		relay.EnvRedisURL:           "http://127.0.0.1:1",
	}, nil))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{relay.EnvClientSecret + " must be set", relay.EnvTokenEndpoint, relay.EnvRevocationEndpoint,
		relay.EnvCookieKey + " decodes to 31 bytes", relay.EnvRedisURL + " must start with"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 5 {
		t.Errorf("%d lines, want 5:\n%v", n, err)
	}
}

func TestFileForms(t *testing.T) {
	key, old := randomKey(t), randomKey(t)
	files := map[string]string{
		"/run/secrets/secret": secret + "\n",
		"/run/secrets/key":    key + "\n",
		"/run/secrets/old":    old,
		"/run/secrets/redis":  "redis://:hunter2@127.0.0.1:1/0\r\n",
		"/run/secrets/empty":  "\n",
	}
	cfg, err := Load(envOf(map[string]string{
		relay.EnvClientID:                   clientID,
		relay.EnvClientSecret + FileSuffix:  "/run/secrets/secret",
		relay.EnvCookieKey + FileSuffix:     "/run/secrets/key",
		relay.EnvOldCookieKeys + FileSuffix: "/run/secrets/old",
		relay.EnvRedisURL + FileSuffix:      "/run/secrets/redis",
	}, files))
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	if cfg.Relay.ClientSecret != secret || base64.StdEncoding.EncodeToString(cfg.Relay.CookieKey) != key || len(cfg.Relay.OldCookieKeys) != 1 || cfg.Redis == nil {
		t.Fatalf("%+v", cfg)
	}
	var out strings.Builder
	cfg.Describe(&out)
	for _, want := range []string{relay.EnvClientSecret + ": set (from " + relay.EnvClientSecret + "_FILE)", relay.EnvClientID + ": " + clientID, "store: Redis (redis)",
		"cookie key id: " + relay.KeyID(cfg.Relay.CookieKey) + "\n", "old cookie keys: 1 (ids " + relay.KeyID(cfg.Relay.OldCookieKeys[0]) + ")\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Describe lacks %q:\n%s", want, out.String())
		}
	}
	for _, v := range files {
		if len(v) > 2 && strings.Contains(out.String(), strings.TrimSpace(v)) {
			t.Errorf("Describe shows a secret:\n%s", out.String())
		}
	}

	// Only one newline is trimmed: a value with two is refused as it is.
	files["/run/secrets/two"] = secret + "\n\n"
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"both":         {map[string]string{relay.EnvClientSecret: secret, relay.EnvClientSecret + FileSuffix: "/run/secrets/secret"}, "GOTO_CLIENT_SECRET and GOTO_CLIENT_SECRET_FILE are both set"},
		"missing":      {map[string]string{relay.EnvClientSecret + FileSuffix: "/run/secrets/nope"}, "GOTO_CLIENT_SECRET_FILE: cannot read /run/secrets/nope"},
		"empty":        {map[string]string{relay.EnvClientSecret + FileSuffix: "/run/secrets/empty"}, "GOTO_CLIENT_SECRET_FILE names an empty file"},
		"two newlines": {map[string]string{relay.EnvClientSecret + FileSuffix: "/run/secrets/two"}, "control characters"},
		"key both":     {map[string]string{relay.EnvClientSecret: secret, relay.EnvCookieKey: key, relay.EnvCookieKey + FileSuffix: "/run/secrets/key"}, "GOTOAUTH_COOKIE_KEY and GOTOAUTH_COOKIE_KEY_FILE are both set"},
	} {
		tc.env[relay.EnvClientID] = clientID
		_, err := Load(envOf(tc.env, files))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), key) {
			t.Errorf("%s: the error shows a secret: %v", name, err)
		}
	}

	// The real file system: OS reads a file, bounded in size.
	dir := t.TempDir()
	p := filepath.Join(dir, "secret")
	os.WriteFile(p, []byte(secret+"\n"), 0o600)
	if b, err := readBounded(p); err != nil || string(b) != secret+"\n" {
		t.Fatalf("%q %v", b, err)
	}
	os.WriteFile(p, make([]byte, maxFile+1), 0o600)
	if _, err := readBounded(p); err == nil {
		t.Fatal("a huge file was read")
	}
	if _, err := readBounded(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}

func TestWithDefaultClient(t *testing.T) {
	env := func(vars map[string]string) Env {
		return Env{Getenv: func(k string) string { return vars[k] }}
	}
	got, ok := env(map[string]string{relay.EnvRedisURL: "redis://x"}).WithDefaultClient("demo", "s3cret")
	if !ok || got.Getenv(relay.EnvClientID) != "demo" || got.Getenv(relay.EnvClientSecret) != "s3cret" || got.Getenv(relay.EnvRedisURL) != "redis://x" {
		t.Errorf("no client set: ok=%v, id %q", ok, got.Getenv(relay.EnvClientID))
	}
	for _, name := range []string{relay.EnvClientID, relay.EnvClientSecret, relay.EnvClientSecret + FileSuffix, relay.EnvTokenEndpoint} {
		got, ok := env(map[string]string{name: "set"}).WithDefaultClient("demo", "s3cret")
		if ok || got.Getenv(relay.EnvClientID) == "demo" {
			t.Errorf("%s set: the default client was used", name)
		}
	}
}
