//go:build js && wasm

package pkce

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// randomBytes fills b from crypto.getRandomValues, the CSPRNG every browser
// and Node since 19 has. crypto/rand reads the same source but costs about
// 500 KB of module that every page would download.
func randomBytes(b []byte) error {
	crypto, err := safejs.Global().Get("crypto")
	if err != nil || crypto.IsUndefined() || crypto.IsNull() {
		return errNoCrypto
	}
	array, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return errNoCrypto
	}
	buf, err := array.New(len(b))
	if err != nil {
		return err
	}
	if _, err := crypto.Call("getRandomValues", buf); err != nil {
		return errNoCrypto
	}
	n, err := safejs.CopyBytesToGo(b, buf)
	if err != nil {
		return err
	}
	if n != len(b) {
		return errNoCrypto
	}
	return nil
}

var errNoCrypto = errors.New("pkce: crypto.getRandomValues is not available")
