package demo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the servers: with STACKC_DEMO_HELPER set it
// runs a helper instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("STACKC_DEMO_HELPER") {
	case "":
		os.Exit(m.Run())
	case "sleep":
		time.Sleep(time.Hour)
	case "inuse":
		// Fails like a server that lost the race for its port.
		os.Stderr.WriteString("listen tcp 127.0.0.1:9090: bind: address already in use\n")
		os.Exit(1)
	case "broken":
		os.Stderr.WriteString("bad config\n")
		os.Exit(1)
	case "stubborn":
		// Ignores SIGTERM, like a hung server.
		signal.Ignore(syscall.SIGTERM)
		os.WriteFile(os.Getenv("STACKC_DEMO_PIDFILE"), []byte(strconv.Itoa(os.Getpid())), 0o644)
		time.Sleep(time.Hour)
	case "parent":
		// Starts a grandchild in its own group-mate, then sleeps.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "STACKC_DEMO_HELPER=sleep")
		if err := child.Start(); err != nil {
			os.Exit(3)
		}
		os.WriteFile(os.Getenv("STACKC_DEMO_PIDFILE"), []byte(strconv.Itoa(child.Process.Pid)), 0o644)
		time.Sleep(time.Hour)
	}
	os.Exit(0)
}

func helper(t *testing.T, mode string) (*process, string) {
	t.Helper()
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pid")
	t.Setenv("STACKC_DEMO_HELPER", mode)
	t.Setenv("STACKC_DEMO_PIDFILE", pidfile)
	return &process{name: mode, path: os.Args[0], dir: dir, log: filepath.Join(dir, mode+".log")}, pidfile
}

func readPID(t *testing.T, pidfile string) int {
	t.Helper()
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(pidfile); err == nil && len(b) > 0 {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			if pid > 0 {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the helper did not write its pid")
	return 0
}

// gone reports whether pid no longer runs (a zombie counts as gone).
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command in parentheses: Z is a zombie.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func waitGone(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) still runs", what, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStopKillsTheProcessGroup(t *testing.T) {
	p, pidfile := helper(t, "parent")
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	grandchild := readPID(t, pidfile)
	p.stop()
	done, _ := p.exited()
	select {
	case <-done:
	default:
		t.Fatal("stop returned before the process exited")
	}
	waitGone(t, grandchild, "the server's child")
}

func TestCancelStopsTheProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, _ := helper(t, "sleep")
	if err := p.start(ctx); err != nil {
		t.Fatal(err)
	}
	pid := p.cmd.Process.Pid
	cancel()
	done, _ := p.exited()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the process outlived its context")
	}
	waitGone(t, pid, "the server")
}

func TestStopKillsAStubbornProcess(t *testing.T) {
	p, pidfile := helper(t, "stubborn")
	p.grace = 200 * time.Millisecond
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	readPID(t, pidfile) // SIGTERM is ignored from here on
	p.stop()
	_, exitErr := p.exited()
	var ee *exec.ExitError
	if err := exitErr(); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("exit %v, want killed by SIGKILL", err)
	}
}

func TestStartFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	p := &process{name: "missing", path: filepath.Join(dir, "no-such-binary"), dir: dir, log: filepath.Join(dir, "x.log")}
	if err := p.start(context.Background()); err == nil {
		t.Fatal("started a missing binary")
	}
	p.stop() // a no-op on a process that never started
}
