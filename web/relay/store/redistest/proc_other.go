//go:build !linux

package redistest

import "os/exec"

// dieWithParent does nothing here: only Linux has a parent-death signal,
// so a benchmark killed hard leaves its redis-server to be stopped by hand.
func dieWithParent(*exec.Cmd) {}
