package relay

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// Which cookie keys the instances hold, and what a cookie sealed with a
// key this instance lacks is answered.
//
// On a rolling key rotation, an instance already on the new key seals
// cookies that the instances not yet rolled cannot open. Answering them
// 401 would sign the user out for good (the page drops its mark), so every
// instance announces the ids of the keys it holds to the shared store
// (Store.AnnounceKeys, for keyAnnounceTTL, again every keyAnnounceEvery
// while it serves, and always before it seals a cookie), and an instance
// handed a cookie whose key id it lacks asks the store:
//
//   - announced: another instance holds the key, so the cookie is good
//     somewhere; the answer is relayapi.StatusRetry (503, Retry-After,
//     temporarily_unavailable), nothing is cleared or ended, and the log
//     names the key id this instance lacks. The page retries; the load
//     balancer, or this instance once rolled, answers it.
//   - not announced: no instance has held that key for keyAnnounceTTL
//     (it was retired, or the id was made up), so no instance will ever
//     open the cookie: 401, as for any cookie that does not open.
//
// A cookie that is not well-formed, or whose key id this instance holds
// but which does not open, is 401 at once (seal.go). So a forged key id
// gets its sender a retry only while some instance really holds that key
// and this one does not, that is for the length of a rollout, never
// forever; and it cannot touch anyone else's cookie. No operator step is
// needed for any of this: rotate in any order, and retire the old key
// (GOTOAUTH_COOKIE_OLD_KEYS) once no cookie needs it.
//
// One gap is left open on purpose: /token needs no store and seals its
// cookie even when the announcement before it failed (the store could not
// be reached). Until the announcement lands, keyAnnounceRetry later or at
// the next health check (Ready), an instance that lacks the new key and
// can reach the store answers such a cookie 401. Refusing the sign-in
// instead would lose a code GoTo has already redeemed.
const (
	keyAnnounceTTL   = 10 * time.Minute
	keyAnnounceEvery = time.Minute
	// keyAnnounceRetry spaces attempts while the store cannot be reached.
	keyAnnounceRetry = 5 * time.Second
)

// announcer announces this instance's key ids, at most every
// keyAnnounceEvery (keyAnnounceRetry after a failure).
type announcer struct {
	mu   sync.Mutex // held across the store's round trip: one at a time
	next time.Time
}

// announceKeys announces the key ids when due. It is called before a
// cookie is sealed, before a refresh goes to the store, and by Ready.
func (rl *Relay) announceKeys(ctx context.Context) error {
	a := &rl.announce
	a.mu.Lock()
	defer a.mu.Unlock()
	now := rl.now()
	if now.Before(a.next) {
		return nil
	}
	err := rl.store.AnnounceKeys(ctx, rl.seal.ids(), keyAnnounceTTL)
	if err != nil {
		a.next = now.Add(keyAnnounceRetry)
		return err
	}
	a.next = now.Add(keyAnnounceEvery)
	return nil
}

// retryMissingKey answers a well-formed cookie sealed with key id, which
// this instance lacks, when that is retryable: 503 when the store says an
// instance holds the key, or when the store cannot be asked. It returns
// why it answered ("key_missing" or "store_error", for the Observer), or
// "", having answered nothing, when no instance holds the key: the caller
// treats the cookie as one that does not open. what is "refresh" or
// "sign-out".
func (rl *Relay) retryMissingKey(w http.ResponseWriter, id, what string) string {
	known, err := rl.store.KeyAnnounced(context.Background(), id)
	switch {
	case err != nil:
		rl.log.Printf("relay: the store cannot be reached; %ss answer 503: %v", what, err)
		rl.unavailable(w, what)
		return "store_error"
	case !known:
		rl.keyLog.note(rl, "", "relay: a refresh cookie sealed with key "+id+", which no instance holds (retired, or made up): answered 401")
		return ""
	}
	rl.obs.Refused(RefusedKeyMissing) // observe.go
	rl.keyLog.note(rl, id, "relay: a refresh cookie sealed with key "+id+", which another instance holds and this one lacks: answered 503, retry; give this instance that key ("+EnvCookieKey+" or "+EnvOldCookieKeys+")")
	retryLater(w, "This relay instance does not hold the key the refresh cookie was sealed with (a key rotation under way); nothing was changed; retry shortly.")
	return RefusedKeyMissing
}

// keyLog logs each missing key id at most once a minute, and cookies of
// keys no instance holds at most once a minute in all: their ids are
// whatever a client sends.
type keyLog struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// maxLoggedKeys bounds keyLog: announced ids are few.
const maxLoggedKeys = 64

func (l *keyLog) note(rl *Relay, id, line string) {
	now := rl.now()
	l.mu.Lock()
	if l.last == nil {
		l.last = make(map[string]time.Time)
	}
	if at, ok := l.last[id]; ok && now.Sub(at) < time.Minute || len(l.last) >= maxLoggedKeys && !ok {
		l.mu.Unlock()
		return
	}
	l.last[id] = now
	l.mu.Unlock()
	rl.log.Print(line)
}

// answerUnopened answers /refresh for a cookie that did not open: 503 when
// it may open on another instance (retryMissingKey), else 401.
func (rl *Relay) answerUnopened(w http.ResponseWriter, err error) {
	var missing *missingKeyError
	if errors.As(err, &missing) && rl.retryMissingKey(w, missing.id, "refresh") != "" {
		return
	}
	oauthhttp.WriteError(w, relayapi.StatusReauthenticate, "invalid_grant", "The refresh cookie is not valid here: sign in again.")
}
