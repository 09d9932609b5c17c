//go:build js && wasm

package client

import (
	"errors"
	"sync"
	"time"
)

// Context is the part of context.Context the client uses. Natively it is
// context.Context itself (context_other.go); in the js/wasm module it is this
// subset, which any context.Context satisfies, because the context
// package links about 30 KB of brotli-compressed module (time's
// formatting among it) into every page.
type Context interface {
	// Done is closed when the work should stop; nil if it never is.
	Done() <-chan struct{}
	// Err is nil until Done is closed, then says why.
	Err() error
}

// Background is a Context that never ends.
func Background() Context { return background{} }

type background struct{}

func (background) Done() <-chan struct{} { return nil }
func (background) Err() error            { return nil }

// Why a timeoutCtx ended.
var (
	errDeadline = errors.New("deadline exceeded")
	errCanceled = errors.New("canceled")
)

// timeoutCtx ends at its deadline, when cancelled, or when its parent ends.
type timeoutCtx struct {
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	err  error
}

func (c *timeoutCtx) Done() <-chan struct{} { return c.done }

func (c *timeoutCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *timeoutCtx) end(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

func withTimeout(parent Context, d time.Duration) (Context, func()) {
	c := &timeoutCtx{done: make(chan struct{})}
	t := time.AfterFunc(d, func() { c.end(errDeadline) })
	if pd := parent.Done(); pd != nil {
		// Waits for the parent: the module's parents are Background, whose
		// Done is nil, so this runs only for callers with their own.
		go func() {
			<-pd
			c.end(parent.Err())
		}()
	}
	return c, func() {
		t.Stop()
		c.end(errCanceled)
	}
}

func timedOut(ctx Context) bool { return ctx.Err() == errDeadline }
