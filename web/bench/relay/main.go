// Command relay is the token relay's part of `make bench`: refreshes per
// second and their p50 and p99 latency through the relay (web/relay), next
// to a floor, Go's httputil.ReverseProxy forwarding the same requests to
// the same stub GoTo token endpoint, all in one run on this machine.
//
// Every refresh carries a cookie of its own, minted beforehand through the
// relay's own /token, so that no refresh can be answered from the relay's
// memory: each one is a refresh that reaches GoTo, which the stub's count
// confirms. Configurations: the in-process memory store; the same with
// metrics and JSON logs on, as relayserver runs it (its cost: at most 5%
// of the throughput without them, paired by round); Redis with one
// relay instance; Redis with three instances sharing it, the requests sent
// round robin. The subjects take turns, in a rotated order each round: the
// machine may be shared, so each round compares a subject with the floor
// of the same round, and the medians over the rounds are reported. A stub reached directly, with no proxy at all,
// is measured beside them, so that the table can say what each proxy adds.
//
// Everything runs on loopback in this process (the stub, the floor, every
// relay instance, the page's side), except a private redis-server on a
// free port, started and stopped here. Request counts are bounded, every
// request is bounded in time, and the whole run is bounded by -timeout.
//
// It prints the table and the targets (issue "A relay you can deploy":
// memory ≥ 0.7× the floor's throughput, Redis ≥ 0.5×, the p99 a relay adds
// ≤ 2× what the floor adds) and writes the numbers as JSON to -out. Targets
// are reported, never asserted.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"gotoauth/web/relay"
	"gotoauth/web/relay/relayserver"
	"gotoauth/web/relay/store/redistest"
)

// subject is one thing measured: the stub direct, the floor, or a relay
// configuration.
type subject struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Instances int    `json:"instances"`
	relay     bool   // mints its cookies through its own /token
	redis     bool   // needs the redis-server
	ops       bool   // metrics and JSON logs on, as relayserver runs the relay

	urls    []string // POST targets, round robin
	cookies []string
	stops   []func()

	batches []batch
	// upstream is how many requests reached the stub during the measured
	// and warm-up batches; sent is how many the benchmark sent.
	upstream, sent int64
	skipped        string // why it was not run
}

func main() {
	requests := flag.Int("requests", 1000, "measured refreshes per subject per round")
	warmup := flag.Int("warmup", 100, "refreshes per subject per round before the measured ones")
	rounds := flag.Int("rounds", 10, "rounds; each subject's numbers are its medians over them")
	conc := flag.Int("concurrency", 8, "requests in flight at once")
	only := flag.String("only", "", "comma-separated subjects to run (direct,floor,memory,memory-ops,redis-1,redis-3); all by default")
	out := flag.String("out", "web/bench/relay-results.json", "where the results are written as JSON; empty for nowhere")
	redisBin := flag.String("redis-server", "redis-server", "the redis-server to start (a private one, on a free loopback port)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (stub, floor, relays and the page's side) to this file")
	timeout := flag.Duration("timeout", 5*time.Minute, "the whole run's bound")
	flag.Parse()
	if *requests < 1 || *warmup < 0 || *rounds < 1 || *conc < 1 || *requests > 1e6 || *rounds > 100 || *conc > 1024 {
		fatal(errors.New("-requests, -rounds and -concurrency must be positive, -warmup not negative, and all of them sane"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	subjects := allSubjects()
	if *only != "" {
		want := strings.Split(*only, ",")
		subjects = slices.DeleteFunc(subjects, func(s *subject) bool { return !slices.Contains(want, s.Name) })
		if len(subjects) == 0 {
			fatal(errors.New("-only names no subject"))
		}
	}
	opts := options{requests: *requests, warmup: *warmup, rounds: *rounds, conc: *conc, redisBin: *redisBin, cpuprofile: *cpuprofile, log: os.Stderr}
	rep, err := run(ctx, subjects, opts)
	if err != nil {
		fatal(err)
	}
	rep.print(os.Stdout)
	if *out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
}

// allSubjects is every configuration, in the table's order.
func allSubjects() []*subject {
	return []*subject{
		{Name: "direct", Label: "stub GoTo, direct (no proxy)", Instances: 1},
		{Name: "floor", Label: "floor: httputil.ReverseProxy", Instances: 1},
		{Name: "memory", Label: "relay, memory store", Instances: 1, relay: true},
		{Name: "memory-ops", Label: "relay, memory store, metrics and JSON logs on", Instances: 1, relay: true, ops: true},
		{Name: "redis-1", Label: "relay, Redis, 1 instance", Instances: 1, relay: true, redis: true},
		{Name: "redis-3", Label: "relay, Redis, 3 instances (round robin)", Instances: 3, relay: true, redis: true},
	}
}

// options are a run's bounds and tools.
type options struct {
	requests, warmup, rounds, conc int
	redisBin                       string // the redis-server to start
	cpuprofile                     string // where to write a CPU profile, if anywhere
	log                            io.Writer
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "relay bench:", err)
	os.Exit(1)
}

// run measures subjects and reports on them; subjects that could not be
// set up are reported as not run.
func run(ctx context.Context, subjects []*subject, opts options) (*results, error) {
	requests, warmup, rounds, conc := opts.requests, opts.warmup, opts.rounds, opts.conc
	progress := func(format string, a ...any) { fmt.Fprintf(opts.log, format+"\n", a...) }
	date := time.Now().UTC()
	stub := &stubGoTo{}
	stubSrv, err := serve(stub)
	if err != nil {
		return nil, err
	}
	defer stubSrv.stop()

	// The relays log only upstream failures, which the benchmark then
	// reports as failed requests anyway.
	logger := log.New(os.Stderr, "", 0)

	var rs *redistest.Server
	redisVersion := ""
	for _, s := range subjects {
		if s.redis && rs == nil {
			progress("starting a private redis-server…")
			if rs, err = redistest.Launch(opts.redisBin); err != nil {
				return nil, err
			}
			defer rs.Close()
			redisVersion = versionOf(opts.redisBin)
		}
	}

	perSubject := rounds * (warmup + requests)
	for _, s := range subjects {
		defer func() {
			for _, stop := range s.stops {
				stop()
			}
		}()
		switch {
		case s.Name == "direct":
			s.urls = []string{stubSrv.base + relay.Path + "refresh"}
		case s.Name == "floor":
			h, err := newFloor(stubSrv.base, conc)
			if err != nil {
				return nil, err
			}
			srv, err := serve(h)
			if err != nil {
				return nil, err
			}
			s.stops = append(s.stops, srv.stop)
			s.urls = []string{srv.base + relay.Path + "refresh"}
		default:
			key := make([]byte, relay.KeySize)
			rand.Read(key) // one key for the configuration's instances
			redisURL := ""
			if s.redis {
				redisURL = rs.URL()
			}
			var tokenURLs []string
			for range s.Instances {
				var ops *relayserver.Server
				if s.ops {
					// Metrics on (not scraped: a scrape costs the scraper),
					// and one JSON line per request, written to /dev/null.
					if ops, err = relayserver.New(relayserver.Options{MetricsAddr: "127.0.0.1:0", LogFormat: "json"}, devNull); err != nil {
						return nil, err
					}
				}
				h, closeRelay, err := newRelay(stubSrv.base, key, redisURL, conc, logger, ops)
				if err != nil {
					s.skipped = err.Error()
					break
				}
				srv, err := serve(h)
				if err != nil {
					return nil, err
				}
				s.stops = append(s.stops, srv.stop, closeRelay)
				s.urls = append(s.urls, srv.base+relay.Path+"refresh")
				tokenURLs = append(tokenURLs, srv.base+relay.Path+"token")
			}
			if s.skipped != "" {
				progress("%s: not run: %s", s.Name, s.skipped)
				continue
			}
			progress("%s: signing in %d times through the relay's /token…", s.Name, perSubject)
			c := newClient(conc)
			if s.cookies, err = mint(ctx, c, tokenURLs, s.Name, perSubject, conc); err != nil {
				return nil, fmt.Errorf("%s: minting cookies: %w", s.Name, err)
			}
			c.CloseIdleConnections()
		}
	}
	// The floor and the stub get the same requests: a relay's cookie, the
	// same one each time, since neither opens it.
	sample := strings.Repeat("c", 400)
	for _, s := range subjects {
		if s.relay && len(s.cookies) > 0 {
			sample = s.cookies[0]
			break
		}
	}
	for _, s := range subjects {
		if !s.relay {
			s.cookies = slices.Repeat([]string{sample}, perSubject)
		}
	}
	var active []*subject
	for _, s := range subjects {
		if s.skipped == "" {
			active = append(active, s)
		}
	}

	if opts.cpuprofile != "" {
		f, err := os.Create(opts.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}

	redisPid := 0 // the process beside this one whose CPU time counts
	if rs != nil {
		redisPid = rs.Pid()
	}
	loadBefore := loadAverage()
	clients := make(map[*subject]*http.Client)
	for _, s := range active {
		clients[s] = newClient(conc)
	}
	for r := range rounds {
		for i := range active {
			s := active[(r+i)%len(active)]
			cookies := s.cookies[r*(warmup+requests) : (r+1)*(warmup+requests)]
			before := s.stubCount(stub)
			if _, err := refreshes(ctx, clients[s], s.urls, cookies[:warmup], conc); err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			self, other := cpuTime(redisPid)
			b, err := refreshes(ctx, clients[s], s.urls, cookies[warmup:], conc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			self2, other2 := cpuTime(redisPid)
			b.cpu, b.redisCPU = self2-self, other2-other
			s.upstream += s.stubCount(stub) - before
			s.sent += int64(len(cookies))
			s.batches = append(s.batches, b)
			progress("round %d/%d %-8s %8.0f/s", r+1, rounds, s.Name, b.rate())
		}
	}
	for _, c := range clients {
		c.CloseIdleConnections()
	}

	rep := report(date, subjects, requests, warmup, rounds, conc, redisVersion)
	rep.LoadBefore, rep.LoadAfter = loadBefore, loadAverage()
	return rep, nil
}

// versionOf is "Redis 7.0.15" from `redis-server --version`.
func versionOf(bin string) string {
	out, _ := exec.Command(bin, "--version").Output()
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "v="); ok {
			return "Redis " + v
		}
	}
	return "Redis"
}

// stubCount is how many requests of s's kind the stub has answered.
func (s *subject) stubCount(stub *stubGoTo) int64 {
	_, refreshes, other := stub.calls()
	if s.relay {
		return refreshes
	}
	return other
}

// newClient is the page's side of one subject.
func newClient(conc int) *http.Client {
	return &http.Client{Transport: newTransport(conc), Timeout: requestTimeout}
}

// machine describes where the run happened.
func machine() (cpus int, model string) {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			model = strings.TrimSpace(v)
			break
		}
	}
	return runtime.NumCPU(), model
}

// devNull is where the ops configuration's log lines go: written, as to
// a real sink, and dropped.
var devNull = func() io.Writer {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return io.Discard
	}
	return f
}()
