package relayserver

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay/store/redistest"
)

// A scripted mix of relay requests, then a scrape of the metrics listener:
// each counter has the value the script makes, promtool accepts the scrape,
// every request has its log line, and no log line holds a token, a cookie,
// a code, the verifier or the secret.
func TestScriptedRun(t *testing.T) {
	h := start(t, Options{MetricsAddr: "127.0.0.1:0", LogFormat: "json", LogLevel: "debug"}, nil, nil)

	c1 := h.signIn("code-one")
	if resp, body := h.post("refresh", "", c1); resp.StatusCode != 200 { // from GoTo
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	if resp, _ := h.post("refresh", "", c1); resp.StatusCode != 200 { // from memory
		t.Fatal(resp.Status)
	}

	// Two refreshes with one cookie while GoTo is slow: one asks, one joins.
	c2 := h.signIn("code-two")
	h.up.hold()
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := h.post("refresh", "", c2)
			codes[i] = resp.StatusCode
		}()
	}
	eventually(t, "both refreshes in flight, one with GoTo", func() bool {
		return h.up.refreshs.Load() == 2 && gauge(t, h, "gotoauth_relay_requests_in_flight") == 2
	})
	h.up.release()
	wg.Wait()
	if codes[0] != 200 || codes[1] != 200 || h.up.refreshs.Load() != 2 {
		t.Fatalf("joined: %v, GoTo asked %d times", codes, h.up.refreshs.Load())
	}

	// A refresh GoTo refuses.
	dead := h.signIn("dead")
	if resp, _ := h.post("refresh", "", dead); resp.StatusCode != 400 {
		t.Fatal(resp.Status)
	}
	// Refusals: no Origin, GET, no header, two cookies.
	h.post("refresh", "", c1, func(r *http.Request) { r.Header.Del("Origin") })
	h.post("refresh", "", c1, func(r *http.Request) { r.Method = "GET" })
	h.post("refresh", "", c1, func(r *http.Request) { r.Header.Del(relayapi.Header) })
	h.post("refresh", "", c1+"; "+c2)
	// Sign-outs: one ends a sign-in (and revokes), one has no cookie; then
	// the ended sign-in's refresh gets no answer.
	if resp, _ := h.post("signout", "", c1); resp.StatusCode != 204 {
		t.Fatal(resp.Status)
	}
	h.post("signout", "", "")
	if resp, _ := h.post("refresh", "", c1); resp.StatusCode != 401 {
		t.Fatal(resp.Status)
	}
	eventually(t, "the revocation", func() bool { return h.up.revokes.Load() == 1 })

	for _, want := range []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"gotoauth_relay_refreshes_total", map[string]string{"source": "goto"}, 3},
		{"gotoauth_relay_refreshes_total", map[string]string{"source": "memory"}, 1},
		{"gotoauth_relay_refreshes_total", map[string]string{"source": "joined"}, 1},
		{"gotoauth_relay_refreshes_total", map[string]string{"source": "store"}, 0},
		{"gotoauth_relay_refreshes_total", map[string]string{"source": "none"}, 1},
		{"gotoauth_relay_goto_requests_total", map[string]string{"endpoint": "token", "outcome": "ok"}, 3},
		{"gotoauth_relay_goto_requests_total", map[string]string{"endpoint": "refresh", "outcome": "ok"}, 2},
		{"gotoauth_relay_goto_requests_total", map[string]string{"endpoint": "refresh", "outcome": "invalid_grant"}, 1},
		{"gotoauth_relay_goto_requests_total", map[string]string{"endpoint": "revoke", "outcome": "ok"}, 1},
		{"gotoauth_relay_revocations_total", map[string]string{"outcome": "ok"}, 1},
		{"gotoauth_relay_requests_total", map[string]string{"endpoint": "token", "status": "2xx", "error": "none"}, 3},
		{"gotoauth_relay_requests_total", map[string]string{"endpoint": "refresh", "status": "2xx", "error": "none"}, 4},
		{"gotoauth_relay_requests_total", map[string]string{"endpoint": "refresh", "status": "4xx", "error": "invalid_grant"}, 2},
		{"gotoauth_relay_requests_total", map[string]string{"endpoint": "refresh", "status": "4xx", "error": "invalid_request"}, 4},
		{"gotoauth_relay_requests_total", map[string]string{"endpoint": "signout", "status": "2xx", "error": "none"}, 2},
		{"gotoauth_relay_refused_total", map[string]string{"reason": "origin"}, 1},
		{"gotoauth_relay_refused_total", map[string]string{"reason": "method"}, 1},
		{"gotoauth_relay_refused_total", map[string]string{"reason": "header"}, 1},
		{"gotoauth_relay_refused_total", map[string]string{"reason": "ambiguous_cookie"}, 1},
		{"gotoauth_relay_refused_total", map[string]string{"reason": "size"}, 0},
		{"gotoauth_relay_signouts_total", map[string]string{"outcome": "ended"}, 1},
		{"gotoauth_relay_signouts_total", map[string]string{"outcome": "no_cookie"}, 1},
		{"gotoauth_relay_store_errors_total", map[string]string{"op": "claim"}, 0},
		{"gotoauth_relay_requests_in_flight", nil, 0},
		{"gotoauth_relay_store_up", nil, 1},
		{"gotoauth_relay_draining", nil, 0},
	} {
		if got := value(t, h, want.name, want.labels); got != want.value {
			t.Errorf("%s%v = %v, want %v", want.name, want.labels, got, want.value)
		}
	}
	if n := value(t, h, "gotoauth_relay_goto_request_duration_seconds", map[string]string{"endpoint": "refresh"}); n != 3 {
		t.Errorf("GoTo latency histogram count %v, want 3", n)
	}

	// The scrape, as Prometheus reads it, and promtool's lint.
	code, scrape := get(t, "http://"+*h.srv.metricsAddr.Load()+MetricsPath)
	if code != 200 || !strings.Contains(scrape, "go_goroutines") || !strings.Contains(scrape, "process_cpu_seconds_total") {
		t.Fatalf("scrape: %d\n%.500s", code, scrape)
	}
	if promtool, err := exec.LookPath("promtool"); err != nil {
		t.Error("promtool (Debian's prometheus, which `make test` installs) is not on PATH: the scrape cannot be linted")
	} else {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(scrape)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}
	// The public listener does not serve the metrics.
	if code, _ := get(t, h.base+MetricsPath); code == 200 {
		t.Error("the public listener serves the metrics")
	}

	checkLogs(t, h, append(h.up.seen, clientSecret, verifier, "code-one", "code-two", cookieValue(c1), cookieValue(c2), cookieValue(dead)))
}

// checkLogs reads every log line as JSON, checks the relay's request lines
// and that no line holds any of secrets.
func checkLogs(t *testing.T, h *harness, secrets []string) {
	t.Helper()
	requests := 0
	sc := bufio.NewScanner(strings.NewReader(h.logs.String()))
	for sc.Scan() {
		line := sc.Text()
		for _, s := range secrets {
			if s != "" && strings.Contains(line, s) {
				t.Errorf("a log line holds %q: %s", s, line)
			}
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("not JSON: %s", line)
			continue
		}
		if m["msg"] != "relay request" {
			continue
		}
		requests++
		for _, k := range []string{"endpoint", "status", "duration_us", "request_id"} {
			if _, ok := m[k]; !ok {
				t.Errorf("no %s in %s", k, line)
			}
		}
	}
	if requests < 10 {
		t.Errorf("%d request lines:\n%s", requests, h.logs.String())
	}
}

func cookieValue(c string) string { _, v, _ := strings.Cut(c, "="); return v }

// value is the value of the metric name with labels (a counter or gauge,
// or a histogram's count).
func value(t *testing.T, h *harness, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := h.srv.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
		return 0
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func gauge(t *testing.T, h *harness, name string) float64 { return value(t, h, name, nil) }

func matches(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := labels[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}

// Two instances sharing Redis: a refresh that finds the other instance
// holding the lock waits for it and is counted as answered from the store,
// with its wait; the holder's is from GoTo; GoTo is asked once.
func TestSharedStoreMetrics(t *testing.T) {
	rs := redistest.Start(t)
	up, k := newStub(t), key(t)
	o := Options{MetricsAddr: "127.0.0.1:0", LogFormat: "json"}
	a := startWith(t, o, up, k, redisStore(t, rs), nil)
	b := startWith(t, o, up, k, redisStore(t, rs), nil)
	cookie := a.signIn("code-shared")
	up.hold()
	codes := make(chan int, 2)
	go func() { resp, _ := a.post("refresh", "", cookie); codes <- resp.StatusCode }()
	eventually(t, "a's refresh with GoTo", func() bool { return up.refreshs.Load() == 1 })
	go func() { resp, _ := b.post("refresh", "", cookie); codes <- resp.StatusCode }()
	eventually(t, "b waiting for a's lock", func() bool {
		return value(t, b, "gotoauth_relay_store_duration_seconds", map[string]string{"op": "claim"}) >= 2
	})
	up.release()
	if c1, c2 := <-codes, <-codes; c1 != 200 || c2 != 200 || up.refreshs.Load() != 1 {
		t.Fatalf("%d %d, GoTo asked %d times", c1, c2, up.refreshs.Load())
	}
	for _, want := range []struct {
		h      *harness
		name   string
		labels map[string]string
		value  float64
	}{
		{a, "gotoauth_relay_refreshes_total", map[string]string{"source": "goto"}, 1},
		{a, "gotoauth_relay_lock_wait_duration_seconds", nil, 0},
		{b, "gotoauth_relay_refreshes_total", map[string]string{"source": "store"}, 1},
		{b, "gotoauth_relay_refreshes_total", map[string]string{"source": "goto"}, 0},
		{b, "gotoauth_relay_lock_wait_duration_seconds", nil, 1},
		{b, "gotoauth_relay_goto_requests_total", map[string]string{"endpoint": "refresh", "outcome": "ok"}, 0},
		{a, "gotoauth_relay_store_errors_total", map[string]string{"op": "claim"}, 0},
	} {
		if got := value(t, want.h, want.name, want.labels); got != want.value {
			t.Errorf("%s%v = %v, want %v", want.name, want.labels, got, want.value)
		}
	}
	// Redis stopped: the failed round trips are counted.
	rs.Stop()
	if resp, _ := b.post("refresh", "", cookie); resp.StatusCode != 503 {
		t.Fatalf("without Redis: %s", resp.Status)
	}
	if v := value(t, b, "gotoauth_relay_store_errors_total", map[string]string{"op": "claim"}); v != 1 {
		t.Errorf("store errors %v", v)
	}
	if v := value(t, b, "gotoauth_relay_requests_total", map[string]string{"endpoint": "refresh", "status": "5xx", "error": "temporarily_unavailable"}); v != 1 {
		t.Errorf("5xx requests %v", v)
	}
}
