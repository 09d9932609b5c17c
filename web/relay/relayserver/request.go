package relayserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"gotoauth/web/relay"
	"gotoauth/web/relay/relaymetrics"
)

// RequestIDHeader carries a request's id: taken from the request when it
// is a short token (a proxy's), else made here, and always echoed in the
// answer, so that a user's report, the proxy's log and the relay's line
// meet.
const RequestIDHeader = "X-Request-Id"

// maxRequestID bounds an id taken from a request.
const maxRequestID = 64

// exchange is what the log line learns while the relay answers.
type exchange struct {
	source string
}

type exchangeKey struct{}

// observer is the relay's Observer: the metrics (nil-safe), and the
// refresh's source recorded for the request's log line.
type observer struct{ *relaymetrics.Metrics }

func (o observer) Refreshed(ctx context.Context, source string) {
	if e, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		e.source = source
	}
	o.Metrics.Refreshed(ctx, source)
}

// logged serves one relay request through h, and then counts it and logs
// one line at info: endpoint, status, OAuth error code, duration, where a
// refresh's answer came from, and the request id. Nothing else of the
// request or the answer is logged: no cookie, token, code or verifier can
// reach the log from here.
func (s *Server) logged(w http.ResponseWriter, r *http.Request, h http.Handler, sub string) {
	start := time.Now()
	id := requestID(r.Header.Get(RequestIDHeader))
	w.Header().Set(RequestIDHeader, id)
	e := &exchange{}
	rw := &recorder{ResponseWriter: w}
	s.metrics.InFlight(1)
	h.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, e)))
	s.metrics.InFlight(-1)
	took := time.Since(start)
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	endpoint := endpointOf(sub)
	code := ""
	if rw.status >= 400 {
		code = errorCode(rw.head)
	}
	s.metrics.Request(endpoint, rw.status, code, took)
	if !s.log.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("endpoint", endpoint),
		slog.Int("status", rw.status),
		// An integer: slog writes floats through encoding/json, which costs
		// more than the rest of the line.
		slog.Int64("duration_us", took.Microseconds()),
		slog.String("request_id", id),
	}
	if code != "" {
		attrs = append(attrs, slog.String("error", relay.ErrorLabel(code)))
	}
	if e.source != "" {
		attrs = append(attrs, slog.String("source", e.source))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "relay request", attrs...)
}

func endpointOf(sub string) string {
	switch sub {
	case "token", "refresh", "signout":
		return sub
	}
	return "other"
}

// requestID is v when it is a short token of letters, digits and - _ . :,
// else a new random id.
func requestID(v string) string {
	if n := len(v); n > 0 && n <= maxRequestID {
		ok := true
		for i := 0; i < n && ok; i++ {
			c := v[i]
			ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':'
		}
		if ok {
			return v
		}
	}
	// A random prefix for this process and a counter: unique across
	// instances and restarts, and cheaper than 12 random bytes a request.
	n := idCounter.Add(1)
	return idPrefix + strconv.FormatUint(n, 36)
}

var (
	idCounter atomic.Uint64
	idPrefix  = func() string {
		var b [8]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:]) + "-"
	}()
)

// errorCode is the "error" member of an RFC 6749 §5.2 body, or "". The
// relay writes it first (oauthhttp.ErrorBody, and GoTo's errors through
// the same struct), so the common case is read without a JSON decoder;
// a code with escapes or elsewhere falls back to one.
func errorCode(body []byte) string {
	const lead = `{"error":"`
	if rest, ok := bytes.CutPrefix(body, []byte(lead)); ok {
		if i := bytes.IndexByte(rest, '"'); i >= 0 && bytes.IndexByte(rest[:i], '\\') < 0 {
			return string(rest[:i])
		}
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error
}

// recorder keeps the status and, for an error, the start of the body,
// which is where the OAuth error code is.
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte
}

const maxHead = 1024

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status >= 400 && len(r.head) < maxHead {
		r.head = append(r.head, b[:min(len(b), maxHead-len(r.head))]...)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
