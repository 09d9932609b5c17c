package redistest

import (
	"testing"
	"time"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if !ping(s.Addr) || s.Addr == "127.0.0.1:6379" {
		t.Fatalf("not answering at %s", s.Addr)
	}
	// Stall lasts at least what it was asked, and the server answers after.
	start := time.Now()
	if err := s.Stall(300 * time.Millisecond); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("Stall: %v after %v", err, time.Since(start))
	}
	if !ping(s.Addr) {
		t.Fatal("not answering after Stall")
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
