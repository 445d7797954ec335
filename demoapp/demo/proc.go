package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process is one server of the stack, run in its own process group so that
// stopping it also stops anything it started.
type process struct {
	name string
	path string
	args []string
	// dir is the working directory.
	dir string
	// grace replaces stopGrace when set.
	grace time.Duration
	// log is the file the process's stdout and stderr go to.
	log string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait's result, valid once done is closed
}

// stopGrace is how long a stopped process may take to exit after SIGTERM
// before its process group is killed.
const stopGrace = 5 * time.Second

// start runs the process. It keeps running until stop is called or ctx is
// cancelled; either stops its whole process group.
func (p *process) start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Dir = p.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			terminate(cmd, done, p.graceTime())
		case <-done:
		}
	}()
	return nil
}

// stop terminates the process group and waits until the process has exited.
func (p *process) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	terminate(cmd, done, p.graceTime())
}

// kill kills the process group at once with SIGKILL, as a crash would, and
// waits until the process has exited.
func (p *process) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

func (p *process) graceTime() time.Duration {
	if p.grace > 0 {
		return p.grace
	}
	return stopGrace
}

// exited returns a channel closed once the process has exited and the
// error it exited with.
func (p *process) exited() (<-chan struct{}, func() error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err
	}
}

// terminate sends SIGTERM to the process group, then SIGKILL if it has not
// exited after grace, and waits for the exit.
func terminate(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	select {
	case <-done:
		return
	default:
	}
	pgid := cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		cmd.Process.Kill()
	}
	select {
	case <-done:
	case <-time.After(grace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	// Children that left the group's leader behind die with the group.
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// tail returns the last n bytes of a log file.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}
