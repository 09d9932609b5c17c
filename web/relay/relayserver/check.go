package relayserver

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
)

// checkTimeout bounds CheckConfig's one connection to Redis.
const checkTimeout = 3 * time.Second

// CheckConfig checks what the relay would run with and writes a report to
// w: the configuration (relayenv.Config.Describe: secrets as set or unset,
// never their values), then every problem, not only the first. It reads
// the environment through env, lets complete add what the program sets
// (origins, path, and for the emulator its endpoints), builds the relay
// as the program would, and tries Redis once (TLS too, for rediss://). It
// reports whether the configuration is good: a program exits 0 or 1.
func CheckConfig(w io.Writer, env relayenv.Env, complete func(*relay.Config)) bool {
	var problems []string
	cfg, err := relayenv.Load(env)
	defer cfg.Close()
	if err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
		// Redis is tried all the same, and what the program sets (origins,
		// path) is checked with a stand-in client, for their problems to
		// be listed too.
		if err := cfg.Ping(context.Background(), checkTimeout); err != nil {
			problems = append(problems, err.Error())
		}
		rc := relay.Config{ClientID: "check", ClientSecret: "check", CookieKey: make([]byte, relay.KeySize)}
		if complete != nil {
			complete(&rc)
		}
		rc.TokenEndpoint, rc.RevocationEndpoint = "", ""
		rc.Logger = log.New(io.Discard, "", 0)
		if _, err := relay.New(rc); err != nil {
			problems = append(problems, err.Error())
		}
	} else {
		cfg.Describe(w)
		rc := cfg.Relay
		if complete != nil {
			complete(&rc)
		}
		rc.Logger = log.New(io.Discard, "", 0)
		if len(rc.CookieKey) == 0 {
			fmt.Fprintln(w, "note: without "+relay.EnvCookieKey+", each start signs everyone out (a random key)")
		}
		if _, err := relay.New(rc); err != nil {
			problems = append(problems, err.Error())
		}
		if err := cfg.Ping(context.Background(), checkTimeout); err != nil {
			problems = append(problems, err.Error())
		} else if cfg.Redis != nil {
			fmt.Fprintln(w, "Redis: reachable")
		}
	}
	if len(problems) == 0 {
		fmt.Fprintln(w, "the configuration is good")
		return true
	}
	fmt.Fprintf(w, "%d problem(s):\n", len(problems))
	for _, p := range problems {
		fmt.Fprintln(w, "  - "+p)
	}
	return false
}
