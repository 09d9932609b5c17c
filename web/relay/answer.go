package relay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"gotoauth/wasm/wire"
)

// What the relay hands its store (package store): refresh tokens named by
// a hash, answers sealed. Both the name and the answer's key are derived
// from the refresh token itself with HKDF (RFC 5869; the client id as the
// salt), not from the cookie key:
//
//   - every instance that can open a cookie names its refresh token alike
//     and can open the answers remembered for it, whatever its cookie keys:
//     during a rolling key rotation, instances with different current keys
//     share one refresh lock per token and one memory of its answers, so a
//     late request with a rotated-out cookie is answered from memory on any
//     of them, never sent to GoTo again (refresh.go);
//   - a dump of the store holds neither a token nor a cookie nor an access
//     token: reading an answer takes the refresh token it answers, which a
//     refresh token being unguessable (RFC 6749 §10.10) keeps to whoever
//     holds the cookie and a key that opens it. Names are separate HKDF
//     outputs, so a name tells nothing of the key that seals the answer.

// storeKeys names refresh tokens and seals their answers for the store.
type storeKeys struct {
	salt []byte // the client id
}

func newStoreKeys(clientID string) *storeKeys {
	return &storeKeys{salt: []byte(clientID)}
}

// tokenKeys are one refresh token's name in the store and what seals its
// answers. Both come from one HKDF-Extract of the token (RFC 5869 §2.2),
// expanded once per purpose (§2.3): the same bytes as a whole HKDF per
// purpose, so names and sealed answers are those every instance computes,
// for the price of one extract per refresh instead of one per use.
type tokenKeys struct {
	name string // 32 bytes in hex
	prk  []byte // the extract, for the sealing key
}

// forToken derives token's keys.
func (k *storeKeys) forToken(token string) *tokenKeys {
	prk, err := hkdf.Extract(sha256.New, []byte(token), k.salt)
	if err != nil { // HMAC-SHA-256 takes any secret
		panic(err)
	}
	return &tokenKeys{name: hex.EncodeToString(expand(prk, "store-name")), prk: prk}
}

func expand(prk []byte, purpose string) []byte {
	b, err := hkdf.Expand(sha256.New, prk, "gotoauth-relay/"+purpose, 32)
	if err != nil { // only for lengths HKDF cannot give
		panic(err)
	}
	return b
}

// aead is the sealer of the token's answers; the name is the additional
// data, so that an answer cannot be moved to another token's name.
func (t *tokenKeys) aead() cipher.AEAD {
	block, _ := aes.NewCipher(expand(t.prk, "store-seal")) // 32 bytes: cannot fail
	aead, _ := cipher.NewGCM(block)                        // the standard nonce: cannot fail
	return aead
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

// marshal writes a as the JSON its tags name (openAnswer reads it with
// encoding/json), with the writer of the page's answers (package wire):
// once per refresh, where encoding/json's reflection costs three times as
// much.
func (a *storedAnswer) marshal() []byte {
	w := wire.NewWriter(len(a.Body) + len(a.Value) + 96)
	w.Open('{').Key("s").Int(int64(a.Status)).Field("b", a.Body).Key("c").Int(int64(a.Cookie)).OptField("v", a.Value)
	if a.Expires != 0 {
		w.Key("e").Int(a.Expires)
	}
	w.Key("t").Int(a.Answered)
	if a.Millis {
		w.Key("m").Bool(true)
	}
	return w.Close('}').Bytes()
}

// sealAnswer seals res, the answer to refreshing the token of t, for the
// store.
func sealAnswer(t *tokenKeys, res refreshResult) []byte {
	a := storedAnswer{
		Status: res.status, Body: string(res.body),
		Cookie: int(res.cookie.op), Value: res.cookie.value, Expires: res.cookie.expires.Unix(),
		Answered: res.answered.UnixMilli(), Millis: res.millis,
	}
	plain := a.marshal()
	aead := t.aead()
	out := make([]byte, nonceSize, nonceSize+len(plain)+aead.Overhead())
	rand.Read(out)
	return aead.Seal(out, out[:nonceSize], plain, []byte(t.name))
}

// openAnswer opens what sealAnswer sealed for the token of t.
func openAnswer(t *tokenKeys, b []byte) (refreshResult, error) {
	bad := errors.New("an answer in the store does not open (written by a relay of another client, or altered)")
	aead := t.aead()
	if len(b) < nonceSize+aead.Overhead() {
		return refreshResult{}, bad
	}
	plain, err := aead.Open(nil, b[:nonceSize], b[nonceSize:], []byte(t.name))
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
// Any other body comes back as it is, and the second result, which
// reports a rewritten body, is false.
func withAge(body []byte, age time.Duration, millis bool) ([]byte, bool) {
	secs := int64(age / time.Second)
	if secs < 1 {
		return body, false
	}
	if millis {
		secs *= 1000
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body, false
	}
	raw, ok := m["expires_in"]
	if !ok {
		return body, false
	}
	// A number, or a number in a string (which oauth.NormalizeJSON takes
	// too); it stays in the form it came in.
	quoted := len(raw) > 0 && raw[0] == '"'
	var n json.Number
	if quoted {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return body, false
		}
		n = json.Number(s)
	} else if json.Unmarshal(raw, &n) != nil {
		return body, false
	}
	f, err := n.Float64()
	if err != nil {
		return body, false
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
		return body, false
	}
	return out, true
}
