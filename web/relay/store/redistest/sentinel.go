package redistest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Sentinel is a running Redis Sentinel (redis-server --sentinel, which is
// what Debian's redis-sentinel runs) that watches one master.
type Sentinel struct {
	// Addr is host:port on loopback.
	Addr string
	// Master is the name the sentinel knows the master by.
	Master string
}

// StartSentinel starts a sentinel on a free loopback port that monitors
// master under the name name (quorum 1), and stops it when t ends. Sentinel
// rewrites its configuration file, so it gets one of its own in a
// temporary folder.
func StartSentinel(t testing.TB, master *Server, name string) *Sentinel {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(master.Addr)
	for range 5 { // a free port may be taken between finding and binding it
		addr, err := freePort()
		if err != nil {
			continue
		}
		shost, sport, _ := net.SplitHostPort(addr)
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		text := "bind " + shost + "\nport " + sport + "\ndir " + dir + "\nprotected-mode no\n" +
			"sentinel monitor " + name + " " + host + " " + port + " 1\n" +
			"sentinel down-after-milliseconds " + name + " 5000\n"
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		out := &bytes.Buffer{}
		cmd := exec.Command(bin, conf, "--sentinel", "--loglevel", "warning")
		cmd.Stdout, cmd.Stderr = out, out
		dieWithParent(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		stop := func() {
			cmd.Process.Signal(os.Interrupt)
			select {
			case <-done:
			case <-time.After(startTimeout):
				cmd.Process.Kill()
				<-done
			}
		}
		deadline := time.Now().Add(startTimeout)
		for !ping(addr) {
			select {
			case <-done:
				t.Logf("redis-server --sentinel on %s did not start: %s", addr, out)
			default:
			}
			if isDone(done) || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if ping(addr) {
			t.Cleanup(stop)
			return &Sentinel{Addr: addr, Master: name}
		}
		stop()
	}
	t.Fatal("redistest: a sentinel did not start")
	return nil
}

func isDone(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// URL is the sentinel's URL in go-redis' failover form, naming its master.
func (s *Sentinel) URL() string { return "redis://" + s.Addr + "?master_name=" + s.Master }
