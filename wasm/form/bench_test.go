package form

import (
	"strconv"
	"strings"
	"testing"
)

// A code redirect's query as GoTo's authorization endpoint sends it (RFC 6749
// §4.1.2), with the scope some servers echo.
const typicalQuery = "code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkjR2Hk9hx3uJq_Zp0Wm&scope=identity%3Ascim.me"

// The GoToConnect implicit-flow fragment, shaped as in GoTo's guide
// "Migrating from GoToConnect (auth.jive.com) to LogMeIn Authentication API":
// access_token, type, expires_in in ms, username, state.
const goToConnectFragment = "access_token=eyJraWQiOiJvYXV0aCIsImFsZyI6IlJTNTEyIn0.eyJzdWIiOiJ1In0.c2ln&type=bearer&expires_in=2592000000&username=jane.doe%40example.com&state=af0ifjsldkjR2Hk9hx3uJq_Zp0Wm"

// eightParams is an error redirect with every optional field, the upper end
// of what a redirect carries.
const eightParams = "error=access_denied&error_description=The+user+denied+access&error_uri=https%3A%2F%2Fexample.com%2Ferr&state=af0ifjsldkj&iss=https%3A%2F%2Fauthentication.logmeininc.com&session_state=x&scope=a+b&lang=en"

// manyParams is "k0=v&k1=v&…" with n distinct names.
func manyParams(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteByte('k')
		b.WriteString(strconv.Itoa(i))
		b.WriteString("=v")
	}
	return b.String()
}

func benchmarkParse(b *testing.B, s string) {
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTypicalRedirect(b *testing.B) { benchmarkParse(b, typicalQuery) }

func BenchmarkParseGoToConnectFragment(b *testing.B) { benchmarkParse(b, goToConnectFragment) }

func BenchmarkParseEightParams(b *testing.B) { benchmarkParse(b, eightParams) }

func BenchmarkParseManyParams(b *testing.B) { benchmarkParse(b, manyParams(6000)) }
