package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
)

// The page's side: requests as the package's session sends them (POST, the
// page's Origin, the CSRF header, the refresh cookie, no body), from a
// fixed number of workers over kept-alive connections, each request timed
// from sending to the last byte of the answer.

const (
	origin      = "http://127.0.0.1:8080"
	redirectURI = origin + "/"
	verifier    = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	// requestTimeout bounds each request, answer included.
	requestTimeout = 10 * time.Second
	// maxAnswer bounds what is read of an answer.
	maxAnswer = 1 << 20
)

// newTransport is the connection pool of one side: the benchmark's
// clients, and the floor's and the relays' requests to the stub, all alike,
// so that no side pays for new connections while another reuses them.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        4 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
}

// batch is one timed run of requests against one subject.
type batch struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration // per request, in the order they were sent
	// cpu and redisCPU are the CPU time used meanwhile by this process and
	// by the redis-server (cpuTime).
	cpu, redisCPU time.Duration
}

// rate is the batch's requests per second.
func (b batch) rate() float64 { return float64(b.n) / b.elapsed.Seconds() }

// refreshes sends one refresh per cookie, cookie i to urls[i % len(urls)]
// (round robin over the instances), from conc workers, and times them. Any
// answer but 200 with a JSON body ends the batch with an error: a benchmark
// of failed requests measures nothing.
func refreshes(ctx context.Context, c *http.Client, urls, cookies []string, conc int) (batch, error) {
	b := batch{n: len(cookies), lat: make([]time.Duration, len(cookies))}
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cookies) || ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := refresh(ctx, c, urls[i%len(urls)], cookies[i])
				b.lat[i] = time.Since(t)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	b.elapsed = time.Since(start)
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return b, firstErr
}

// refresh sends one POST /relay/refresh and reads the whole answer.
func refresh(ctx context.Context, c *http.Client, u, cookie string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, http.NoBody)
	if err != nil {
		return err
	}
	req.Header.Set("Origin", origin)
	req.Header.Set(relayapi.Header, "1")
	req.Header.Set("Cookie", relay.CookieName+"="+cookie)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s: reading the answer: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), `{"access_token":`) {
		return fmt.Errorf("%s: HTTP %d %.200s", u, resp.StatusCode, body)
	}
	return nil
}

// mint signs in n times through the relay's own /token, code i at
// urls[i % len(urls)], and returns the n refresh cookies the relay set: the
// benchmark never seals a cookie itself.
func mint(ctx context.Context, c *http.Client, urls []string, prefix string, n, conc int) ([]string, error) {
	cookies := make([]string, n)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				v, err := signIn(ctx, c, urls[i%len(urls)], prefix+"-"+strconv.Itoa(i))
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				cookies[i] = v
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return cookies, firstErr
}

// signIn redeems one code at a relay's /token and returns the cookie set.
func signIn(ctx context.Context, c *http.Client, u, code string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	form := url.Values{"code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Origin", origin)
	req.Header.Set(relayapi.Header, "1")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return "", fmt.Errorf("%s: reading the answer: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: HTTP %d %.200s", u, resp.StatusCode, body)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == relay.CookieName && ck.Value != "" {
			return ck.Value, nil
		}
	}
	return "", errors.New(u + ": the relay set no refresh cookie")
}

// percentile is the q-quantile (0 < q ≤ 1) of sorted, by nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// sortedLatencies returns a copy of b's latencies, sorted.
func sortedLatencies(b batch) []time.Duration {
	lat := slices.Clone(b.lat)
	slices.Sort(lat)
	return lat
}
