// Package form reads and writes application/x-www-form-urlencoded data
// (the URL query and fragment syntax of RFC 6749 Appendix B) and splits
// absolute URLs. It stands in for net/url, which would add about 900 KB to
// the wasm module, and it rejects what OAuth must not accept silently:
// duplicated parameters (RFC 6749 §3.1) and malformed escapes.
package form

import (
	"errors"
	"strings"

	"gotoauth/pkce"
)

// Param is one name=value pair.
type Param struct{ Name, Value string }

// Values is an ordered list of parameters with unique names.
type Values []Param

// Get returns the value of name and whether it was present. Get and Has
// are not inlined: they are called in many places, and inlined they cost
// module size for no measurable speed.
//
//go:noinline
func (v Values) Get(name string) (string, bool) {
	for _, p := range v {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Has reports whether name is present.
//
//go:noinline
func (v Values) Has(name string) bool {
	_, ok := v.Get(name)
	return ok
}

// Errors returned by Parse.
var (
	ErrDuplicate = errors.New("parameter given more than once")
	ErrEscape    = errors.New("malformed percent-encoding")
	ErrControl   = errors.New("control character in parameter")
)

// ParseError says which parameter was wrong.
type ParseError struct {
	Name string
	Err  error
}

func (e *ParseError) Error() string { return e.Err.Error() + ": " + e.Name }
func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes s ("a=1&b=2", without a leading '?' or '#'). Empty pairs
// are skipped; a pair without '=' has an empty value. A name that occurs
// twice is an error, as is a bad escape or a decoded control character.
func Parse(s string) (Values, error) {
	if s == "" {
		return nil, nil
	}
	// One scan for raw control characters here; unescape then only checks
	// the bytes that escapes decode to.
	if hasControl(s) {
		return nil, &ParseError{Name: "(raw)", Err: ErrControl}
	}
	return parse(s)
}

// ParseURLPart is Parse for a query or fragment of a URL that SplitURL
// accepted, which has no raw control characters left to look for.
func ParseURLPart(s string) (Values, error) {
	if s == "" {
		return nil, nil
	}
	return parse(s)
}

// linearNames is how many parameters parse checks for a duplicated name by
// comparing with each earlier one. Redirects carry 2 to 8 parameters, where
// the scan is faster than hashing; past linearNames the names go into a map,
// so a long query costs time in proportion to its length, not its square.
const linearNames = 16

func parse(s string) (Values, error) {
	out, _, err := parseCounting(s)
	return out, err
}

// parseCounting is parse, also returning how many names the duplicate check
// compared or hashed, the measure the test of linear parsing bounds.
func parseCounting(s string) (Values, int, error) {
	out := make(Values, 0, 8)
	var seen map[string]struct{}
	probes := 0
	// Each pair ends at '&' or the end, and its name at its first '='.
	// strings.IndexByte scans in assembly, where a Go loop over bytes is
	// several times slower in wasm; unescape returns its input at once
	// when there is nothing to decode.
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], '&')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		if end > start {
			rawName, rawValue := s[start:end], ""
			if eq := strings.IndexByte(rawName, '='); eq >= 0 {
				rawName, rawValue = rawName[:eq], rawName[eq+1:]
			}
			name, err := unescape(rawName)
			if err != nil {
				return nil, probes, &ParseError{Name: truncate(rawName), Err: err}
			}
			value, err := unescape(rawValue)
			if err != nil {
				return nil, probes, &ParseError{Name: truncate(name), Err: err}
			}
			duplicate := false
			switch {
			case seen != nil:
				probes++
				_, duplicate = seen[name]
				seen[name] = struct{}{}
			case len(out) < linearNames:
				probes += len(out)
				for j := range out {
					if out[j].Name == name {
						duplicate = true
						break
					}
				}
			default:
				// Every pair left ends at an '&' or the end: that bounds
				// both the map and out.
				more := strings.Count(s[end:], "&") + 1
				seen = make(map[string]struct{}, len(out)+more)
				for _, p := range out {
					seen[p.Name] = struct{}{}
				}
				probes += len(out) + 1
				_, duplicate = seen[name]
				seen[name] = struct{}{}
				out = append(make(Values, 0, len(out)+more), out...)
			}
			if duplicate {
				return nil, probes, &ParseError{Name: truncate(name), Err: ErrDuplicate}
			}
			out = append(out, Param{name, value})
		}
		start = end + 1
	}
	return out, probes, nil
}

// unescape decodes percent-escapes and '+' as a space, for text already
// checked for raw control characters. A decoded control character (below
// 0x20, and 0x7f) is refused: no OAuth parameter carries one, and they are
// how header and log injection starts.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", ErrEscape
			}
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if d < 0x20 || d == 0x7f {
				return "", ErrControl
			}
			b = append(b, d)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// escape percent-encodes every byte outside RFC 3986's unreserved set, so a
// space becomes %20 as in GoTo's examples.
func escape(s string) string {
	for i := 0; i < len(s); i++ {
		if !isUnreserved[s[i]] {
			return string(appendEscaped(make([]byte, 0, len(s)+16), s))
		}
	}
	return s
}

// appendEscaped appends escape(s) to dst.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; isUnreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// Encode writes the parameters in order as name=value pairs.
func (v Values) Encode() string {
	return string(v.AppendEncoded(nil))
}

// AppendEncoded appends Encode's text to dst.
func (v Values) AppendEncoded(dst []byte) []byte {
	if dst == nil {
		n := 0
		for _, p := range v {
			n += len(p.Name) + len(p.Value) + 2
		}
		dst = make([]byte, 0, n+n/4)
	}
	for i, p := range v {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendEscaped(dst, p.Name)
		dst = append(dst, '=')
		dst = appendEscaped(dst, p.Value)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

// Unreserved reports whether s is made only of RFC 3986's unreserved
// characters, the set state values and PKCE verifiers use.
func Unreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isUnreserved[s[i]] {
			return false
		}
	}
	return true
}

// isUnreserved is RFC 3986 §2.3's unreserved set (pkce.Unreserved), as a
// table.
var isUnreserved = func() (t [256]bool) {
	for c := range 256 {
		t[c] = pkce.Unreserved(byte(c))
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
