package static

import (
	"strconv"
	"strings"
)

// codings are the content codings of precompressed siblings, in the
// server's order of preference, and suffixes their file name suffixes
// (`make build` writes both beside each large asset).
var (
	codings  = []string{"br", "gzip"}
	suffixes = map[string]string{"br": ".br", "gzip": ".gz"}
)

// negotiate returns the first of candidates (in server preference order)
// with the highest non-zero quality in an Accept-Encoding header
// (RFC 9110 §12.5.3), or "" for the identity.
func negotiate(header string, candidates []string) string {
	q := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		quality := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				quality = f
			}
		}
		q[coding] = quality
	}
	best, bestQ := "", 0.0
	for _, c := range candidates {
		v, ok := q[c]
		if !ok && c == "gzip" {
			v, ok = q["x-gzip"]
		}
		if !ok {
			v = q["*"]
		}
		if v > bestQ {
			best, bestQ = c, v
		}
	}
	return best
}
