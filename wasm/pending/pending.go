// Package pending keeps the authorization requests that await their
// redirect: state, PKCE verifier and redirect URI, single use and short
// lived, so that a redirect is accepted once, for the request that caused
// it (RFC 6749 §10.12, RFC 9700 §4.7).
package pending

import (
	"crypto/subtle"
	"strconv"
	"sync"
	"time"

	"gotoauth/pkce"
	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
)

// KeyPrefix starts every storage key gotoauth writes.
const KeyPrefix = "gotoauth.pending."

// Storage is the Web Storage subset gotoauth needs: sessionStorage in a
// browser, Memory elsewhere, or any object with the same three methods.
type Storage interface {
	GetItem(key string) (value string, ok bool, err error)
	SetItem(key, value string) error
	RemoveItem(key string) error
}

// Request is what is remembered between authorize and redirect.
type Request struct {
	State        string
	ClientID     string
	Flow         string
	RedirectURI  string
	CodeVerifier string
	// AppState is the app's own value (JSON text from the loader), kept
	// beside the state and never sent anywhere: at most limits.MaxAppState
	// bytes.
	AppState string
	Created  time.Time
}

// Store keeps Requests in a Storage, one item each.
//
// The Storage may be JavaScript (sessionStorage, or the caller's object),
// and JavaScript may call back into the module while it runs. So no Go
// lock is held while the Storage is called: a lock held then would
// deadlock the whole module on the first call that came back in. Take
// marks its key as being taken instead, under a lock held only for that.
type Store struct {
	Storage Storage
	Now     func() time.Time
}

// taking holds the keys some Take is reading and removing right now, in
// any Store: stores share one Storage, and a call that comes back in while
// a state is being taken must not take it too.
var (
	takingMu sync.Mutex
	taking   = map[string]bool{}
)

// claim marks k as being taken; false if it already is.
func claim(k string) bool {
	takingMu.Lock()
	defer takingMu.Unlock()
	if taking[k] {
		return false
	}
	taking[k] = true
	return true
}

func unclaim(k string) {
	takingMu.Lock()
	delete(taking, k)
	takingMu.Unlock()
}

// key hides the state behind its SHA-256, so that the storage lookup, whose
// timing depends on the key, reveals nothing about the state itself; the
// state is then compared in constant time.
func key(state string) string {
	sum := pkce.Sum256([]byte(state))
	return KeyPrefix + hexString(sum[:16])
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Put remembers r under its state.
func (s *Store) Put(r Request) error {
	if r.Created.IsZero() {
		r.Created = s.now()
	}
	v := form.Values{
		{Name: "v", Value: "1"},
		{Name: "state", Value: r.State},
		{Name: "client_id", Value: r.ClientID},
		{Name: "flow", Value: r.Flow},
		{Name: "redirect_uri", Value: r.RedirectURI},
		{Name: "code_verifier", Value: r.CodeVerifier},
		{Name: "created", Value: strconv.FormatInt(r.Created.UnixMilli(), 10)},
	}
	if len(r.AppState) > limits.MaxAppState {
		return oauth.Invalid(options.AppState + " is larger than " + limits.Size(limits.MaxAppState) + " once encoded as JSON; keep a route or an id there, not data")
	}
	if r.AppState != "" {
		v = append(v, form.Param{Name: "app_state", Value: r.AppState})
	}
	if err := s.Storage.SetItem(key(r.State), v.Encode()); err != nil {
		return &oauth.Error{Code: oauth.Internal, Message: "storage refused the pending request: " + err.Error()}
	}
	return nil
}

// UnknownState is the message of a state that no stored request has.
const UnknownState = "unknown state: not made here, made for another tab, or already used"

// Take finds and removes the request for state, whatever the outcome, so a
// state is never accepted twice, even by a call that comes back in from
// the Storage. clientID must match the one it was made for.
func (s *Store) Take(state, clientID string) (*Request, error) {
	if state == "" {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "the redirect carries no state, so it cannot be matched to a request made here"}
	}
	if len(state) > limits.MaxParamLength {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "unknown state"}
	}
	k := key(state)
	if !claim(k) {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "this state is being checked by another call right now; a state is accepted once"}
	}
	defer unclaim(k)
	raw, ok, err := s.Storage.GetItem(k)
	if err != nil {
		return nil, &oauth.Error{Code: oauth.Internal, Message: "storage could not be read: " + err.Error()}
	}
	if !ok {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: UnknownState}
	}
	if err := s.Storage.RemoveItem(k); err != nil {
		return nil, &oauth.Error{Code: oauth.Internal, Message: "storage could not remove the used state: " + err.Error()}
	}
	v, err := form.Parse(raw)
	ver, _ := v.Get("v")
	if err != nil || ver != "1" {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "the stored request is unreadable"}
	}
	r := &Request{}
	r.State, _ = v.Get("state")
	r.ClientID, _ = v.Get("client_id")
	r.Flow, _ = v.Get("flow")
	r.RedirectURI, _ = v.Get("redirect_uri")
	r.CodeVerifier, _ = v.Get("code_verifier")
	r.AppState, _ = v.Get("app_state")
	created, _ := v.Get("created")
	ms, err := strconv.ParseInt(created, 10, 64)
	if err != nil {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "the stored request is unreadable"}
	}
	r.Created = time.UnixMilli(ms)
	if subtle.ConstantTimeCompare([]byte(r.State), []byte(state)) != 1 {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "unknown state"}
	}
	if subtle.ConstantTimeCompare([]byte(r.ClientID), []byte(clientID)) != 1 {
		return nil, &oauth.Error{Code: oauth.StateMismatch, Message: "the state belongs to another client"}
	}
	age := s.now().Sub(r.Created)
	if age > limits.PendingLifetime || age < -limits.PendingClockSkew {
		return nil, &oauth.Error{Code: oauth.StateExpired, Message: "the sign-in took longer than " + limits.Minutes(limits.PendingLifetime) + "; start it again"}
	}
	return r, nil
}

// Memory is a Storage in process memory, for Node and tests. It holds at
// most limits.MaxPendingInMemory entries, dropping the oldest, so a loop of authorize calls
// that never return cannot grow it without bound.
type Memory struct {
	mu    sync.Mutex
	items map[string]string
	order []string
}

func (m *Memory) GetItem(k string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[k]
	return v, ok, nil
}

func (m *Memory) SetItem(k, v string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[string]string{}
	}
	if _, ok := m.items[k]; !ok {
		m.order = append(m.order, k)
	}
	m.items[k] = v
	for len(m.items) > limits.MaxPendingInMemory {
		oldest := m.order[0]
		m.order = m.order[1:]
		delete(m.items, oldest)
	}
	return nil
}

func (m *Memory) RemoveItem(k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[k]; !ok {
		return nil
	}
	delete(m.items, k)
	for i, o := range m.order {
		if o == k {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
	return nil
}
