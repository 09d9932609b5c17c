package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has Linux kill the redis-server if the benchmark dies
// before it can stop it.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
