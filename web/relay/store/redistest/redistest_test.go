package redistest

import (
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if !ping(s.Addr) || s.Addr == "127.0.0.1:6379" {
		t.Fatalf("not answering at %s", s.Addr)
	}
	s.Kill()
	if ping(s.Addr) {
		t.Fatal("answering after Kill")
	}
	s.Restart()
	if !ping(s.Addr) {
		t.Fatal("not answering after Restart")
	}
	s.Stop()
	s.Stop() // twice: nothing
	l, err := Launch("")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !ping(l.Addr) || l.Addr == s.Addr {
		t.Fatalf("Launch: %s", l.Addr)
	}
}
