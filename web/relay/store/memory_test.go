package store

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)} }

func TestMemoryClaim(t *testing.T) {
	clk := newClock()
	m := NewMemory(clk.now)
	ctx := context.Background()
	c, _ := m.Claim(ctx, "k", "s", time.Minute)
	if c.Lease == nil {
		t.Fatal("no lease")
	}
	if c2, _ := m.Claim(ctx, "k", "s", time.Minute); c2.Lease != nil || c2.Result != nil || c2.Ended {
		t.Fatalf("second claim: %+v", c2)
	}
	if ended, err := c.Lease.Finish(ctx, []byte("r"), time.Second); ended || err != nil {
		t.Fatal(ended, err)
	}
	// Finish twice: the second remembers nothing.
	c.Lease.Finish(ctx, []byte("again"), time.Second)
	if c3, _ := m.Claim(ctx, "k", "s", time.Minute); string(c3.Result) != "r" {
		t.Fatalf("%+v", c3)
	}
	clk.advance(time.Second)
	c4, _ := m.Claim(ctx, "k", "s", time.Minute)
	if c4.Lease == nil {
		t.Fatalf("after the answer's time: %+v", c4)
	}
	// A sign-in ended while the lease is held: Finish says so, and every
	// claim of that sign-in after it, remembered answer or not.
	m.End(ctx, "s", time.Hour)
	if ended, _ := c4.Lease.Finish(ctx, []byte("r2"), time.Minute); !ended {
		t.Error("Finish missed the end")
	}
	if c5, _ := m.Claim(ctx, "k", "s", time.Minute); !c5.Ended {
		t.Errorf("%+v", c5)
	}
	if c6, _ := m.Claim(ctx, "k", "other", time.Minute); string(c6.Result) != "r2" {
		t.Errorf("another sign-in: %+v", c6)
	}
	clk.advance(time.Hour)
	if c7, _ := m.Claim(ctx, "k2", "s", time.Minute); c7.Ended {
		t.Error("the end outlived its time")
	}
	// A nil result with ttl 0 releases without remembering.
	c8, _ := m.Claim(ctx, "k3", "s", time.Minute)
	c8.Lease.Finish(ctx, nil, 0)
	if c9, _ := m.Claim(ctx, "k3", "s", time.Minute); c9.Lease == nil {
		t.Errorf("%+v", c9)
	}
}

func TestMemoryBounds(t *testing.T) {
	clk := newClock()
	m := NewMemory(clk.now)
	ctx := context.Background()
	put := func(key string, size int) {
		c, _ := m.Claim(ctx, key, "s", time.Minute)
		if c.Lease == nil {
			t.Fatalf("%s: %+v", key, c)
		}
		c.Lease.Finish(ctx, make([]byte, size), time.Minute)
	}
	for i := range MaxResults + 50 {
		put("k"+strconv.Itoa(i), 100)
	}
	if n, _ := m.Len(); n != MaxResults {
		t.Fatalf("%d remembered", n)
	}
	if c, _ := m.Claim(ctx, "k0", "s", time.Minute); c.Result != nil {
		t.Error("the oldest was kept")
	} else {
		c.Lease.Finish(ctx, nil, 0)
	}
	for i := range 40 {
		put("big"+strconv.Itoa(i), 1<<20)
	}
	if m.bytes > MaxResultBytes {
		t.Errorf("%d bytes", m.bytes)
	}
	if len(m.order) > 2*MaxResults+16 {
		t.Errorf("order grew to %d", len(m.order))
	}
	// Expired answers are purged even without new ones.
	clk.advance(2 * time.Minute)
	m.Claim(ctx, "x", "s", time.Minute)
	if n, _ := m.Len(); n != 0 {
		t.Errorf("%d expired answers kept", n)
	}
	// Ended sign-ins are never dropped to make room: End fails instead.
	m.endedCap = 3
	for i := range 3 {
		if err := m.End(ctx, "s"+strconv.Itoa(i), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.End(ctx, "s9", time.Hour); err != ErrFull {
		t.Errorf("full: %v", err)
	}
	if err := m.End(ctx, "s1", 2*time.Hour); err != nil {
		t.Errorf("again: %v", err)
	}
	clk.advance(time.Hour)
	if err := m.End(ctx, "s9", time.Hour); err != nil {
		t.Errorf("after expiry: %v", err)
	}
}

// Announced key ids are known for their TTL, and bounded in number.
func TestMemoryAnnounceKeys(t *testing.T) {
	clk := newClock()
	m := NewMemory(clk.now)
	ctx := context.Background()
	if err := m.AnnounceKeys(ctx, []string{"a", "b"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"a": true, "b": true, "c": false} {
		if got, err := m.KeyAnnounced(ctx, id); got != want || err != nil {
			t.Errorf("%s: %v %v", id, got, err)
		}
	}
	clk.advance(time.Minute)
	if got, _ := m.KeyAnnounced(ctx, "a"); got {
		t.Error("known past its TTL")
	}
	ids := make([]string, maxKeys+1)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	if err := m.AnnounceKeys(ctx, ids, time.Minute); err != ErrFull {
		t.Errorf("%d keys: %v", len(ids), err)
	}
}
