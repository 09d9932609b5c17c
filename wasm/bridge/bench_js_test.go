//go:build js && wasm

package bridge

import (
	"testing"
	"time"

	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

const (
	benchCode   = "https://app.example/callback?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy"
	benchLegacy = "https://app.example/callback#access_token=eyJraWQiOiJvYXV0aHYyLmxt666&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy"
)

// The Go side of parseRedirect, without the boundary: parse and write.
func benchParseAndWrite(b *testing.B, url string) {
	for b.Loop() {
		r, err := oauth.ParseRedirectClock(url, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		w := wire.NewWriter(512)
		w.Open('{').Key("ok")
		writeRedirect(w, r, nil)
		w.Close('}')
	}
}

func BenchmarkParseAndWriteCode(b *testing.B)   { benchParseAndWrite(b, benchCode) }
func BenchmarkParseAndWriteLegacy(b *testing.B) { benchParseAndWrite(b, benchLegacy) }
