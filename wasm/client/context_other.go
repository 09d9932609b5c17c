//go:build !js

package client

import (
	"context"
	"time"
)

// Context is context.Context. The js/wasm module uses the part of it the
// client needs instead (context_js.go), because the context package links
// about 30 KB of brotli-compressed module (time's formatting among it)
// into every page.
type Context = context.Context

// Background is context.Background.
func Background() Context { return context.Background() }

func withTimeout(parent Context, d time.Duration) (Context, func()) {
	return context.WithTimeout(parent, d)
}

// timedOut reports whether ctx ended at its deadline.
func timedOut(ctx Context) bool { return ctx.Err() == context.DeadlineExceeded }
