package deploy

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gotoauth/web/relay/relayenv"
)

// buildRelay builds the relay's binary as `make relay` does, once per test
// run, and copies it into dir.
func buildRelay(t *testing.T, dir string) string {
	t.Helper()
	built.Do(func() {
		tmp, err := os.MkdirTemp("", "gotoauth-relay-build")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(tmp, "gotoauth-relay")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.defaultDir=", "-o", built.bin, "serve.go")
		cmd.Dir = "../../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	b, err := os.ReadFile(built.bin)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gotoauth-relay")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

var built struct {
	sync.Once
	bin string
	err error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

// The systemd unit: hardened, secrets through LoadCredential= into the
// variables' _FILE forms, and valid for systemd-analyze verify.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("gotoauth-relay.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "LoadCredential=", "CapabilityBoundingSet=\n", "-relay"} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	// Every secret it hands over is a secret's _FILE form, from %d, and
	// no secret is given in the environment itself.
	files := regexp.MustCompile(`(?m)^Environment=([A-Z_]+)_FILE=%d/`).FindAllStringSubmatch(unit, -1)
	if len(files) < 3 {
		t.Errorf("%d secrets as files", len(files))
	}
	for _, m := range files {
		if !slices.Contains(relayenv.Secrets, m[1]) {
			t.Errorf("%s_FILE is not a secret's _FILE form", m[1])
		}
	}
	for _, s := range relayenv.Secrets {
		if strings.Contains(unit, "Environment="+s+"=") {
			t.Errorf("the unit sets %s in the environment", s)
		}
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze (Debian's systemd, which `make test` installs) is not on PATH: the unit cannot be verified")
	}
	dir := t.TempDir()
	bin := buildRelay(t, dir)
	local := strings.ReplaceAll(unit, "/usr/local/bin/gotoauth-relay", bin)
	path := filepath.Join(dir, "gotoauth-relay.service")
	os.WriteFile(path, []byte(local), 0o644)
	if out, err := exec.Command(sa, "verify", path).CombinedOutput(); err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// The Containerfile: FROM scratch, a non-root user, the binary and
// nothing else; built with podman or buildah (a FROM scratch image needs
// no registry).
func TestContainerfile(t *testing.T) {
	f, err := os.Open("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var instructions []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			instructions = append(instructions, line)
		}
	}
	if len(instructions) == 0 || instructions[0] != "FROM scratch" {
		t.Fatalf("not FROM scratch: %q", instructions)
	}
	for _, in := range instructions {
		op := strings.Fields(in)[0]
		switch op {
		case "COPY":
			if in != "COPY bin/gotoauth-relay /gotoauth-relay" {
				t.Errorf("copies something else: %s", in)
			}
		case "USER":
			if u := strings.Fields(in)[1]; strings.HasPrefix(u, "0") || strings.HasPrefix(u, "root") {
				t.Errorf("runs as root: %s", in)
			}
		case "FROM", "EXPOSE", "STOPSIGNAL", "ENTRYPOINT":
		default:
			t.Errorf("unexpected instruction: %s", in)
		}
	}
	var tool string
	for _, name := range []string{"podman", "buildah"} {
		if p, err := exec.LookPath(name); err == nil {
			tool = p
			break
		}
	}
	if tool == "" {
		t.Fatal("neither podman nor buildah (Debian's podman, which `make test` installs) is on PATH: the image cannot be built")
	}
	ctx := t.TempDir()
	os.Mkdir(filepath.Join(ctx, "bin"), 0o755)
	buildRelay(t, filepath.Join(ctx, "bin"))
	b, _ := os.ReadFile("Containerfile")
	os.WriteFile(filepath.Join(ctx, "Containerfile"), b, 0o644)
	var id [6]byte
	rand.Read(id[:])
	tag := "localhost/gotoauth-relay-test:" + hex.EncodeToString(id[:])
	args := []string{"build", "-f", filepath.Join(ctx, "Containerfile"), "-t", tag, ctx}
	if filepath.Base(tool) == "buildah" {
		args[0] = "bud"
	}
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s build: %v\n%s", tool, err, out)
	}
	defer exec.Command(tool, "rmi", tag).Run()
	inspect := exec.Command(tool, "inspect", "--format", "{{.Config.User}}", tag)
	if filepath.Base(tool) == "buildah" {
		inspect = exec.Command(tool, "inspect", "--format", "{{.OCIv1.Config.User}}", tag)
	}
	out, err := inspect.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "65532:65532" {
		t.Fatalf("the image's user: %q %v", out, err)
	}
}

// The binary `make relay` builds serves the relay alone: with -relay and
// no other flag, the probes and the relay answer, and neither the demo's
// files, nor its page configuration, nor the emulator.
func TestBinaryServesRelayAlone(t *testing.T) {
	bin := buildRelay(t, t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	key := make([]byte, 32)
	rand.Read(key)
	cmd := exec.Command(bin, "-relay", "-addr", addr, "-drain", "0")
	cmd.Dir = "../../.." // where a web/ folder is, which it must not serve
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GOTO_CLIENT_ID=id", "GOTO_CLIENT_SECRET=secret",
		"GOTOAUTH_COOKIE_KEY=" + base64.StdEncoding.EncodeToString(key)}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	base := "http://" + addr
	get := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(20 * time.Second)
	for get("/readyz") != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("not ready\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, path := range []string{"/", "/index.html", "/gotoauth.js", "/serve-config.json", "/goto/oauth/authorize"} {
		if code := get(path); code != 404 {
			t.Errorf("%s: %d", path, code)
		}
	}
	r, _ := http.NewRequest("OPTIONS", base+"/relay/token", nil)
	r.Header.Set("Origin", base)
	r.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != base {
		t.Errorf("the relay's preflight: %d %v", resp.StatusCode, resp.Header)
	}
}
