package oauth

import (
	"strings"

	"gotoauth/wasm/limits"
)

// CheckClient is the one check of a client's id and secret, for the client
// (clientId), the relay's Config and its environment (GOTO_CLIENT_ID),
// which name the id idName in messages. The id is required; neither may be
// longer than limits.MaxParamLength or hold a control character; and with
// a secret, which goes with the id in HTTP Basic as GoTo's guides build
// it, the id may not hold ':' (RFC 7617 §2). Whether a secret is required
// is the caller's rule.
func CheckClient(id, secret, idName string) error {
	var why string
	switch {
	case id == "":
		why = " is required"
	case len(id) > limits.MaxParamLength || len(secret) > limits.MaxParamLength:
		why = " or its secret is longer than " + limits.Size(limits.MaxParamLength)
	case secret != "" && strings.IndexByte(id, ':') >= 0:
		why = " must not contain ':' when a secret is sent with HTTP Basic (RFC 7617 §2)"
	case HasControl(id) || HasControl(secret):
		why = " or its secret holds control characters (a stray newline?)"
	default:
		return nil
	}
	return Invalid(idName + why)
}

// HasControl reports whether s holds an ASCII control character, which no
// OAuth parameter gotoauth sends or takes may hold.
//
//go:noinline
func HasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
