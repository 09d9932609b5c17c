package main

import (
	"encoding/base64"
	"io"
	"log"
	"net/http"

	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/relayserver"
)

// newRelay makes one relay instance configured as an operator would, from
// the environment (relayenv.Load): the stub as GoTo's token endpoint,
// the configuration's shared cookie key, and GOTOAUTH_REDIS_URL when
// redisURL is not "" (the Redis store, one client per instance as one
// process each would have), else the in-process memory. The benchmark adds
// its page's origin and a pool of connections to the stub like the floor's.
// It returns the instance and what closes it.
//
// With ops, the instance runs as the relay's server runs it: ops gives the
// relay its metrics and log (relayserver.Server.Configure), and the
// handler returned is ops' (probes, one log line and the metrics per
// request) around the mounted relay.
func newRelay(stub string, key []byte, redisURL string, conns int, logger *log.Logger, ops *relayserver.Server) (http.Handler, func(), error) {
	env := map[string]string{
		relay.EnvClientID:      "bench-client",
		relay.EnvClientSecret:  "bench-secret",
		relay.EnvTokenEndpoint: stub + "/oauth/token",
		relay.EnvCookieKey:     base64.StdEncoding.EncodeToString(key),
		relay.EnvRedisURL:      redisURL,
	}
	loaded, err := relayenv.Load(relayenv.Env{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		return nil, nil, err
	}
	cfg := loaded.Relay
	cfg.AllowedOrigins = []string{origin}
	cfg.Logger = logger
	cfg.HTTPClient = &http.Client{Transport: newTransport(conns)}
	closeStore := func() {}
	if c, ok := cfg.Store.(io.Closer); ok {
		closeStore = func() { c.Close() }
	}
	if ops != nil {
		ops.Configure(&cfg)
	}
	r, err := relay.New(cfg)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	if ops != nil {
		return ops.Handler(mountRelay(r), r), closeStore, nil
	}
	return mountRelay(r), closeStore, nil
}
