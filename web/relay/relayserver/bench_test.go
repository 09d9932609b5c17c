package relayserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
)

// BenchmarkHandler is what the server adds to a relay request: a refresh
// refused before GoTo (so that only the relay's checks and the server's
// wrapper run), with and without metrics and JSON logs.
func BenchmarkHandler(b *testing.B) {
	for _, ops := range []bool{false, true} {
		name := "plain"
		if ops {
			name = "ops"
		}
		b.Run(name, func(b *testing.B) {
			cfg := relay.Config{ClientID: clientID, ClientSecret: clientSecret, TokenEndpoint: "http://127.0.0.1:1/token",
				CookieKey: make([]byte, relay.KeySize), AllowedOrigins: []string{origin}}
			var h http.Handler
			rl, _ := relay.New(cfg)
			h = rl
			if ops {
				s, _ := New(Options{MetricsAddr: "127.0.0.1:0", LogFormat: "json"}, io.Discard)
				s.Configure(&cfg)
				rl, _ = relay.New(cfg)
				h = s.Handler(rl, rl)
			}
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("POST", "/relay/refresh", nil)
				r.Header.Set("Origin", origin)
				r.Header.Set(relayapi.Header, relayapi.HeaderValue)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
			}
		})
	}
}
