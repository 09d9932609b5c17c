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

func newStore(t *testing.T, srv *redistest.Server) *redisstore.Store {
	t.Helper()
	s, err := redisstore.NewFromURL(srv.URL(), redisstore.Options{})
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
	a, b := newStore(t, srv), newStore(t, srv)
	ctx := context.Background()

	c, err := a.Claim(ctx, "k", "s1", time.Minute)
	if err != nil || c.Lease == nil || c.Ended || c.Result != nil {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	// Another instance finds the lock taken: neither lease nor result.
	if c2, err := b.Claim(ctx, "k", "s1", time.Minute); err != nil || c2.Lease != nil || c2.Result != nil || c2.Ended {
		t.Fatalf("second claim: %+v %v", c2, err)
	}
	if ended, err := c.Lease.Finish(ctx, []byte("answer"), time.Minute); err != nil || ended {
		t.Fatalf("finish: %v %v", ended, err)
	}
	if c2, err := b.Claim(ctx, "k", "s1", time.Minute); err != nil || string(c2.Result) != "answer" {
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
	if c2, err := b.Claim(ctx, "k", "s1", time.Minute); err != nil || !c2.Ended || c2.Result != nil {
		t.Fatalf("claim after end: %+v %v", c2, err)
	}
	// Finish reports an end that happened while the lease was held.
	c3, _ := a.Claim(ctx, "k2", "s2", time.Minute)
	a.End(ctx, "s2", time.Hour)
	if ended, err := c3.Lease.Finish(ctx, nil, 0); err != nil || !ended {
		t.Fatalf("finish after end: %v %v", ended, err)
	}
}

// A lock is held for its whole hold, and through a Redis stall that lasts
// longer than anything a renewal could have covered: a second claim after
// the stall finds it held. Only its holder releases it.
func TestLockHeldThroughStall(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newStore(t, srv), newStore(t, srv)
	ctx := context.Background()
	c, err := a.Claim(ctx, "k", "s", time.Minute)
	if err != nil || c.Lease == nil {
		t.Fatalf("%+v %v", c, err)
	}
	if err := srv.Stall(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if c2, err := b.Claim(ctx, "k", "s", time.Minute); err != nil || c2.Lease != nil || c2.Result != nil {
		t.Fatalf("a second holder after the stall: %+v %v", c2, err)
	}
	r := raw(t, srv)
	if ttl, _ := r.PTTL(ctx, redisstore.DefaultPrefix+"lock:k").Result(); ttl < 50*time.Second || ttl > time.Minute {
		t.Errorf("the lock's TTL is %v, want its hold", ttl)
	}
	// Someone else's value in the key: Finish leaves it alone.
	r.Set(ctx, redisstore.DefaultPrefix+"lock:k", "other", time.Minute)
	c.Lease.Finish(ctx, nil, 0)
	if v, _ := r.Get(ctx, redisstore.DefaultPrefix+"lock:k").Result(); v != "other" {
		t.Errorf("released a lock that was not ours: %q", v)
	}
	if _, err := a.Claim(ctx, "k2", "s", 0); err == nil {
		t.Error("a claim without a hold")
	}
}

// A holder that never finishes (its process died) frees the lock after
// its hold.
func TestLockExpires(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newStore(t, srv), newStore(t, srv)
	ctx := context.Background()
	if c, err := a.Claim(ctx, "k", "s", 50*time.Millisecond); err != nil || c.Lease == nil {
		t.Fatalf("%+v %v", c, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := b.Claim(ctx, "k", "s", time.Minute)
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

// Announced key ids are seen by every instance, for their TTL.
func TestAnnounceKeys(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newStore(t, srv), newStore(t, srv)
	ctx := context.Background()
	if err := a.AnnounceKeys(ctx, []string{"k1", "k2"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"k1": true, "k2": true, "k3": false} {
		if got, err := b.KeyAnnounced(ctx, id); err != nil || got != want {
			t.Errorf("%s: %v %v", id, got, err)
		}
	}
	if ttl, _ := raw(t, srv).PTTL(ctx, redisstore.DefaultPrefix+"key:k1").Result(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL %v", ttl)
	}
}

// Redis away: every call fails (fast, with an error), and works again once
// Redis is back.
func TestUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, srv)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if err := s.Ping(ctx); err == nil {
		t.Error("ping succeeded without Redis")
	}
	if _, err := s.Claim(ctx, "k", "s", time.Minute); err == nil {
		t.Error("claim succeeded without Redis")
	}
	if err := s.End(ctx, "s", time.Hour); err == nil {
		t.Error("end succeeded without Redis")
	}
	if err := s.AnnounceKeys(ctx, []string{"k"}, time.Minute); err == nil {
		t.Error("announce succeeded without Redis")
	}
	if _, err := s.KeyAnnounced(ctx, "k"); err == nil {
		t.Error("a key lookup succeeded without Redis")
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("no recovery after Redis came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c, err := s.Claim(ctx, "k", "s", time.Minute); err != nil || c.Lease == nil {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestNewFromURL(t *testing.T) {
	for _, u := range []string{"", "http://x", "redis://[::1"} {
		if _, err := redisstore.NewFromURL(u, redisstore.Options{}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	var _ store.Store = (*redisstore.Store)(nil)
}
