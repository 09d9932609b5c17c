package store

import (
	"context"
	"sync"
	"time"
)

// Bounds of Memory. Remembered answers go oldest first when a bound is
// reached; they are a convenience for late requests, not a promise. Ended
// sign-ins are a promise: when their bound is reached, End fails (and the
// relay answers the sign-out 503) rather than forget one.
const (
	MaxResults     = 1024
	MaxResultBytes = 16 << 20
	MaxEnded       = 1 << 20
)

// Memory is a Store for one process: what one relay needs when it runs
// alone, and the relay's default. Its locks never expire (hold is not
// needed): a holder is in the same process and always finishes.
type Memory struct {
	now func() time.Time

	mu       sync.Mutex
	locks    map[string]*memoryLease
	results  map[string]*memoryResult
	order    []orderEntry // results by insertion, for eviction
	bytes    int
	seq      uint64
	ended    map[string]time.Time
	purgeAt  time.Time
	endedCap int // MaxEnded; tests lower it
	keys     map[string]time.Time
}

type memoryResult struct {
	value []byte
	until time.Time
	seq   uint64
}

type orderEntry struct {
	key string
	seq uint64
}

// NewMemory returns an empty Memory on the clock now (time.Now if nil).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{
		now:      now,
		locks:    make(map[string]*memoryLease),
		results:  make(map[string]*memoryResult),
		ended:    make(map[string]time.Time),
		endedCap: MaxEnded,
		keys:     make(map[string]time.Time),
	}
}

// Claim implements Store.
func (m *Memory) Claim(_ context.Context, key, signIn string, _ time.Duration) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.purgeSometimes(now)
	if m.endedLocked(signIn, now) {
		return Claim{Ended: true}, nil
	}
	if r := m.results[key]; r != nil {
		if now.Before(r.until) {
			return Claim{Result: r.value}, nil
		}
		m.dropResult(key)
	}
	if m.locks[key] != nil {
		return Claim{}, nil
	}
	l := &memoryLease{m: m, key: key, signIn: signIn}
	m.locks[key] = l
	return Claim{Lease: l}, nil
}

// End implements Store.
func (m *Memory) End(_ context.Context, signIn string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	until := now.Add(ttl)
	if old, ok := m.ended[signIn]; ok {
		if until.After(old) {
			m.ended[signIn] = until
		}
		return nil
	}
	if len(m.ended) >= m.endedCap {
		m.purgeEnded(now)
		if len(m.ended) >= m.endedCap {
			return ErrFull
		}
	}
	m.ended[signIn] = until
	return nil
}

// maxKeys bounds the announced key ids: one process holds a few keys.
const maxKeys = 64

// AnnounceKeys implements Store.
func (m *Memory) AnnounceKeys(_ context.Context, ids []string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for id, until := range m.keys {
		if !now.Before(until) {
			delete(m.keys, id)
		}
	}
	for _, id := range ids {
		if _, ok := m.keys[id]; !ok && len(m.keys) >= maxKeys {
			return ErrFull
		}
		m.keys[id] = now.Add(ttl)
	}
	return nil
}

// KeyAnnounced implements Store.
func (m *Memory) KeyAnnounced(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.keys[id]
	return ok && m.now().Before(until), nil
}

// Ping implements Store: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

func (m *Memory) endedLocked(signIn string, now time.Time) bool {
	until, ok := m.ended[signIn]
	if ok && !now.Before(until) {
		delete(m.ended, signIn)
		return false
	}
	return ok
}

// remember keeps value under key until until, then drops the oldest
// answers while over the bounds. Callers hold m.mu.
func (m *Memory) remember(key string, value []byte, until time.Time) {
	if len(value) > MaxResultBytes {
		return
	}
	m.dropResult(key)
	m.seq++
	m.results[key] = &memoryResult{value: value, until: until, seq: m.seq}
	m.order = append(m.order, orderEntry{key, m.seq})
	m.bytes += len(value)
	for len(m.results) > MaxResults || m.bytes > MaxResultBytes {
		e := m.order[0]
		m.order = m.order[1:]
		if r := m.results[e.key]; r != nil && r.seq == e.seq {
			m.dropResult(e.key)
		}
	}
	if len(m.order) > 2*MaxResults+16 {
		// Replaced and dropped answers leave stale entries behind: compact.
		live := m.order[:0:0]
		for _, e := range m.order {
			if r := m.results[e.key]; r != nil && r.seq == e.seq {
				live = append(live, e)
			}
		}
		m.order = live
	}
}

func (m *Memory) dropResult(key string) {
	if r := m.results[key]; r != nil {
		m.bytes -= len(r.value)
		delete(m.results, key)
	}
}

// purgeSometimes drops expired answers and ended sign-ins once a minute:
// answers hold access tokens, and should not outlive their time even when
// no new answer comes to push them out. Callers hold m.mu.
func (m *Memory) purgeSometimes(now time.Time) {
	if now.Before(m.purgeAt) {
		return
	}
	m.purgeAt = now.Add(time.Minute)
	for k, r := range m.results {
		if !now.Before(r.until) {
			m.dropResult(k)
		}
	}
	m.purgeEnded(now)
}

func (m *Memory) purgeEnded(now time.Time) {
	for id, until := range m.ended {
		if !now.Before(until) {
			delete(m.ended, id)
		}
	}
}

// Len reports how many answers are remembered and how many refresh locks
// are held (for tests).
func (m *Memory) Len() (results, locks int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.results), len(m.locks)
}

type memoryLease struct {
	m      *Memory
	key    string
	signIn string
	done   bool
}

// Finish implements Lease.
func (l *memoryLease) Finish(_ context.Context, result []byte, ttl time.Duration) (bool, error) {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if !l.done {
		l.done = true
		if ttl > 0 {
			m.remember(l.key, result, now.Add(ttl))
		}
		if m.locks[l.key] == l {
			delete(m.locks, l.key)
		}
	}
	return m.endedLocked(l.signIn, now), nil
}
