package relayenv

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
	"gotoauth/web/relay/store/redistest"
)

func redisEnv(t *testing.T, url string, extra ...string) map[string]string {
	m := map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: secret, relay.EnvCookieKey: randomKey(t), relay.EnvRedisURL: url}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// A Redis URL that cannot work is found by Ping, with its cause and
// without the password: a wrong password, TLS to a plain Redis, a Redis
// that is down.
func TestPing(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	if err := c.ConfigSet(ctx, "requirepass", "right-horse").Err(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		url, want string
	}{
		"right password": {"redis://:right-horse@" + srv.Addr + "/0", ""},
		"wrong password": {"redis://:wrong-horse@" + srv.Addr + "/0", "WRONGPASS"},
		"no password":    {"redis://" + srv.Addr + "/0", "NOAUTH"},
		"TLS to plain":   {"rediss://:right-horse@" + srv.Addr + "/0", "needs a Redis that serves TLS"},
	} {
		cfg, err := Load(envOf(redisEnv(t, tc.url), nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		err = cfg.Ping(ctx, 2*time.Second)
		cfg.Close()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), relay.EnvRedisURL)):
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "horse"):
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
	srv.Stop()
	cfg, _ := Load(envOf(redisEnv(t, "redis://:right-horse@"+srv.Addr+"/0"), nil))
	defer cfg.Close()
	if err := cfg.Ping(ctx, 2*time.Second); err == nil {
		t.Error("a Redis that is down answered")
	}
}

// GOTOAUTH_REDIS_URL in Sentinel's form, or with
// GOTOAUTH_REDIS_SENTINEL_MASTER: a real sentinel watching a real master,
// and refreshes through it land in the master.
func TestSentinel(t *testing.T) {
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master, "gotoauth")
	up := stubGoTo(t)
	ctx := context.Background()
	for name, env := range map[string]map[string]string{
		"failover URL":    redisEnv(t, sentinel.URL()),
		"master variable": redisEnv(t, "redis://"+sentinel.Addr, EnvRedisSentinelMaster, "gotoauth"),
	} {
		env[relay.EnvTokenEndpoint] = up.URL + "/token"
		cfg, err := Load(envOf(env, nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.RedisKind != "sentinel" {
			t.Errorf("%s: %s", name, cfg.RedisKind)
		}
		if err := cfg.Ping(ctx, 5*time.Second); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		const origin = "http://127.0.0.1:5173"
		rc := cfg.Relay
		rc.AllowedOrigins = []string{origin}
		rc.Logger = log.New(io.Discard, "", 0)
		rl, err := relay.New(rc)
		if err != nil {
			t.Fatal(err)
		}
		post := func(path, body, cookie string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", "/relay/"+path, strings.NewReader(body))
			r.Header.Set("Origin", origin)
			r.Header.Set(relayapi.Header, relayapi.HeaderValue)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if cookie != "" {
				r.Header.Set("Cookie", cookie)
			}
			w := httptest.NewRecorder()
			rl.ServeHTTP(w, r)
			return w
		}
		rec := post("token", url.Values{"code": {name}, "redirect_uri": {origin + "/"}}.Encode(), "")
		if rec.Code != 200 {
			t.Fatalf("%s: token: %d %s", name, rec.Code, rec.Body)
		}
		cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
		if rec := post("refresh", "", cookie); rec.Code != 200 {
			t.Fatalf("%s: refresh: %d %s", name, rec.Code, rec.Body)
		}
		cfg.Close()
	}
	// The refreshes' answers are in the master that the sentinel named.
	c := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer c.Close()
	keys, err := c.Keys(ctx, "gotoauth:relay:result:*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys in the master: %v %v", keys, err)
	}
}

// stubGoTo is a token endpoint that issues a token for any code, with a
// refresh token of its own per code ("rt-" and the code), and refreshes any
// refresh token, keeping it.
func stubGoTo(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if code := r.PostForm.Get("code"); code != "" {
			fmt.Fprintf(w, `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":%q}`, "rt-"+code)
			return
		}
		io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":3600}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}
