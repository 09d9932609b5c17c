// Command serve serves gotoauth's web folder, with the local GoTo emulator
// for the demo and the browser tests, and hosts the token relay:
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir web] [-emulator] [-relay] [-relay-path /relay/] [-allow-origin http://127.0.0.1:5173 ...]
//
// It only composes packages, each of which documents its part:
//   - the assets of -dir (web/static), and at /serve-config.json how a page
//     served here signs in (emulator.PageConfig);
//   - with -emulator, the GoTo emulator under /goto/ (web/emulator);
//   - with -relay, the token relay under -relay-path (web/relay), configured
//     from the environment (relay.ConfigFromEnv), never from flags, which ps
//     shows; with -emulator and no GOTO_ variable set, its client is the
//     emulator's demo client, at the emulator on this server;
//   - /healthz for load balancers (relay.Health).
//
// The emulator and the relay answer pages of this server's own origins
// (oauthhttp.ListenOrigins) and of each -allow-origin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gotoauth/web/emulator"
	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay"
	"gotoauth/web/static"
)

// config is what serve is told: its flags, and the environment.
type config struct {
	Addr, Dir       string
	Emulator, Relay bool
	RelayPath       string
	AllowOrigins    oauthhttp.OriginList
	Getenv          func(string) string
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		os.Exit(2)
	}
	cfg.Getenv = os.Getenv
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		log.Fatal(err)
	}
	defer root.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Fatal(err)
	}
	h, err := newHandler(cfg, root, ln.Addr().(*net.TCPAddr).AddrPort(), os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("serving %s at http://%s/\n", cfg.Dir, ln.Addr())
	if err := run(ln, h); err != nil {
		log.Fatal(err)
	}
}

// parseFlags reads the command line; it writes why it refuses one to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen `address`; without a host, every interface")
	fs.StringVar(&cfg.Dir, "dir", "web", "folder of web assets")
	fs.BoolVar(&cfg.Emulator, "emulator", false, "mount the GoTo OAuth emulator under "+emulator.Mount+"/")
	fs.BoolVar(&cfg.Relay, "relay", false, "mount the token relay under -relay-path; its GoTo client comes from GOTO_CLIENT_ID and GOTO_CLIENT_SECRET (with -emulator and neither set, the emulator's)")
	fs.StringVar(&cfg.RelayPath, "relay-path", relay.Path, "the `folder` the relay is mounted under, such as /auth/relay/; the refresh cookie's Path")
	fs.Var(&cfg.AllowOrigins, "allow-origin", "an `origin` (scheme://host[:port]) whose pages may call the emulator and the relay, besides this server's; repeatable")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	err := checkFlags(cfg)
	if err != nil {
		fmt.Fprintln(out, err)
	}
	return cfg, err
}

// checkFlags refuses flags that cannot go together.
func checkFlags(cfg config) error {
	if err := relay.CheckPath(cfg.RelayPath); err != nil {
		return errors.New("-relay-path: " + err.Error())
	}
	switch {
	case cfg.RelayPath == "/":
		return errors.New("-relay-path: the relay cannot take / here, where the assets are served; name a folder such as /auth/relay/")
	case strings.HasPrefix(cfg.RelayPath, emulator.Mount+"/"):
		return fmt.Errorf("-relay-path: %q is inside the emulator's %s/", cfg.RelayPath, emulator.Mount)
	case len(cfg.AllowOrigins) > 0 && !cfg.Emulator && !cfg.Relay:
		return errors.New("-allow-origin needs -emulator or -relay: it adds origins to their CORS lists")
	}
	return nil
}

// newHandler composes the server cfg describes, serving root, bound to
// bound; it says on out what the relay talks to.
func newHandler(cfg config, root *os.Root, bound netip.AddrPort, out io.Writer) (http.Handler, error) {
	allowed := append(oauthhttp.ListenOrigins(cfg.Addr, int(bound.Port())), cfg.AllowOrigins...)
	// The page signs in at the emulator when there is one and the relay, if
	// any, uses its client; otherwise at GoTo.
	emulated := cfg.Emulator && cfg.Relay &&
		cfg.Getenv(relay.EnvClientID)+cfg.Getenv(relay.EnvClientSecret)+cfg.Getenv(relay.EnvTokenEndpoint) == ""
	var page emulator.PageConfig
	if cfg.Emulator && (!cfg.Relay || emulated) {
		page = emulator.Page("")
	}
	var mounts []mount
	if cfg.Emulator {
		emu := emulator.New(emulator.Config{AllowedOrigins: allowed})
		mounts = append(mounts, mount{emulator.Mount + "/", http.StripPrefix(emulator.Mount, emu)})
	}
	var rl *relay.Relay
	if cfg.Relay {
		getenv := cfg.Getenv
		if emulated { // the relay's client is the page's: the emulator's demo client
			demo := map[string]string{relay.EnvClientID: emulator.DemoClientID, relay.EnvClientSecret: emulator.DemoClientSecret}
			getenv = func(k string) string {
				if v, ok := demo[k]; ok {
					return v
				}
				return cfg.Getenv(k)
			}
		}
		rc, err := relay.ConfigFromEnv(getenv)
		if err != nil {
			return nil, errors.New("-relay: " + err.Error())
		}
		if emulated {
			at := emulator.URL(bound)
			rc.TokenEndpoint = at + emulator.TokenPath
			if rc.RevocationEndpoint == "" {
				rc.RevocationEndpoint = at + emulator.RevocationPath
			}
		}
		rc.AllowedOrigins, rc.Path = allowed, cfg.RelayPath
		if rl, err = relay.New(rc); err != nil {
			return nil, errors.New("-relay: " + err.Error())
		}
		page.Relay, page.ClientID = cfg.RelayPath, rc.ClientID
		mounts = append(mounts, mount{cfg.RelayPath, rl})
		state := "in this process"
		if rc.Store != nil {
			state = "in Redis (" + relay.EnvRedisURL + ")"
		}
		fmt.Fprintf(out, "relay for GoTo client %s at %s, mounted at %s, its state %s\n", rc.ClientID, rc.TokenEndpoint, cfg.RelayPath, state)
	}
	mounts = append(mounts, mount{relay.HealthPath, relay.Health(rl)})
	files := static.New(root)
	files.Handle(emulator.PageConfigPath, page.Handler())
	return route(mounts, files), nil
}

// mount is a handler for a folder (a path ending in /) and everything in
// it, or for exactly one path.
type mount struct {
	path string
	h    http.Handler
}

// route sends a request to the first mount that holds its path, else to
// files. It is not http.ServeMux, whose path cleaning would turn traversal
// attempts into redirects instead of refusals.
func route(mounts []mount, files http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range mounts {
			if r.URL.Path == m.path || strings.HasSuffix(m.path, "/") && strings.HasPrefix(r.URL.Path, m.path) {
				m.h.ServeHTTP(w, r)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// run serves h on ln until SIGINT or SIGTERM, then stops taking requests
// and lets those under way finish, for at most five seconds.
func run(ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
