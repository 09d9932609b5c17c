package emulator

import "testing"

func TestLoopbackURI(t *testing.T) {
	tests := []struct {
		s    string
		path bool
		ok   bool
	}{
		{"http://127.0.0.1/cb", true, true},
		{"http://127.0.0.1:8080/a/b?c=d", true, true},
		{"http://localhost:1/", true, true},
		{"http://[::1]:8080/cb", true, true},
		{"http://[::1]/cb", true, true},
		{"http://::1/cb", true, false},
		{"http://127.0.0.1:0/cb", true, false},
		{"http://127.0.0.1:08080/cb", true, false},
		{"http://127.0.0.1:/cb", true, false},
		{"HTTP://127.0.0.1/cb", true, false},
		{"http://127.0.0.2/cb", true, true},
		{"http://LOCALHOST/cb", true, true},
		{"http://127.000.0.1/cb", true, false},
		{"http://127.1/cb", true, false},
		{"http:127.0.0.1", true, false},
		{"//127.0.0.1/cb", true, false},
	}
	for _, tc := range tests {
		if got := isLoopbackURI(tc.s); got != tc.ok {
			t.Errorf("isLoopbackURI(%q) = %v", tc.s, got)
		}
	}
}
