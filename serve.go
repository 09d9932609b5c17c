// Command serve hosts the token relay, alone (the binary `make relay`
// builds) or, for development, beside the page's assets and the local GoTo
// emulator:
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir web] [-emulator] [-relay] [-relay-path /relay/] [-allow-origin http://127.0.0.1:5173 ...]
//	    [-metrics-addr 127.0.0.1:9090] [-log-format text|json] [-log-level info] [-drain 5s] [-shutdown-timeout 35s] [-check-config]
//
// It only composes packages, each of which documents its part: the assets
// of -dir (web/static) with the page's /serve-config.json
// (emulator.PageConfig); the emulator (web/emulator); the relay
// (web/relay), configured from the environment (relayenv), with the
// emulator's demo client when -emulator is given and no GOTO_ client is
// set; and the server around them (relayserver: probes, metrics, logs,
// drain, -check-config).
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"gotoauth/web/emulator"
	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/relayserver"
	"gotoauth/web/static"
)

// defaultDir is -dir's default: web, for development; `make relay` links
// the relay's binary with it empty (-X main.defaultDir=).
var defaultDir = "web"

// config is what serve is told: its flags, and the environment.
type config struct {
	Addr, Dir       string
	Emulator, Relay bool
	RelayPath       string
	AllowOrigins    oauthhttp.OriginList
	Server          *relayserver.Options
	Env             relayenv.Env
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		os.Exit(2)
	}
	cfg.Env = relayenv.OS
	srv, err := relayserver.New(*cfg.Server, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	relayenv.LogRedisTo(srv.Logger())
	if cfg.Server.CheckConfig {
		os.Exit(checkConfig(cfg, os.Stdout))
	}
	fail := func(err error) { srv.Logger().Error(err.Error()); os.Exit(1) }
	var root *os.Root
	if cfg.Dir != "" {
		if root, err = os.OpenRoot(cfg.Dir); err != nil {
			fail(err)
		}
		defer root.Close()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fail(err)
	}
	a, err := newHandler(cfg, srv, root, ln.Addr().(*net.TCPAddr).AddrPort())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer a.env.Close()
	ctx, stop := relayserver.SignalContext() // SIGTERM or SIGINT: drain, then stop
	defer stop()
	srv.Logger().Info("serving", "url", "http://"+ln.Addr().String()+"/", "dir", cfg.Dir)
	if err := srv.Run(ctx, ln, a.Handler, a.relay, a.env); err != nil {
		fail(err)
	}
}

// parseFlags reads the command line; it writes why it refuses one to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen `address`; without a host, every interface")
	fs.StringVar(&cfg.Dir, "dir", defaultDir, "`folder` of web assets; none when empty")
	fs.BoolVar(&cfg.Emulator, "emulator", false, "mount the GoTo OAuth emulator under "+emulator.Mount+"/")
	fs.BoolVar(&cfg.Relay, "relay", false, "mount the token relay under -relay-path; its GoTo client comes from GOTO_CLIENT_ID and GOTO_CLIENT_SECRET (with -emulator and neither set, the emulator's)")
	fs.StringVar(&cfg.RelayPath, "relay-path", relay.Path, "the `folder` the relay is mounted under, such as /auth/relay/; the refresh cookie's Path")
	fs.Var(&cfg.AllowOrigins, "allow-origin", "an `origin` (scheme://host[:port]) whose pages may call the emulator and the relay, besides this server's; repeatable")
	cfg.Server = relayserver.Flags(fs) // -metrics-addr -log-format -log-level -drain -shutdown-timeout -check-config
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

// checkConfig is -check-config: what the relay would run with, and every
// problem (relayserver.CheckConfig). It returns the exit code, 0 or 1.
func checkConfig(cfg config, out io.Writer) int {
	if !cfg.Relay {
		fmt.Fprintln(out, "no -relay: only the flags are checked, and they parse")
		return 0
	}
	env, _ := cfg.relayEnv()
	if relayserver.CheckConfig(out, env, func(c *relay.Config) {
		c.AllowedOrigins, c.Path = cfg.origins(0), cfg.RelayPath // nothing is bound: -addr's port
	}) {
		return 0
	}
	return 1
}

// origins are the page origins the emulator and the relay answer: this
// server's own on port (0: the port -addr names), and each -allow-origin.
func (cfg config) origins(port int) []string {
	return append(oauthhttp.ListenOrigins(cfg.Addr, port), cfg.AllowOrigins...)
}

// relayEnv is where the relay's configuration is read, and whether its
// client is the emulator's demo client: with -emulator, when the
// environment names no GoTo client, so that the page and the relay agree.
func (cfg config) relayEnv() (relayenv.Env, bool) {
	if !cfg.Emulator {
		return cfg.Env, false
	}
	return cfg.Env.WithDefaultClient(emulator.DemoClientID, emulator.DemoClientSecret)
}

// app is what newHandler composes: the handler, and the relay it mounts
// with the configuration it was made from (both nil without -relay).
type app struct {
	http.Handler
	relay *relay.Relay
	env   *relayenv.Config
}

// newHandler composes the server cfg describes, serving root (nil for no
// files), bound to bound, logging to srv's logger.
func newHandler(cfg config, srv *relayserver.Server, root *os.Root, bound netip.AddrPort) (app, error) {
	allowed := cfg.origins(int(bound.Port()))
	// The page signs in at the emulator when there is one and the relay, if
	// any, uses its client; otherwise at GoTo.
	env, emulated := cfg.relayEnv()
	var page emulator.PageConfig
	if cfg.Emulator && (!cfg.Relay || emulated) {
		page = emulator.Page("")
	}
	var a app
	var mounts []oauthhttp.Mount
	if cfg.Emulator {
		emu := emulator.New(emulator.Config{AllowedOrigins: allowed})
		mounts = append(mounts, oauthhttp.Mount{Path: emulator.Mount + "/", Handler: http.StripPrefix(emulator.Mount, emu)})
	}
	if cfg.Relay {
		loaded, err := relayenv.Load(env)
		if err != nil {
			loaded.Close()
			return app{}, errors.New("-relay: " + err.Error())
		}
		rc := loaded.Relay
		if emulated {
			var revocation string
			rc.TokenEndpoint, revocation = emulator.RelayEndpoints(bound)
			rc.RevocationEndpoint = cmp.Or(rc.RevocationEndpoint, revocation)
		}
		rc.AllowedOrigins, rc.Path = allowed, cfg.RelayPath
		srv.Configure(&rc) // metrics and logs
		rl, err := relay.New(rc)
		if err != nil {
			loaded.Close()
			return app{}, errors.New("-relay: " + err.Error())
		}
		a.relay, a.env = rl, &loaded
		page.Relay, page.ClientID = cfg.RelayPath, rc.ClientID
		mounts = append(mounts, oauthhttp.Mount{Path: cfg.RelayPath, Handler: rl})
		srv.Logger().Info("relay", "client_id", rc.ClientID, "token_endpoint", rc.TokenEndpoint, "path", cfg.RelayPath, "store", loaded.StoreName())
	}
	var files http.Handler = oauthhttp.NotFound
	if root != nil {
		s := static.New(root)
		s.Handle(emulator.PageConfigPath, page.Handler())
		files = s
	}
	a.Handler = oauthhttp.Route(files, mounts...)
	return a, nil
}
