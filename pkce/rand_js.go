//go:build js && wasm

package pkce

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hack-pad/safejs"
)

// randomBytes fills b from crypto.getRandomValues, the CSPRNG every browser
// and Node since 19 has. crypto/rand reads the same source but costs about
// 500 KB of module that every page would download.
//
// Bytes are fetched a pool at a time, since each fetch crosses into JS; a
// byte handed out is zeroed in the pool and never handed out again. No lock
// is held while JS runs: a page may have replaced getRandomValues with a
// function that calls back into the module, and that call must get an
// error, not a deadlock.
func randomBytes(b []byte) error {
	for {
		poolMu.Lock()
		n := copy(b, pool[poolNext:])
		clear(pool[poolNext : poolNext+n])
		poolNext += n
		poolMu.Unlock()
		b = b[n:]
		if len(b) == 0 {
			return nil
		}
		if err := refill(); err != nil {
			return err
		}
	}
}

const poolSize = 1024

var (
	poolMu    sync.Mutex // guards pool and poolNext, never held across JS
	pool      [poolSize]byte
	poolNext  = poolSize // empty
	refilling atomic.Bool
	fresh     [poolSize]byte // refill's landing place, used by one refill at a time
	jsPool    safejs.Value
	jsCrypto  safejs.Value
)

// refill fetches a new pool. Only one refill runs at a time; a call that
// comes back in during one fails.
func refill() error {
	if !refilling.CompareAndSwap(false, true) {
		return errReentered
	}
	defer refilling.Store(false)
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
	n, err := safejs.CopyBytesToGo(fresh[:], jsPool)
	// The JS copy would otherwise stay until the next refill; zero it now
	// so the bytes live only in the Go pool.
	_, zeroErr := jsPool.Call("fill", 0)
	if err != nil || n != poolSize || zeroErr != nil {
		clear(fresh[:])
		return errNoCrypto
	}
	poolMu.Lock()
	if poolNext == poolSize {
		pool, poolNext = fresh, 0
	}
	poolMu.Unlock()
	clear(fresh[:])
	return nil
}

var (
	errNoCrypto  = errors.New("pkce: crypto.getRandomValues is not available")
	errReentered = errors.New("pkce: crypto.getRandomValues called back into gotoauth; refused")
)
