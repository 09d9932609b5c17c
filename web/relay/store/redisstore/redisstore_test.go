package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/web/relay/store"
	"gotoauth/web/relay/store/redisstore"
	"gotoauth/web/relay/store/redistest"
)

func newStore(t *testing.T, srv *redistest.Server, lease time.Duration) *redisstore.Store {
	t.Helper()
	s, err := redisstore.NewFromURL(srv.URL(), redisstore.Options{Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func raw(t *testing.T, srv *redistest.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClaimProtocol(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newStore(t, srv, 0), newStore(t, srv, 0)
	ctx := context.Background()

	c, err := a.Claim(ctx, "k", "s1")
	if err != nil || c.Lease == nil || c.Ended || c.Result != nil {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	// Another instance finds the lock taken: neither lease nor result.
	if c2, err := b.Claim(ctx, "k", "s1"); err != nil || c2.Lease != nil || c2.Result != nil || c2.Ended {
		t.Fatalf("second claim: %+v %v", c2, err)
	}
	if ended, err := c.Lease.Finish(ctx, []byte("answer"), time.Minute); err != nil || ended {
		t.Fatalf("finish: %v %v", ended, err)
	}
	if c2, err := b.Claim(ctx, "k", "s1"); err != nil || string(c2.Result) != "answer" {
		t.Fatalf("claim after finish: %+v %v", c2, err)
	}
	// Every key has a TTL.
	r := raw(t, srv)
	keys, _ := r.Keys(ctx, "*").Result()
	if err := b.End(ctx, "s1", time.Hour); err != nil {
		t.Fatal(err)
	}
	keys, _ = r.Keys(ctx, "*").Result()
	if len(keys) != 2 {
		t.Errorf("keys %v", keys)
	}
	for _, k := range keys {
		if ttl, _ := r.PTTL(ctx, k).Result(); ttl <= 0 {
			t.Errorf("%s has no TTL (%v)", k, ttl)
		}
	}
	// An ended sign-in wins over a remembered answer.
	if c2, err := b.Claim(ctx, "k", "s1"); err != nil || !c2.Ended || c2.Result != nil {
		t.Fatalf("claim after end: %+v %v", c2, err)
	}
	// Finish reports an end that happened while the lease was held.
	c3, _ := a.Claim(ctx, "k2", "s2")
	a.End(ctx, "s2", time.Hour)
	if ended, err := c3.Lease.Finish(ctx, nil, 0); err != nil || !ended {
		t.Fatalf("finish after end: %v %v", ended, err)
	}
}

// The lease is renewed while held, far past its length, and released
// only by its holder.
func TestLeaseRenewed(t *testing.T) {
	srv := redistest.Start(t)
	const lease = 300 * time.Millisecond // renewed every 100 ms, even on a busy machine
	a, b := newStore(t, srv, lease), newStore(t, srv, lease)
	ctx := context.Background()
	c, err := a.Claim(ctx, "k", "s")
	if err != nil || c.Lease == nil {
		t.Fatalf("%+v %v", c, err)
	}
	r := raw(t, srv)
	for i := 0; i < 2; i++ { // 2 × 3 lease lengths, waited out
		deadline := time.Now().Add(3 * lease)
		for time.Now().Before(deadline) {
			if c2, err := b.Claim(ctx, "k", "s"); err != nil || c2.Lease != nil {
				t.Fatalf("lock taken by another holder while renewed: %+v %v", c2, err)
			}
			time.Sleep(lease / 4)
		}
	}
	// Someone else's value in the key: Finish leaves it alone.
	r.Set(ctx, redisstore.DefaultPrefix+"lock:k", "other", time.Minute)
	c.Lease.Finish(ctx, nil, 0)
	if v, _ := r.Get(ctx, redisstore.DefaultPrefix+"lock:k").Result(); v != "other" {
		t.Errorf("released a lock that was not ours: %q", v)
	}
}

// A holder that stops renewing (its process died) frees the lock after
// the lease.
func TestLeaseExpires(t *testing.T) {
	srv := redistest.Start(t)
	const lease = 50 * time.Millisecond
	b := newStore(t, srv, lease)
	r := raw(t, srv)
	ctx := context.Background()
	r.Set(ctx, redisstore.DefaultPrefix+"lock:k", "dead holder", lease)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := b.Claim(ctx, "k", "s")
		if err != nil {
			t.Fatal(err)
		}
		if c.Lease != nil {
			c.Lease.Finish(ctx, nil, 0)
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a dead holder never freed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Redis away: every call fails (fast, with an error), and works again once
// Redis is back.
func TestUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, srv, 0)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if err := s.Ping(ctx); err == nil {
		t.Error("ping succeeded without Redis")
	}
	if _, err := s.Claim(ctx, "k", "s"); err == nil {
		t.Error("claim succeeded without Redis")
	}
	if err := s.End(ctx, "s", time.Hour); err == nil {
		t.Error("end succeeded without Redis")
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("no recovery after Redis came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c, err := s.Claim(ctx, "k", "s"); err != nil || c.Lease == nil {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestNewFromURL(t *testing.T) {
	for _, u := range []string{"", "http://x", "redis://[::1"} {
		if _, err := redisstore.NewFromURL(u, redisstore.Options{}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, err := redisstore.NewFromURL("redis://u:hunter2@127.0.0.1:1/0", redisstore.Options{Lease: time.Millisecond}); err == nil {
		t.Error("a 1 ms lease accepted")
	}
	var _ store.Store = (*redisstore.Store)(nil)
}
