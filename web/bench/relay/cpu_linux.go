package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuKnown reports whether cpuTime measures anything here.
const cpuKnown = true

// cpuTime is the CPU time used so far by this process (every goroutine:
// the stub, the floor, the relays and the page's side) and by the process
// pid (the redis-server; none if 0), every thread of it.
func cpuTime(pid int) (self, other time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if pid > 0 {
		other = threadsCPU(pid)
	}
	return self, other
}

// threadsCPU sums the first field of /proc/PID/task/*/schedstat, each
// thread's time on a CPU in nanoseconds (finer than /proc/PID/stat's clock
// ticks, which would be too coarse for a few thousand Redis commands).
func threadsCPU(pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var t time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile(dir + "/" + task.Name() + "/schedstat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		t += time.Duration(ns)
	}
	return t
}
