package relayserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/relaymetrics"
)

// The probes' paths, on the public listener and on the metrics listener.
const (
	LivezPath   = "/livez"
	ReadyzPath  = "/readyz"
	HealthzPath = "/healthz" // an alias of ReadyzPath, for load balancers set up before it
	MetricsPath = "/metrics"
)

// storeCheckInterval is how often the server checks the store for /readyz's
// body and the store_up metric, and logs a change.
const storeCheckInterval = 5 * time.Second

// storeCheckTimeout bounds one check of the store.
const storeCheckTimeout = 2 * time.Second

// Server runs a handler that mounts the relay. Make it with New.
type Server struct {
	opts    Options
	log     *slog.Logger
	metrics *relaymetrics.Metrics // nil without -metrics-addr

	started  atomic.Bool
	draining atomic.Bool
	storeOK  atomic.Int32 // storeUnknown, storeUp, storeDown

	// checkEvery is storeCheckInterval; tests shorten it.
	checkEvery time.Duration
	// metricsAddr is the metrics listener's address once Run listens.
	metricsAddr atomic.Pointer[string]
	// ready, when set, is closed once Run serves (tests).
	ready chan struct{}
}

const (
	storeUnknown = iota
	storeUp
	storeDown
)

// New makes a Server that logs to w (os.Stderr in a program).
func New(o Options, w io.Writer) (*Server, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	s := &Server{opts: o, log: o.newLogger(w), checkEvery: storeCheckInterval}
	if o.MetricsAddr != "" {
		s.metrics = relaymetrics.New()
	}
	return s, nil
}

// Logger is the server's logger, for the program's own lines.
func (s *Server) Logger() *slog.Logger { return s.log }

// Metrics are the server's metrics, nil without Options.MetricsAddr.
func (s *Server) Metrics() *relaymetrics.Metrics { return s.metrics }

// Configure gives the relay's Config the server's Observer (metrics, and
// where each refresh's answer came from for the request's log line) and
// its Logger.
func (s *Server) Configure(cfg *relay.Config) {
	cfg.Observer = observer{s.metrics}
	cfg.Logger = relayLogger(s.log)
}

// Run serves h on ln until ctx ends (SignalContext ends it on SIGTERM or
// SIGINT), and the metrics on their own listener when asked. rl, when not
// nil, is the relay h mounts: its requests are logged and counted, and
// its readiness (Relay.Ready, which also announces its key ids) is checked
// for /readyz's body; env, when not nil, is the configuration rl was made
// from, whose Ping, asked when a check fails, says with a clearer cause why
// Redis cannot be used.
//
// When ctx ends: /readyz answers 503 at once and keep-alives end, requests
// are served for Options.Drain, then the listener closes and Run waits for
// the requests in flight up to Options.ShutdownTimeout. It returns nil
// after a clean stop, or why it could not serve or stop.
func (s *Server) Run(ctx context.Context, ln net.Listener, h http.Handler, rl *relay.Relay, env *relayenv.Config) error {
	var ping func(context.Context) error
	if rl != nil {
		ping = func(ctx context.Context) error {
			err := rl.Ready(ctx)
			if err != nil && env != nil {
				// One round trip when the store works; when it does not,
				// env's Ping says why more clearly (TLS to a plain Redis).
				if cause := env.Ping(ctx, storeCheckTimeout); cause != nil {
					return cause
				}
			}
			return err
		}
	}
	public := s.newHTTPServer(s.Handler(h, rl))
	errc := make(chan error, 2)
	go func() { errc <- public.Serve(ln) }()

	var private *http.Server
	if s.opts.MetricsAddr != "" {
		mln, err := net.Listen("tcp", s.opts.MetricsAddr)
		if err != nil {
			public.Close()
			return errors.New("-metrics-addr: " + err.Error())
		}
		mux := http.NewServeMux()
		mux.Handle(MetricsPath, s.metrics.Handler())
		mux.HandleFunc(LivezPath, s.livez)
		mux.HandleFunc(ReadyzPath, s.readyz)
		private = s.newHTTPServer(mux)
		addr := mln.Addr().String()
		s.metricsAddr.Store(&addr)
		go func() { errc <- private.Serve(mln) }()
		s.log.Info("serving metrics", "addr", "http://"+mln.Addr().String()+MetricsPath)
	}

	checkCtx, stopChecks := context.WithCancel(context.Background())
	defer stopChecks()
	if ping != nil {
		s.checkStore(checkCtx, ping) // once now, so that a Redis that cannot work is logged at start
		go s.watchStore(checkCtx, ping)
	}
	s.started.Store(true)
	if s.ready != nil {
		close(s.ready)
	}

	select {
	case err := <-errc:
		public.Close()
		if private != nil {
			private.Close()
		}
		return err
	case <-ctx.Done():
	}

	// Drain: tell the load balancer, keep serving.
	s.draining.Store(true)
	s.metrics.Draining(true)
	public.SetKeepAlivesEnabled(false)
	s.log.Info("draining: /readyz answers 503; requests are still served", "drain", s.opts.Drain.String())
	if s.opts.Drain > 0 {
		t := time.NewTimer(s.opts.Drain)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return err
		}
	}
	s.log.Info("stopping: no new connections; waiting for requests in flight", "timeout", s.opts.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := public.Shutdown(sctx)
	if private != nil {
		private.Shutdown(sctx)
	}
	if err != nil {
		s.log.Error("requests were still in flight when -shutdown-timeout ended", "err", err)
		return errors.New("requests were still in flight when -shutdown-timeout ended")
	}
	s.log.Info("stopped")
	return nil
}

// newHTTPServer bounds every phase of a request: headers, body, answer,
// idle keep-alive; net/http's own complaints go to the log at warn.
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          relayLogger(s.log),
	}
}

// Handler is what Run serves on the public listener: it answers the
// probes, logs and counts the requests to rl (when not nil) and passes
// them, and everything else, to h as they are. A program that runs its
// own http.Server serves it (the relay's benchmark does).
func (s *Server) Handler(h http.Handler, rl *relay.Relay) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case LivezPath:
			s.livez(w, r)
			return
		case ReadyzPath, HealthzPath:
			s.readyz(w, r)
			return
		}
		if rl != nil && strings.HasPrefix(r.URL.Path, rl.Path()) {
			s.logged(w, r, h, r.URL.Path[len(rl.Path()):])
			return
		}
		h.ServeHTTP(w, r)
	})
}

// livez answers 200 while the process runs.
func (s *Server) livez(w http.ResponseWriter, r *http.Request) {
	if !probeMethod(w, r) {
		return
	}
	io.WriteString(w, "ok\n")
}

// readyz answers 200 when this instance takes traffic (it serves and does
// not drain), else 503. The store's reachability is in the body, never in
// the status: every instance shares the store, and a load balancer that
// pulled every instance at once for it would turn a Redis outage (which
// refreshes already answer with a clean 503 and Retry-After) into a full
// one.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !probeMethod(w, r) {
		return
	}
	store := "store: " + [...]string{"not checked yet", "reachable", "unreachable"}[s.storeOK.Load()] + "\n"
	switch {
	case s.draining.Load():
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "draining\n"+store)
	case !s.started.Load():
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "starting\n"+store)
	default:
		io.WriteString(w, "ready\n"+store)
	}
}

// probeMethod sets the probes' headers and refuses every method but GET
// and HEAD (oauthhttp.ReadOnly).
func probeMethod(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	oauthhttp.APIHeaders(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return oauthhttp.ReadOnly(w, r)
}

// watchStore checks the store every storeCheckInterval until ctx ends.
func (s *Server) watchStore(ctx context.Context, ping func(context.Context) error) {
	t := time.NewTicker(s.checkEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.checkStore(ctx, ping)
		}
	}
}

// checkStore checks the store once, and logs when its state changes: the
// cause at warn when it cannot be reached (the process keeps running, and
// refreshes answer 503 until it can), a line at info when it is back.
func (s *Server) checkStore(ctx context.Context, ping func(context.Context) error) {
	cctx, cancel := context.WithTimeout(ctx, storeCheckTimeout)
	defer cancel()
	err := ping(cctx)
	if ctx.Err() != nil {
		return
	}
	now := int32(storeUp)
	if err != nil {
		now = storeDown
	}
	before := s.storeOK.Swap(now)
	s.metrics.StoreUp(err == nil)
	switch {
	case err != nil && before != storeDown:
		s.log.Warn("the store cannot be reached; refreshes and sign-outs answer 503 until it can", "err", err.Error())
	case err == nil && before == storeDown:
		s.log.Info("the store is reachable again")
	}
}

// SignalContext is the context Run serves under: it ends on the first
// SIGTERM or SIGINT, which starts the drain; a second one ends the process
// at once, as by default.
func SignalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, func() { signal.Reset(os.Interrupt, syscall.SIGTERM) })
	return ctx, stop
}
