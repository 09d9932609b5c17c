package main

import (
	"errors"
	"net/http"

	"gotoauth/web/relay"
)

// errNoRedis is returned while the relay has no Redis store to select.
var errNoRedis = errors.New("the relay has no Redis store yet")

// newRelay makes one relay instance; redisURL selects the Redis store, ""
// the in-process memory. It returns the instance and what closes it.
func newRelay(cfg relay.Config, redisURL string) (http.Handler, func(), error) {
	if redisURL != "" {
		return nil, nil, errNoRedis
	}
	r, err := relay.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	return r, func() {}, nil
}
