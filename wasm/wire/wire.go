// Package wire writes the JSON text that carries each result across the
// wasm boundary in one string: the JS loader turns it into an object with
// one JSON.parse, where building it property by property from Go would cost
// a boundary crossing per property. It is a small writer, not encoding/json,
// which would add about 400 KB to the module.
package wire

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The writer's small methods are marked //go:noinline: inlined at the
// hundreds of places that write results they cost about 7 KB of brotli
// module (12 KB with form's two; README, "Performance", has the one
// measurement) and gain no measurable speed.

// Writer builds one JSON value. Keys and values are written in call order;
// the caller keeps objects and arrays balanced.
type Writer struct {
	b     []byte
	comma bool // a value was written at this level, so the next needs a comma
}

// NewWriter returns a Writer with room for n bytes.
func NewWriter(n int) *Writer { return &Writer{b: make([]byte, 0, n)} }

// String returns the text written so far.
func (w *Writer) String() string { return string(w.b) }

//go:noinline
func (w *Writer) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

// Open starts an object ('{') or array ('[').
//
//go:noinline
func (w *Writer) Open(c byte) *Writer {
	w.sep()
	w.b = append(w.b, c)
	w.comma = false
	return w
}

// Close ends an object ('}') or array (']').
//
//go:noinline
func (w *Writer) Close(c byte) *Writer {
	w.b = append(w.b, c)
	w.comma = true
	return w
}

// Key writes an object key; the next call writes its value. Keys are the
// writer's callers' own names, plain ASCII with nothing to escape, so they
// are written as they are; keys from elsewhere go through Any.
//
//go:noinline
func (w *Writer) Key(k string) *Writer {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.comma = false
	return w
}

// quotedKey writes a key that may need escaping.
func (w *Writer) quotedKey(k string) *Writer {
	w.sep()
	w.quote(k)
	w.b = append(w.b, ':')
	w.comma = false
	return w
}

// Str writes a string value.
//
//go:noinline
func (w *Writer) Str(s string) *Writer {
	w.sep()
	w.quote(s)
	return w
}

// Int writes an integer value.
//
//go:noinline
func (w *Writer) Int(n int64) *Writer {
	w.sep()
	w.b = strconv.AppendInt(w.b, n, 10)
	return w
}

// Bool writes true or false.
func (w *Writer) Bool(v bool) *Writer {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	return w
}

// Null writes null.
//
//go:noinline
func (w *Writer) Null() *Writer {
	w.sep()
	w.b = append(w.b, "null"...)
	return w
}

// Field writes "k": "v".
//
//go:noinline
func (w *Writer) Field(k, v string) *Writer { return w.Key(k).Str(v) }

// OptField writes "k": "v" when v is not empty.
//
//go:noinline
func (w *Writer) OptField(k, v string) *Writer {
	if v != "" {
		w.Key(k).Str(v)
	}
	return w
}

// Strings writes an array of strings.
func (w *Writer) Strings(list []string) *Writer {
	w.Open('[')
	for _, s := range list {
		w.Str(s)
	}
	return w.Close(']')
}

// Any writes a value of the types Parse produces: nil, bool, float64,
// string, []any and map[string]any (keys sorted).
func (w *Writer) Any(v any) *Writer {
	switch x := v.(type) {
	case nil:
		return w.Null()
	case bool:
		return w.Bool(x)
	case string:
		return w.Str(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return w.Null()
		}
		w.sep()
		w.b = strconv.AppendFloat(w.b, x, 'g', -1, 64)
		return w
	case []any:
		w.Open('[')
		for _, item := range x {
			w.Any(item)
		}
		return w.Close(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		w.Open('{')
		for _, k := range keys {
			w.quotedKey(k).Any(x[k])
		}
		return w.Close('}')
	}
	return w.Null()
}

// sortStrings is an insertion sort: the objects Parse reads have few keys,
// and package sort's generic code would cost 20 KB of module.
func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

const hex = "0123456789abcdef"

// plain marks the bytes a JSON string can hold as they are: printable
// ASCII other than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// quote writes s as a JSON string (RFC 8259 §7). Invalid UTF-8 becomes
// U+FFFD, so the text always parses.
func (w *Writer) quote(s string) {
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			w.b = append(w.b, s[start:i]...)
			switch c {
			case '"', '\\':
				w.b = append(w.b, '\\', c)
			case '\n':
				w.b = append(w.b, '\\', 'n')
			case '\t':
				w.b = append(w.b, '\\', 't')
			case '\r':
				w.b = append(w.b, '\\', 'r')
			default:
				w.b = append(w.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.b = append(w.b, s[start:i]...)
			w.b = append(w.b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

// Bytes returns the text written so far, without copying.
func (w *Writer) Bytes() []byte { return w.b }
