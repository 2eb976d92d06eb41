package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real binary as a process: built once, on
// first use (config tests alone do not pay for the build), into a
// directory TestMain removes.
var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "matthan-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	if err := writeOpenAPIReport(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// binary returns the path of the matthan binary built from this package.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "matthan")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, ".")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Deadlines for waiting on processes: generous, because a race-enabled
// binary on a loaded CI machine is slow; they bound a failure, they do not
// pace the test.
const (
	startDeadline = 60 * time.Second
	stopDeadline  = 60 * time.Second
	cmdDeadline   = 5 * time.Minute
)

// childEnv is the environment of a child process: the test's own minus
// every MATTHAN_* variable (a developer's shell must not change what the
// test checks), plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MATTHAN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// syncBuffer is a bytes.Buffer safe to write from the exec goroutines
// while the test reads it.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // a token after each write, for waitFor
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{}, 1)
	}
	select {
	case s.written <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// waitFor waits until the buffer contains sub, or the deadline passes.
func (s *syncBuffer) waitFor(sub string, deadline time.Duration) bool {
	s.mu.Lock()
	if s.written == nil {
		s.written = make(chan struct{}, 1)
	}
	written := s.written
	s.mu.Unlock()
	timeout := time.After(deadline)
	for !strings.Contains(s.String(), sub) {
		select {
		case <-written:
		case <-timeout:
			return false
		}
	}
	return true
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a daemon started as a process.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited and been reaped
}

// startDaemon starts "matthan ARGS..." and waits for its "listening on"
// line. The process is killed at the end of the test if still running.
func startDaemon(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = childEnv(env...)
	p := &proc{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.stdout, line)
			if u, ok := strings.CutPrefix(line, "matthan listening on "); ok {
				select {
				case urls <- u:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait() // after every read of the pipe, as exec requires
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", strings.Join(args, " "), p.stderr.String())
		}
	})
	select {
	case p.URL = <-urls:
	case <-p.exited:
		t.Fatalf("matthan %s exited before listening (%v):\n%s", strings.Join(args, " "), cmd.ProcessState, p.stderr.String())
	case <-time.After(startDeadline):
		t.Fatalf("matthan %s did not print its listening line within %s:\n%s", strings.Join(args, " "), startDeadline, p.stderr.String())
	}
	return p
}

// stop sends sig and waits for the process to exit; it returns the exit
// code, or -1 when a signal ended the process.
func (p *proc) stop(sig syscall.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Fatal(err)
	}
	return p.wait()
}

// wait waits for the process to exit.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(stopDeadline):
		p.t.Fatalf("daemon did not exit within %s:\n%s", stopDeadline, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// runBinary runs a client command of the binary to completion.
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = childEnv(env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("matthan %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}
