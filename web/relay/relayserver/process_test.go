package relayserver

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
	"gotoauth/web/relay/store/redisstore"
	"gotoauth/web/relay/store/redistest"
)

// SIGTERM to a serve process (the repository's serve.go, built here) while
// a refresh is held by a slow GoTo: /readyz answers 503 during the drain,
// the refresh's answer reaches the page, the process exits 0, and the
// refresh lock is gone from Redis.
func TestSIGTERM(t *testing.T) {
	rs := redistest.Start(t)
	up := newStub(t)
	bin := filepath.Join(t.TempDir(), "serve")
	build := exec.Command("go", "build", "-o", bin, "serve.go")
	build.Dir = "../../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build serve.go: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out := &syncBuffer{}
	cmd := exec.Command(bin, "-addr", addr, "-dir", t.TempDir(), "-relay", "-allow-origin", origin,
		"-drain", "1s", "-shutdown-timeout", "20s", "-log-format", "json")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOTO_") && !strings.HasPrefix(kv, "GOTOAUTH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, relay.EnvClientID+"="+clientID, relay.EnvClientSecret+"="+clientSecret,
		relay.EnvTokenEndpoint+"="+up.srv.URL+"/token", relay.EnvRedisURL+"="+rs.URL(),
		relay.EnvCookieKey+"="+base64.StdEncoding.EncodeToString(key(t)))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	h := &harness{t: t, base: "http://" + addr, up: up}
	eventually(t, "serve listening", func() bool {
		resp, err := http.Get(h.base + ReadyzPath)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})

	cookie := h.signIn("code-term")
	up.hold()
	type answer struct {
		code int
		body string
	}
	got := make(chan answer, 1)
	go func() {
		r, _ := http.NewRequest("POST", h.base+relay.Path+"refresh", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set(relayapi.Header, relayapi.HeaderValue)
		r.Header.Set("Cookie", cookie)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			got <- answer{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, string(b)}
	}()
	eventually(t, "the refresh with GoTo", func() bool { return up.refreshs.Load() == 1 })
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer rdb.Close()
	locks := func() int {
		keys, err := rdb.Keys(context.Background(), redisstore.DefaultPrefix+"lock:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	if n := locks(); n != 1 {
		t.Fatalf("%d locks while GoTo is asked", n)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	eventually(t, "/readyz 503 during the drain", func() bool {
		resp, err := http.Get(h.base + ReadyzPath)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 503
	})
	up.release()
	select {
	case a := <-got:
		if a.code != 200 || !strings.Contains(a.body, "at2-rt-code-term") {
			t.Fatalf("the refresh in flight: %d %s\n%s", a.code, a.body, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no answer to the refresh in flight\n%s", out)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			t.Fatalf("exit: %v\n%s", err, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit\n%s", out)
	}
	exited <- nil // for the cleanup
	if n := locks(); n != 0 {
		t.Fatalf("%d locks left in Redis", n)
	}
	for _, want := range []string{`"msg":"draining`, `"msg":"stopped"`, `"source":"goto"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}
