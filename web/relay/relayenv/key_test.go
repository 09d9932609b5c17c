package relayenv

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"gotoauth/web/relay"
)

// A key that is visibly not random is refused, in the current key and in
// each old key, naming the variable and never the key.
func TestWeakKeys(t *testing.T) {
	counting := make([]byte, relay.KeySize)
	for i := range counting {
		counting[i] = byte(i)
	}
	down := make([]byte, relay.KeySize)
	for i := range down {
		down[i] = byte(200 - 3*i)
	}
	lowDiversity := make([]byte, relay.KeySize)
	rand.Read(lowDiversity)
	for i := range lowDiversity {
		lowDiversity[i] %= 8
	}
	for name, tc := range map[string]struct {
		key  []byte
		want string
	}{
		"zeros":         {make([]byte, relay.KeySize), "one byte repeated"},
		"one byte":      {bytes.Repeat([]byte{0xa7}, relay.KeySize), "one byte repeated"},
		"pattern 2":     {bytes.Repeat([]byte{0x12, 0xfe}, relay.KeySize/2), "pattern of 2 bytes"},
		"pattern 8":     {bytes.Repeat([]byte{1, 200, 3, 4, 5, 6, 7, 99}, relay.KeySize/8), "pattern of 8 bytes"},
		"counting":      {counting, "count up or down"},
		"counting down": {down, "count up or down"},
		"low diversity": {lowDiversity, "distinct byte values"},
		"passphrase":    {[]byte("correct horse battery staple 42!"), "printable text"},
	} {
		if len(tc.key) != relay.KeySize {
			t.Fatalf("%s: %d bytes", name, len(tc.key))
		}
		enc := base64.StdEncoding.EncodeToString(tc.key)
		for _, where := range []struct{ variable, want string }{
			{relay.EnvCookieKey, relay.EnvCookieKey + " is not a random key"},
			{relay.EnvOldCookieKeys, relay.EnvOldCookieKeys + " (key 2) is not a random key"},
		} {
			env := map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret, relay.EnvCookieKey: randomKey(t)}
			if where.variable == relay.EnvOldCookieKeys {
				env[relay.EnvOldCookieKeys] = randomKey(t) + "," + enc
			} else {
				env[relay.EnvCookieKey] = enc
			}
			_, err := Load(envOf(env, nil))
			if err == nil || !strings.Contains(err.Error(), where.want) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s in %s: %v", name, where.variable, err)
				continue
			}
			if strings.Contains(err.Error(), enc) || strings.Contains(err.Error(), strings.TrimRight(enc, "=")) || strings.Contains(err.Error(), string(tc.key)) {
				t.Errorf("%s: the error shows the key: %v", name, err)
			}
		}
	}
}

// Random keys pass: the checks refuse what no CSPRNG makes in practice.
func TestRandomKeysPass(t *testing.T) {
	b := make([]byte, relay.KeySize)
	for range 20000 {
		rand.Read(b)
		if why := CheckKey(b); why != "" {
			t.Fatalf("a random key was refused: %s", why)
		}
	}
}
