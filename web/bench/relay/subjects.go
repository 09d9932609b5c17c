package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"gotoauth/web/relay"
)

// server is one loopback HTTP server of the benchmark.
type server struct {
	base string // http://127.0.0.1:port
	srv  *http.Server
}

// serve serves h on a free loopback port.
func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go srv.Serve(ln)
	return &server{base: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (s *server) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
}

// mountRelay mounts h under the relay's folder as serve.go does.
func mountRelay(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(relay.Path, http.StripPrefix("/relay", h))
	return mux
}

// newFloor is the floor: Go's httputil.ReverseProxy sending every request
// under the relay's folder to the stub's token endpoint as it came, cookie
// and all, and GoTo's answer back as it came. It is what any relay must at
// least do, with no checks, no cookie and no memory.
func newFloor(stub string, conns int) (http.Handler, error) {
	target, err := url.Parse(stub + "/oauth/token")
	if err != nil {
		return nil, err
	}
	return mountRelay(&httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = target.Scheme, target.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath = target.Path, ""
			pr.Out.Host = ""
		},
		Transport: newTransport(conns),
		ErrorLog:  log.New(io.Discard, "", 0),
	}), nil
}
