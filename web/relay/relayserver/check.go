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
	cfg, loadErr := relayenv.Load(env)
	defer cfg.Close()
	rc := cfg.Relay
	if loadErr != nil {
		problems = append(problems, strings.Split(loadErr.Error(), "\n")...)
		// What the program sets (origins, path) is checked all the same,
		// with a stand-in client, for its problems to be listed too; and
		// Redis is tried.
		rc = relay.Config{ClientID: "check", ClientSecret: "check", CookieKey: make([]byte, relay.KeySize)}
	} else {
		cfg.Describe(w)
	}
	if complete != nil {
		complete(&rc)
	}
	if loadErr != nil {
		rc.TokenEndpoint, rc.RevocationEndpoint = "", ""
	} else if len(rc.CookieKey) == 0 {
		fmt.Fprintln(w, "note: without "+relay.EnvCookieKey+", each start signs everyone out (a random key)")
	}
	rc.Logger = log.New(io.Discard, "", 0)
	if _, err := relay.New(rc); err != nil {
		problems = append(problems, err.Error())
	}
	if err := cfg.Ping(context.Background(), checkTimeout); err != nil {
		problems = append(problems, err.Error())
	} else if loadErr == nil && cfg.Redis != nil {
		fmt.Fprintln(w, "Redis: reachable")
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
