package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// redisServer is a private redis-server for the benchmark: on a free
// loopback port (never 6379, never the system's), nothing saved to disk,
// stopped when the benchmark ends, and killed with it if the benchmark dies.
type redisServer struct {
	addr string
	cmd  *exec.Cmd
	dir  string
	out  bytes.Buffer
	done chan struct{} // closed when the process has exited
}

// startRedis starts bin and waits until it answers PING.
func startRedis(bin string) (*redisServer, error) {
	var lastErr error
	for range 5 { // a free port may be taken between the probe and the start
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := tryRedis(bin, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func tryRedis(bin string, port int) (*redisServer, error) {
	dir, err := os.MkdirTemp("", "gotoauth-bench-redis-")
	if err != nil {
		return nil, err
	}
	s := &redisServer{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, done: make(chan struct{})}
	s.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w (run `make deps-redis`)", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if ping(s.addr) == nil {
			return s, nil
		}
		select {
		case <-s.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("redis-server on port %d exited: %s", port, bytes.TrimSpace(s.out.Bytes()))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING within 5 s", port)
		}
	}
}

// url is the server's address as GOTOAUTH_REDIS_URL takes it.
func (s *redisServer) url() string { return "redis://" + s.addr + "/0" }

// stop ends the server: SIGTERM, then SIGKILL after 5 seconds.
func (s *redisServer) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(s.dir)
}

// ping sends PING and wants +PONG, within a second.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return errors.New("redis answered PING with " + strconv.Quote(line))
	}
	return nil
}

// freePort returns a loopback port that was free a moment ago, other than
// Redis's default.
func freePort() (int, error) {
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port != 6379 {
			return port, nil
		}
	}
}
