package wire

import (
	"strconv"
	"unicode/utf8"
)

// Bounds of Parse, as RFC 8259 §9 allows. The caller bounds the length of
// the input; these bound what a short hostile input can make Parse build
// and how deep it recurses.
const (
	// MaxDepth is the deepest nesting of objects and arrays Parse accepts:
	// 32 containers open at once.
	MaxDepth = 32
	// MaxValues is the most values Parse accepts in one input, counting
	// every object, array, string, number, true, false and null, the
	// outermost included; object member names are not values.
	MaxValues = 100000
)

// reason is the type of the sentinel errors below; a string type keeps
// package errors out of wire.
type reason string

func (r reason) Error() string { return string(r) }

// The reasons Parse refuses an input, for errors.Is. ErrDuplicateKey,
// ErrDepth and ErrCount refuse inputs that are otherwise valid JSON.
var (
	ErrSyntax       error = reason("invalid JSON")               // RFC 8259 grammar violated
	ErrEnd          error = reason("unexpected end of JSON")     // input stops inside a value
	ErrNumber       error = reason("number out of range")        // overflows float64 (§6, §9)
	ErrDuplicateKey error = reason("duplicate key in object")    // RFC 8259 §4: names SHOULD be unique; here MUST
	ErrDepth        error = reason("JSON nested too deeply")     // more than MaxDepth
	ErrCount        error = reason("too many JSON values")       // more than MaxValues
	ErrNotObject    error = reason("JSON body is not an object") // from ParseObject only
)

// Error is a refusal by Parse: one of the Err values above and the byte
// offset in the input where it was found. Its message holds none of the
// input.
type Error struct {
	Off    int
	Reason error
}

func (e *Error) Error() string { return e.Reason.Error() + " at offset " + strconv.Itoa(e.Off) }

// Unwrap returns e.Reason.
func (e *Error) Unwrap() error { return e.Reason }

// Parse reads one JSON value (RFC 8259) from b into the types encoding/json
// would produce for an `any`: map[string]any, []any, string, float64, bool, nil.
//
// The grammar is RFC 8259's, strictly: exactly one value (§2) with optional
// white space (space, tab, LF, CR) around it, so a leading byte order mark
// is refused (§8.1 lets parsers ignore one; encoding/json does not either).
// Numbers (§6) follow the RFC's grammar and are converted with
// strconv.ParseFloat; one that overflows float64 is refused. Strings (§7)
// take every escape, with a UTF-16 surrogate pair as one character; as in
// encoding/json, a lone surrogate and each byte of invalid UTF-8 (§8.2)
// become U+FFFD. Raw control characters below U+0020 are refused.
//
// Beyond the RFC, an object that names a member twice is refused (§4 leaves
// it to the implementation, and an ambiguous token response must not be
// read one way here and another way elsewhere), as are nesting deeper than
// MaxDepth and more than MaxValues values. Parse takes time and memory
// linear in len(b). Its errors are *Error.
func Parse(b []byte) (any, error) {
	p := parser{b: b, left: MaxValues}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(b) {
		return nil, p.fail(ErrSyntax)
	}
	return v, nil
}

// ParseObject is Parse for a body that must be a JSON object (RFC 8259 §4).
func ParseObject(b []byte) (map[string]any, error) {
	p := parser{b: b}
	p.space()
	if p.i < len(b) && b[p.i] != '{' {
		return nil, p.fail(ErrNotObject)
	}
	v, err := Parse(b)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any) // a value that starts with '{' is one
	return m, nil
}

type parser struct {
	b     []byte
	i     int    // next byte to read
	depth int    // containers open
	left  int    // values still allowed
	buf   []byte // scratch for strings with escapes, reused
}

func (p *parser) fail(r error) error { return &Error{Off: p.i, Reason: r} }

// end is the error for running out of input at p.i.
func (p *parser) end() error { return p.fail(ErrEnd) }

// bad is the error for an unexpected byte at p.i, or for none.
func (p *parser) bad() error {
	if p.i >= len(p.b) {
		return p.end()
	}
	return p.fail(ErrSyntax)
}

// peek returns the byte at p.i, or -1 at the end of the input.
func (p *parser) peek() int {
	if p.i < len(p.b) {
		return int(p.b[p.i])
	}
	return -1
}

// space skips the white space of RFC 8259 §2.
func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads one value (RFC 8259 §3) starting at p.i, which is not white
// space.
func (p *parser) value() (any, error) {
	if p.i >= len(p.b) {
		return nil, p.end()
	}
	if p.left == 0 {
		return nil, p.fail(ErrCount)
	}
	p.left--
	switch c := p.b[p.i]; c {
	case '{':
		return p.object()
	case '[':
		return p.array()
	case '"':
		return p.str()
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return nil, p.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
		return nil, p.fail(ErrSyntax)
	}
}

// open checks the depth before descending into a container at p.i.
func (p *parser) open() error {
	if p.depth == MaxDepth {
		return p.fail(ErrDepth)
	}
	p.depth++
	p.i++
	p.space()
	return nil
}

// next reads what follows a member or element of a container: ',' (true)
// or the closing byte (false).
func (p *parser) next(closing byte) (bool, error) {
	p.space()
	switch p.peek() {
	case ',':
		p.i++
		p.space()
		return true, nil
	case int(closing):
		p.i++
		p.depth--
		return false, nil
	}
	return false, p.bad()
}

// object reads an object (RFC 8259 §4) whose '{' is at p.i.
func (p *parser) object() (any, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	m := map[string]any{}
	if p.peek() == '}' {
		p.i++
		p.depth--
		return m, nil
	}
	for {
		if p.peek() != '"' {
			return nil, p.bad()
		}
		at := p.i
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := m[k]; dup {
			return nil, &Error{Off: at, Reason: ErrDuplicateKey}
		}
		p.space()
		if p.peek() != ':' {
			return nil, p.bad()
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		more, err := p.next('}')
		if err != nil {
			return nil, err
		}
		if !more {
			return m, nil
		}
	}
}

// array reads an array (RFC 8259 §5) whose '[' is at p.i. Like
// encoding/json, an empty array is an empty slice, not nil.
func (p *parser) array() (any, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	a := []any{}
	if p.peek() == ']' {
		p.i++
		p.depth--
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		more, err := p.next(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return a, nil
		}
	}
}

// literal reads true, false or null (RFC 8259 §3) at p.i.
func (p *parser) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if p.peek() != int(word[j]) {
			return p.bad()
		}
		p.i++
	}
	return nil
}

// digits skips [0-9]* and reports whether there was at least one.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// digitsNeeded is digits for the places RFC 8259 §6 requires one.
func (p *parser) digitsNeeded() error {
	if p.digits() {
		return nil
	}
	return p.bad()
}

// number reads a number (RFC 8259 §6) at p.i:
// [ "-" ] ( "0" / [1-9] *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ].
func (p *parser) number() (any, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	if p.peek() == '0' {
		p.i++
	} else if err := p.digitsNeeded(); err != nil {
		return nil, err
	}
	if p.peek() == '.' {
		p.i++
		if err := p.digitsNeeded(); err != nil {
			return nil, err
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if err := p.digitsNeeded(); err != nil {
			return nil, err
		}
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		// The grammar is checked, so only a range error remains.
		return nil, &Error{Off: start, Reason: ErrNumber}
	}
	return f, nil
}

// str reads a string (RFC 8259 §7) whose opening quote is at p.i. Without
// escapes or invalid UTF-8 the result is one copy of the input bytes;
// otherwise it is built in p.buf, each input byte looked at once.
func (p *parser) str() (string, error) {
	p.i++
	start := p.i // input bytes from here to p.i go into the result as they are
	built := false
	buf := p.buf[:0]
	for {
		if p.i >= len(p.b) {
			return "", p.end()
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			var s string
			if built {
				buf = append(buf, p.b[start:p.i]...)
				s = string(buf)
				p.buf = buf
			} else {
				s = string(p.b[start:p.i])
			}
			p.i++
			return s, nil
		case c == '\\':
			buf = append(buf, p.b[start:p.i]...)
			built = true
			var err error
			if buf, err = p.escape(buf); err != nil {
				return "", err
			}
			start = p.i
		case c < 0x20:
			return "", p.fail(ErrSyntax)
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && size == 1 {
				// §8.2: invalid UTF-8 becomes U+FFFD, byte by byte, as in
				// encoding/json.
				buf = append(buf, p.b[start:p.i]...)
				buf = utf8.AppendRune(buf, utf8.RuneError)
				built = true
				start = p.i + 1
			}
			p.i += size
		}
	}
}

// escape appends the character of the escape whose '\\' is at p.i to buf
// and moves past it (RFC 8259 §7).
func (p *parser) escape(buf []byte) ([]byte, error) {
	p.i++
	if p.i >= len(p.b) {
		return buf, p.end()
	}
	c := p.b[p.i]
	switch c {
	case '"', '\\', '/':
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, err := p.hex4(p.i + 1)
		if err != nil {
			return buf, err
		}
		p.i += 5
		if r >= 0xD800 && r < 0xE000 {
			// A high surrogate followed by an escaped low one is one
			// character; any other surrogate is U+FFFD, and what follows
			// it is read on its own, as in encoding/json.
			if r < 0xDC00 && p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				if r2, err := p.hex4(p.i + 2); err == nil && r2 >= 0xDC00 && r2 < 0xE000 {
					p.i += 6
					return utf8.AppendRune(buf, 0x10000+(r-0xD800)<<10+(r2-0xDC00)), nil
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r), nil
	default:
		return buf, p.fail(ErrSyntax)
	}
	p.i++
	return append(buf, c), nil
}

// hex4 reads the four hex digits of a \u escape at b[at:].
func (p *parser) hex4(at int) (rune, error) {
	var r rune
	for j := at; j < at+4; j++ {
		if j >= len(p.b) {
			return 0, &Error{Off: len(p.b), Reason: ErrEnd}
		}
		c := p.b[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, &Error{Off: j, Reason: ErrSyntax}
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}
