package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// What the relay hands its store (package store): refresh tokens named by
// an HMAC, answers sealed. Both keys are derived from the cookie key with
// HKDF (RFC 5869), so that instances that share the cookie key share the
// names and can open each other's answers, and a dump of the store holds
// neither a token nor a cookie.

// storeKeys names refresh tokens and seals answers for the store.
type storeKeys struct {
	name []byte
	aead cipher.AEAD
}

func newStoreKeys(cookieKey []byte) (*storeKeys, error) {
	name, err := hkdf.Key(sha256.New, cookieKey, nil, "gotoauth-relay/store-name", 32)
	if err != nil {
		return nil, err
	}
	sealKey, err := hkdf.Key(sha256.New, cookieKey, nil, "gotoauth-relay/store-seal", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &storeKeys{name: name, aead: aead}, nil
}

// tokenKey names a refresh token in the store: HMAC-SHA-256 in hex.
func (k *storeKeys) tokenKey(token string) string {
	m := hmac.New(sha256.New, k.name)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// storedAnswer is a refresh's answer as the store keeps it (sealed).
type storedAnswer struct {
	Status   int    `json:"s"`
	Body     string `json:"b"`
	Cookie   int    `json:"c"` // cookieOp
	Value    string `json:"v,omitempty"`
	Expires  int64  `json:"e,omitempty"` // Unix seconds
	Answered int64  `json:"t"`           // Unix milliseconds, when GoTo answered
	Millis   bool   `json:"m,omitempty"` // expires_in in milliseconds
}

// sealAnswer seals res for the store under key; key is the additional data,
// so that an answer cannot be moved to another token's name.
func (k *storeKeys) sealAnswer(key string, res refreshResult) []byte {
	plain, _ := json.Marshal(storedAnswer{ // strings and numbers: cannot fail
		Status: res.status, Body: string(res.body),
		Cookie: int(res.cookie.op), Value: res.cookie.value, Expires: res.cookie.expires.Unix(),
		Answered: res.answered.UnixMilli(), Millis: res.millis,
	})
	out := make([]byte, nonceSize, nonceSize+len(plain)+k.aead.Overhead())
	rand.Read(out)
	return k.aead.Seal(out, out[:nonceSize], plain, []byte(key))
}

// openAnswer opens what sealAnswer sealed under key.
func (k *storeKeys) openAnswer(key string, b []byte) (refreshResult, error) {
	bad := errors.New("an answer in the store does not open with this relay's key (another cookie key?)")
	if len(b) < nonceSize+k.aead.Overhead() {
		return refreshResult{}, bad
	}
	plain, err := k.aead.Open(nil, b[:nonceSize], b[nonceSize:], []byte(key))
	if err != nil {
		return refreshResult{}, bad
	}
	var a storedAnswer
	if json.Unmarshal(plain, &a) != nil {
		return refreshResult{}, bad
	}
	res := refreshResult{
		status:   a.Status,
		body:     []byte(a.Body),
		cookie:   cookieAction{op: cookieOp(a.Cookie), value: a.Value},
		answered: time.UnixMilli(a.Answered),
		millis:   a.Millis,
	}
	if res.cookie.op == setCookie {
		res.cookie.expires = time.Unix(a.Expires, 0)
	}
	return res, nil
}

// withAge returns a token answer's body with expires_in (RFC 6749 §5.1)
// reduced by the whole seconds since GoTo answered (in milliseconds when
// millis is set: GoToConnect's unit), not below 0, so that a page given an
// answer from memory does not think its token lives longer than it does.
// Any other body comes back as it is.
func withAge(body []byte, age time.Duration, millis bool) []byte {
	secs := int64(age / time.Second)
	if secs < 1 {
		return body
	}
	if millis {
		secs *= 1000
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	raw, ok := m["expires_in"]
	if !ok {
		return body
	}
	// A number, or a number in a string (which oauth.NormalizeJSON takes
	// too); it stays in the form it came in.
	quoted := len(raw) > 0 && raw[0] == '"'
	var n json.Number
	if quoted {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return body
		}
		n = json.Number(s)
	} else if json.Unmarshal(raw, &n) != nil {
		return body
	}
	f, err := n.Float64()
	if err != nil {
		return body
	}
	left := int64(f) - secs
	if left < 0 {
		left = 0
	}
	v := strconv.FormatInt(left, 10)
	if quoted {
		v = strconv.Quote(v)
	}
	m["expires_in"] = json.RawMessage(v)
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
