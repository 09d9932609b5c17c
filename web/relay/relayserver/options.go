// Package relayserver runs the token relay as a server an operator puts
// behind a load balancer: the public listener with the probes (/livez,
// /readyz, and /healthz, an alias of /readyz), an optional second listener
// for Prometheus metrics (relaymetrics), one log line per relay request
// (log/slog, text or JSON), and a stop in two steps on SIGTERM or SIGINT:
// drain (readiness fails at once, requests are still served, so that the
// load balancer stops sending new ones), then a graceful shutdown that
// waits for the requests in flight, a refresh with GoTo included.
//
// A program (serve.go) registers the flags (Flags), makes a Server, gives
// the relay's Config its Observer and Logger (Configure), makes the relay,
// and calls Run.
package relayserver

import (
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"strings"
	"time"

	"gotoauth/wasm/limits"
)

// Options are the server's settings; Flags registers them as flags.
type Options struct {
	// MetricsAddr is where the metrics are served (GET /metrics), such as
	// 127.0.0.1:9090; "" for no metrics.
	MetricsAddr string
	// LogFormat is "text" (logfmt-like key=value, the default) or "json".
	LogFormat string
	// LogLevel is "debug", "info" (the default), "warn" or "error".
	LogLevel string
	// Drain is how long the server keeps serving after the stop signal,
	// with /readyz answering 503, before it stops accepting.
	Drain time.Duration
	// ShutdownTimeout bounds the wait for requests in flight after the
	// drain.
	ShutdownTimeout time.Duration
	// CheckConfig asks the program to check its configuration and exit
	// (CheckConfig) instead of serving.
	CheckConfig bool
}

// Defaults.
const (
	DefaultDrain = 5 * time.Second
	// DefaultShutdownTimeout covers a refresh with GoTo at the relay's
	// default timeout (limits.DefaultTimeout) and a little more: a test
	// holds it above that.
	DefaultShutdownTimeout = 35 * time.Second
)

// Flags registers -metrics-addr, -log-format, -log-level, -drain,
// -shutdown-timeout and -check-config on fs, and returns the Options they
// fill in when fs is parsed.
func Flags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://`addr`/metrics (such as 127.0.0.1:9090), a listener apart from the public one; off when empty")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log lines as `text` or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "the least `level` logged: debug, info, warn or error")
	fs.DurationVar(&o.Drain, "drain", DefaultDrain, "after SIGTERM or SIGINT, go on answering requests this `long` with /readyz answering 503, so that the load balancer stops sending new ones")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", DefaultShutdownTimeout, "after the drain, wait this `long` at most for requests in flight (a refresh with GoTo) before exiting")
	fs.BoolVar(&o.CheckConfig, "check-config", false, "check the configuration (environment, flags, Redis once) and exit: 0 when it is good, 1 with every problem listed")
	return o
}

// check reports what is wrong with o.
func (o *Options) check() error {
	var errs []error
	switch o.LogFormat {
	case "text", "json", "":
	default:
		errs = append(errs, errors.New("-log-format must be text or json"))
	}
	if _, err := parseLevel(o.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if o.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
			errs = append(errs, errors.New("-metrics-addr must be host:port, such as 127.0.0.1:9090"))
		}
	}
	if o.Drain < 0 || o.ShutdownTimeout < 0 {
		errs = append(errs, errors.New("-drain and -shutdown-timeout cannot be negative"))
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, errors.New("-log-level must be debug, info, warn or error")
}

// newLogger makes the logger o describes, writing to w.
func (o *Options) newLogger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(o.LogLevel)
	ho := &slog.HandlerOptions{Level: level}
	if o.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// relayLogger is the *log.Logger the relay writes its free-text lines to
// (upstream failures, refused origins, the store's failures): each becomes
// one record at warn in the same format as the rest.
func relayLogger(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}

// Timings are the server's times an operator sees (relay.Timings says how
// the README uses them).
var Timings = [...]limits.Limit{
	{Name: "drain", Value: int64(DefaultDrain), Unit: limits.Duration,
		Doc: "after SIGTERM, `/readyz` answers 503 while requests are still served, for (`-drain`)"},
	{Name: "shutdownTimeout", Value: int64(DefaultShutdownTimeout), Unit: limits.Duration,
		Doc: "then the requests in flight are waited for, at most (`-shutdown-timeout`)"},
	{Name: "storeCheckEvery", Value: int64(storeCheckInterval), Unit: limits.Duration,
		Doc: "the store is checked for `/readyz` and `gotoauth_relay_store_up` every"},
	{Name: "storeCheckTimeout", Value: int64(storeCheckTimeout), Unit: limits.Duration,
		Doc: "one check of the store, at most"},
}
