package relayenv

import (
	"encoding/base64"
	"errors"
	"strconv"

	"gotoauth/web/relay"
)

// ParseKey decodes a cookie key given in the variable name: relay.KeySize
// bytes in base64, standard or URL alphabet, with or without padding, for
// example from `head -c 32 /dev/urandom | base64`. A key of another length
// or one that CheckKey refuses is an error that names the variable and
// says what it got, never the key.
func ParseKey(name, s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != relay.KeySize {
			return nil, errors.New(name + " decodes to " + strconv.Itoa(len(b)) + " bytes; it must be 32 random bytes (AES-256), in base64")
		}
		if why := CheckKey(b); why != "" {
			return nil, errors.New(name + " is not a random key: " + why + "; make one with `head -c 32 /dev/urandom | base64`")
		}
		return b, nil
	}
	return nil, errors.New(name + " is not base64; it must be 32 random bytes (AES-256), in base64")
}

// CheckKey says why a 32-byte key is visibly not random, or "". Whoever
// guesses the key opens every cookie and every sealed record and can seal
// new ones, so a key that someone typed or patterned is refused. Each test
// fails for 32 bytes from a CSPRNG with a probability far below 2^-40:
//
//   - one byte repeated, or a short pattern repeated (a period of at most
//     8 bytes);
//   - bytes that step by one constant (0, 1, 2, …);
//   - fewer than 16 distinct byte values (32 random bytes have about 30);
//   - printable ASCII only (a password or a phrase, not bytes: the chance
//     for random bytes is (95/256)^32, about 2^-46).
func CheckKey(b []byte) string {
	if len(b) == 0 {
		return "it is empty"
	}
	for p := 1; p <= 8 && p < len(b); p++ {
		repeats := true
		for i := p; i < len(b); i++ {
			if b[i] != b[i-p] {
				repeats = false
				break
			}
		}
		if repeats {
			if p == 1 {
				return "it is one byte repeated"
			}
			return "it is a pattern of " + strconv.Itoa(p) + " bytes repeated"
		}
	}
	if len(b) < 2 {
		return "it is too short"
	}
	step, stepping := b[1]-b[0], true
	for i := 2; i < len(b); i++ {
		if b[i]-b[i-1] != step {
			stepping = false
			break
		}
	}
	if stepping {
		return "its bytes count up or down by a constant step"
	}
	var seen [256]bool
	distinct := 0
	printable := true
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		if c < 0x20 || c > 0x7e {
			printable = false
		}
	}
	if distinct < 16 {
		return "it has only " + strconv.Itoa(distinct) + " distinct byte values"
	}
	if printable {
		return "it is printable text (a password or a phrase?), not random bytes"
	}
	return ""
}
