package oauth

import (
	"strings"
	"testing"
)

// web/gotoauth.d.ts documents each default: it must name this package's.
func TestDTSEndpointDefaults(t *testing.T) {
	dts := readRepoFile(t, "web/gotoauth.d.ts")
	for field, def := range map[string]string{
		"authorizeEndpoint": DefaultAuthorizeEndpoint,
		"tokenEndpoint":     DefaultTokenEndpoint,
		"meEndpoint":        DefaultMeEndpoint,
	} {
		if !strings.Contains(dts, "/** Default "+def+" */\n  "+field+"?: string;") {
			t.Errorf("web/gotoauth.d.ts does not document %s's default as %s", field, def)
		}
	}
}
