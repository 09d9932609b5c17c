//go:build js && wasm

package browser

import "github.com/hack-pad/safejs"

// Storage adapts a Web Storage-like object (sessionStorage, or the
// caller's) to pending.Storage.
type Storage struct{ V safejs.Value }

func (s Storage) GetItem(k string) (string, bool, error) {
	r, err := s.V.Call("getItem", k)
	if err != nil {
		return "", false, err
	}
	if IsNullish(r) {
		return "", false, nil
	}
	if TypeOf(r) != safejs.TypeString {
		return "", true, nil // unreadable: Take reports a mismatch
	}
	str, err := r.String()
	return str, err == nil, err
}

func (s Storage) SetItem(k, v string) error { _, err := s.V.Call("setItem", k, v); return err }
func (s Storage) RemoveItem(k string) error { _, err := s.V.Call("removeItem", k); return err }

// SessionStorage is globalThis.sessionStorage, when there is one and it
// can be read (a sandboxed frame throws on access).
func SessionStorage() (Storage, bool) {
	ss, err := Get(safejs.Global(), "sessionStorage")
	if err != nil || TypeOf(ss) != safejs.TypeObject || ss.IsNull() {
		return Storage{}, false
	}
	return Storage{V: ss}, true
}
