// Package relaymetrics is the token relay's Prometheus metrics: what the
// relay does (a relay.Observer), the requests it answers, and the Go and
// process collectors, on a registry of its own that a separate listener
// serves (never the public one).
//
// No label carries a token, a cookie, a client secret, a user id or any
// value from a request: endpoints, sources, outcomes and reasons are each
// one of a few fixed words, and OAuth error codes are RFC 6749's
// (relay.ErrorLabel), anything else "other". The README lists every metric
// with one line; Names is that list.
package relaymetrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gotoauth/web/relay"
)

// namespace starts every metric's name.
const namespace = "gotoauth_relay"

// Metrics are the relay's metrics. A nil *Metrics observes nothing, so
// that a program without -metrics-addr passes nil.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	inFlight        prometheus.Gauge
	requestSeconds  *prometheus.HistogramVec
	refreshes       *prometheus.CounterVec
	gotoRequests    *prometheus.CounterVec
	gotoSeconds     *prometheus.HistogramVec
	lockWaitSeconds prometheus.Histogram
	storeErrors     *prometheus.CounterVec
	storeSeconds    *prometheus.HistogramVec
	storeUp         prometheus.Gauge
	signOuts        *prometheus.CounterVec
	revocations     *prometheus.CounterVec
	refused         *prometheus.CounterVec
	draining        prometheus.Gauge

	// The series of the common cases, looked up once: read-only maps,
	// so that a request does not hash its labels each time.
	hot hotSeries
}

// hotSeries are pre-resolved series, by label value.
type hotSeries struct {
	refreshes      map[string]prometheus.Counter  // by source
	storeSeconds   map[string]prometheus.Observer // by op
	requestSeconds map[string]prometheus.Observer // by endpoint
	requestsOK     map[string]prometheus.Counter  // by endpoint: 2xx, no error
	gotoOK         map[string]prometheus.Counter  // by endpoint: outcome ok
	gotoSeconds    map[string]prometheus.Observer // by endpoint
}

var _ relay.Observer = (*Metrics)(nil)

// Endpoints are the values of the endpoint label of the request metrics.
var Endpoints = []string{"token", "refresh", "signout", "other"}

// New registers the relay's metrics, and Go's and the process's, on a new
// registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	// Latencies from a few milliseconds (a refresh from memory) to the
	// relay's longest timeout with GoTo.
	buckets := []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "requests_total",
		Help: "Requests the relay answered, by endpoint, status class (2xx, 4xx, 5xx) and OAuth error code (none when there is none)."},
		[]string{"endpoint", "status", "error"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "requests_in_flight",
		Help: "Requests to the relay being answered now."})
	m.requestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "request_duration_seconds",
		Help: "Time to answer a request to the relay, by endpoint.", Buckets: buckets}, []string{"endpoint"})
	m.refreshes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "refreshes_total",
		Help: "Refreshes by where the answer came from: goto, joined (a refresh under way in this process), memory (remembered), store (another holder's, after waiting for its lock), none (no answer: the sign-in ended or the store failed)."},
		[]string{"source"})
	m.gotoRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "goto_requests_total",
		Help: "Requests to GoTo by endpoint (token, refresh, revoke) and outcome (ok, an OAuth error code, timeout, failed)."},
		[]string{"endpoint", "outcome"})
	m.gotoSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "goto_request_duration_seconds",
		Help: "GoTo's latency, by endpoint.", Buckets: buckets}, []string{"endpoint"})
	m.lockWaitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "lock_wait_duration_seconds",
		Help: "Refreshes that waited for another holder's refresh lock, and how long they waited; _count counts the waits.", Buckets: buckets})
	m.storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "store_errors_total",
		Help: "Round trips to the store that failed, by operation (claim, finish, end, announce, key_lookup, ping)."}, []string{"op"})
	m.storeSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "store_duration_seconds",
		Help: "Round trips to the store, by operation.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}, []string{"op"})
	m.storeUp = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "store_up",
		Help: "1 when the last check reached the store, else 0."})
	m.signOuts = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "signouts_total",
		Help: "Sign-outs by outcome: ended, no_cookie, ambiguous, store_error, key_missing (503: another instance holds the cookie's key)."}, []string{"outcome"})
	m.revocations = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "revocations_total",
		Help: "Revocations at GoTo after a sign-out, by outcome: ok, timeout, failed."}, []string{"outcome"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "refused_total",
		Help: "Requests refused before GoTo was asked, by reason: origin, method, header, size, ambiguous_cookie, key_missing (503: a cookie sealed with a key another instance holds and this one lacks)."}, []string{"reason"})
	m.draining = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "draining",
		Help: "1 while the instance drains before it stops, else 0."})
	for _, c := range []prometheus.Collector{m.requests, m.inFlight, m.requestSeconds, m.refreshes, m.gotoRequests, m.gotoSeconds,
		m.lockWaitSeconds, m.storeErrors, m.storeSeconds, m.storeUp, m.signOuts, m.revocations, m.refused, m.draining} {
		f(c)
	}
	// Every label value known in advance is present from the start, so
	// that a dashboard's rate() has a series before the first event.
	m.hot = hotSeries{
		refreshes: map[string]prometheus.Counter{}, storeSeconds: map[string]prometheus.Observer{},
		requestSeconds: map[string]prometheus.Observer{}, requestsOK: map[string]prometheus.Counter{},
		gotoOK: map[string]prometheus.Counter{}, gotoSeconds: map[string]prometheus.Observer{},
	}
	for _, s := range []string{relay.SourceGoTo, relay.SourceJoined, relay.SourceMemory, relay.SourceStore, relay.SourceNone} {
		m.hot.refreshes[s] = m.refreshes.WithLabelValues(s)
	}
	for _, r := range []string{relay.RefusedOrigin, relay.RefusedMethod, relay.RefusedHeader, relay.RefusedSize, relay.RefusedAmbiguous, relay.RefusedKeyMissing} {
		m.refused.WithLabelValues(r)
	}
	for _, op := range []string{"claim", "finish", "end", "announce", "key_lookup", "ping"} {
		m.storeErrors.WithLabelValues(op)
		m.hot.storeSeconds[op] = m.storeSeconds.WithLabelValues(op)
	}
	for _, e := range Endpoints {
		m.hot.requestSeconds[e] = m.requestSeconds.WithLabelValues(e)
		m.hot.requestsOK[e] = m.requests.WithLabelValues(e, "2xx", "none")
	}
	for _, e := range []string{"token", "refresh", "revoke"} {
		m.hot.gotoOK[e] = m.gotoRequests.WithLabelValues(e, "ok")
		m.hot.gotoSeconds[e] = m.gotoSeconds.WithLabelValues(e)
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is where the metrics are registered (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request counts one answered request: endpoint is one of Endpoints,
// status the HTTP status, code the answer's OAuth error code ("" for none).
func (m *Metrics) Request(endpoint string, status int, code string, took time.Duration) {
	if m == nil {
		return
	}
	if c, ok := m.hot.requestsOK[endpoint]; ok && status < 300 && code == "" {
		c.Inc()
	} else {
		m.requests.WithLabelValues(endpoint, statusClass(status), relay.ErrorLabel(code)).Inc()
	}
	if o, ok := m.hot.requestSeconds[endpoint]; ok {
		o.Observe(took.Seconds())
	} else {
		m.requestSeconds.WithLabelValues(endpoint).Observe(took.Seconds())
	}
}

// InFlight adds delta to the requests being answered.
func (m *Metrics) InFlight(delta float64) {
	if m != nil {
		m.inFlight.Add(delta)
	}
}

// StoreUp records whether the last check reached the store.
func (m *Metrics) StoreUp(up bool) {
	if m != nil {
		m.storeUp.Set(b2f(up))
	}
}

// Draining records whether the instance drains.
func (m *Metrics) Draining(on bool) {
	if m != nil {
		m.draining.Set(b2f(on))
	}
}

// Refreshed implements relay.Observer.
func (m *Metrics) Refreshed(_ context.Context, source string) {
	if m == nil {
		return
	}
	if c, ok := m.hot.refreshes[source]; ok {
		c.Inc()
		return
	}
	m.refreshes.WithLabelValues(source).Inc()
}

// Upstream implements relay.Observer.
func (m *Metrics) Upstream(endpoint, outcome string, took time.Duration) {
	if m == nil {
		return
	}
	if c, ok := m.hot.gotoOK[endpoint]; ok && outcome == "ok" {
		c.Inc()
	} else {
		m.gotoRequests.WithLabelValues(endpoint, outcome).Inc()
	}
	if o, ok := m.hot.gotoSeconds[endpoint]; ok {
		o.Observe(took.Seconds())
	} else {
		m.gotoSeconds.WithLabelValues(endpoint).Observe(took.Seconds())
	}
	if endpoint == "revoke" {
		m.revocations.WithLabelValues(outcome).Inc()
	}
}

// Store implements relay.Observer.
func (m *Metrics) Store(op string, took time.Duration, err error) {
	if m == nil {
		return
	}
	if o, ok := m.hot.storeSeconds[op]; ok {
		o.Observe(took.Seconds())
	} else {
		m.storeSeconds.WithLabelValues(op).Observe(took.Seconds())
	}
	if err != nil {
		m.storeErrors.WithLabelValues(op).Inc()
	}
}

// LockWaited implements relay.Observer.
func (m *Metrics) LockWaited(took time.Duration) {
	if m != nil {
		m.lockWaitSeconds.Observe(took.Seconds())
	}
}

// SignedOut implements relay.Observer.
func (m *Metrics) SignedOut(outcome string) {
	if m != nil {
		m.signOuts.WithLabelValues(outcome).Inc()
	}
}

// Refused implements relay.Observer.
func (m *Metrics) Refused(reason string) {
	if m != nil {
		m.refused.WithLabelValues(reason).Inc()
	}
}

func statusClass(status int) string {
	switch {
	case status >= 500:
		return "5xx"
	case status >= 400:
		return "4xx"
	case status >= 300:
		return "3xx"
	}
	return "2xx"
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
