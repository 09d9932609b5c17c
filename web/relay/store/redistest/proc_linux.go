package redistest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has Linux kill the redis-server if the benchmark dies
// (a test binary or a benchmark) before it can stop it.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
