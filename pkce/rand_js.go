//go:build js && wasm

package pkce

import (
	"errors"
	"sync"

	"github.com/hack-pad/safejs"
)

// randomBytes fills b from crypto.getRandomValues, the CSPRNG every browser
// and Node since 19 has. crypto/rand reads the same source but costs about
// 500 KB of module that every page would download.
//
// Bytes are fetched a pool at a time, since each fetch crosses into JS; a
// byte handed out is zeroed in the pool and never handed out again.
func randomBytes(b []byte) error {
	poolMu.Lock()
	defer poolMu.Unlock()
	for len(b) > 0 {
		if poolNext == len(pool) {
			if err := refill(); err != nil {
				return err
			}
		}
		n := copy(b, pool[poolNext:])
		clear(pool[poolNext : poolNext+n])
		poolNext += n
		b = b[n:]
	}
	return nil
}

const poolSize = 1024

var (
	poolMu   sync.Mutex
	pool     = make([]byte, poolSize)
	poolNext = poolSize // empty
	jsPool   safejs.Value
	jsCrypto safejs.Value
)

func refill() error {
	if jsPool.IsUndefined() {
		crypto, err := safejs.Global().Get("crypto")
		if err != nil || crypto.Type() != safejs.TypeObject {
			return errNoCrypto
		}
		array, err := safejs.Global().Get("Uint8Array")
		if err != nil {
			return errNoCrypto
		}
		buf, err := array.New(poolSize)
		if err != nil {
			return errNoCrypto
		}
		jsCrypto, jsPool = crypto, buf
	}
	if _, err := jsCrypto.Call("getRandomValues", jsPool); err != nil {
		return errNoCrypto
	}
	n, err := safejs.CopyBytesToGo(pool, jsPool)
	if err != nil || n != poolSize {
		return errNoCrypto
	}
	// The JS copy is overwritten with the next refill; zero it now so the
	// bytes live only in the Go pool.
	if _, err := jsPool.Call("fill", 0); err != nil {
		return errNoCrypto
	}
	poolNext = 0
	return nil
}

var errNoCrypto = errors.New("pkce: crypto.getRandomValues is not available")
