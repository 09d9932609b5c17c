// Package redistest starts a throwaway redis-server for tests: Debian's
// redis-server (make deps-redis), on a free loopback port, without
// persistence (--save "" --appendonly no), never the system's Redis and
// never port 6379. The server is stopped when the test ends.
//
//	srv := redistest.Start(t)
//	cfg.Store, _ = redisstore.NewFromURL(srv.URL(), redisstore.Options{})
//	srv.Kill()    // Redis vanishes mid-test
//	srv.Restart() // and comes back, empty, on the same port
//	srv.Stall(7 * time.Second) // stops answering for a while (DEBUG SLEEP)
//
// Launch does the same outside a test (a benchmark's program), and Close
// stops it and removes its folder. REDIS_SERVER names another redis-server
// binary.
package redistest

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running (or stopped) redis-server.
type Server struct {
	// Addr is host:port on loopback; it stays the same across Restart.
	Addr string

	t   testing.TB // nil when Launched
	bin string
	dir string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *bytes.Buffer
}

// startTimeout bounds how long a start may take before the test fails.
const startTimeout = 10 * time.Second

// Start starts a redis-server for t and stops it when t ends. It fails t
// when redis-server is missing, with how to install it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	if err := s.first(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a redis-server as Start does, outside a test (a
// benchmark's program): bin, or when it is "" the one Start would use. The
// caller ends it with Close.
func Launch(bin string) (*Server, error) {
	if bin == "" {
		var err error
		if bin, err = binary(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "redistest")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir}
	if err := s.first(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// Close stops a Launched server and removes its folder.
func (s *Server) Close() {
	s.Stop()
	if s.t == nil {
		os.RemoveAll(s.dir)
	}
}

func binary() (string, error) {
	if bin := os.Getenv("REDIS_SERVER"); bin != "" {
		return bin, nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("redistest: these tests need Debian's redis-server: run `make deps-redis` (or `sudo apt-get install redis-server`), or set REDIS_SERVER=/path/to/redis-server")
	}
	return bin, nil
}

// first starts the server on a free port.
func (s *Server) first() error {
	var err error
	for range 5 { // a free port may be taken between finding and binding it
		if s.Addr, err = freePort(); err != nil {
			continue
		}
		if err = s.start(); err == nil {
			return nil
		}
	}
	return errors.New("redistest: " + err.Error())
}

// Pid is the running server's process id (a benchmark counts its CPU
// time), 0 when it is stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stall makes the server stop answering for d, as a Redis that is paused
// or swapping would (DEBUG SLEEP), and returns once it answers again.
func (s *Server) Stall(d time.Duration) error {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(d + startTimeout))
	secs := strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	if _, err := c.Write([]byte("DEBUG SLEEP " + secs + "\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+OK\r\n" {
		return errors.New("redistest: DEBUG SLEEP answered " + line)
	}
	return nil
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Stop ends the server with SIGTERM and waits for it. Stopping a stopped
// server does nothing.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Restart starts the server again on the same port, empty (it keeps
// nothing on disk), stopping it first if it runs. A failure fails the test
// (panics, for a Launched server).
func (s *Server) Restart() {
	s.Stop()
	if err := s.start(); err != nil {
		if s.t == nil {
			panic("redistest: restart: " + err.Error())
		}
		s.t.Helper()
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(startTimeout):
		cmd.Process.Kill()
		<-done
	}
}

func (s *Server) start() error {
	host, port, _ := net.SplitHostPort(s.Addr)
	out := &bytes.Buffer{}
	cmd := exec.Command(s.bin,
		"--bind", host, "--port", port,
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no",
		"--protected-mode", "yes", "--loglevel", "warning",
		// DEBUG SLEEP stalls the server (Stall); from loopback only.
		"--enable-debug-command", "local")
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.Now().Add(startTimeout)
	for {
		if ping(s.Addr) {
			break
		}
		select {
		case <-done:
			return &startError{s.Addr, out.String()}
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return &startError{s.Addr, "no answer to PING within " + startTimeout.String()}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	s.cmd, s.done, s.out = cmd, done, out
	s.mu.Unlock()
	return nil
}

type startError struct{ addr, why string }

func (e *startError) Error() string {
	return "redis-server on " + e.addr + " did not start: " + e.why
}

// ping reports whether a Redis answers PING at addr.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// freePort returns a loopback address with a port that was free a moment
// ago, never 6379.
func freePort() (string, error) {
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		addr := ln.Addr().(*net.TCPAddr)
		ln.Close()
		if addr.Port != 6379 {
			return net.JoinHostPort("127.0.0.1", strconv.Itoa(addr.Port)), nil
		}
	}
}
