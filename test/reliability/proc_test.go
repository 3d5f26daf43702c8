package reliability

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/sqlite"
)

var dispatcherBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dispatcher-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dispatcherBin = filepath.Join(dir, "dispatcher")
	build := exec.Command("go", "build", "-o", dispatcherBin, "github.com/dropship-operator/dropship-operator/cmd/dispatcher")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot build the dispatcher:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func full() bool { return os.Getenv("DROPSHIP_RELIABILITY_FULL") != "" }

// freePort returns a loopback address nobody listens on, kept for every restart so the
// simulators' callbacks find the dispatcher again.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// proc is one dispatcher subprocess.
type proc struct {
	cmd    *exec.Cmd
	done   chan error
	logs   *logTail
	killed error // the exit error after kill (a signal, as a rule)
}

// logTail keeps the last lines of the subprocess's log and counts "level":"ERROR" lines.
type logTail struct {
	mu     sync.Mutex
	lines  []string
	errors int
}

func (l *logTail) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > 200 {
		l.lines = l.lines[len(l.lines)-200:]
	}
	if strings.Contains(s, `"level":"ERROR"`) {
		l.errors++
	}
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// startDispatcher runs the binary with the env's config and waits until /readyz answers.
func startDispatcher(t *testing.T, env *apptest.Env, lease time.Duration) *proc {
	t.Helper()
	cmd := exec.Command(dispatcherBin, "--config", env.ConfigPath, "--owner", "reliability", "--lease", lease.String())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start dispatcher: %v", err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1), logs: &logTail{}}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.logs.add(sc.Text())
		}
		p.done <- cmd.Wait()
	}()
	c := apptest.NewClient(env.Config.Server.Listen)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, err := c.Get(context.Background(), "/readyz", nil); err == nil && status == 200 {
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("dispatcher exited before it was ready: %v\n%s", err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			p.kill()
			t.Fatalf("dispatcher not ready within 20s:\n%s", p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	p.killed = <-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("dispatcher did not exit cleanly after SIGTERM: %v\n%s", err, p.logs)
		}
	case <-time.After(40 * time.Second):
		p.kill()
		t.Errorf("dispatcher did not stop within 40s of SIGTERM")
	}
}

var lineMetric = regexp.MustCompile(`(?m)^dropship_lines\{state="([A-Za-z]+)"\} ([0-9.e+]+)$`)

// counts reads the journal's line counts from /metrics.
func counts(c *apptest.Client) (map[order.State]int64, error) {
	resp, err := c.HTTP.Get(c.BaseURL + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := bufio.NewReader(resp.Body).WriteTo(&b); err != nil {
		return nil, err
	}
	out := map[order.State]int64{}
	for _, m := range lineMetric.FindAllStringSubmatch(b.String(), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		out[order.State(m[1])] = int64(v)
	}
	return out, nil
}

// settled: every line is accepted (or further) or dead-lettered.
func settled(c map[order.State]int64, n int64) bool {
	done := c[order.StateAccepted] + c[order.StateRecorded] + c[order.StateShipped] + c[order.StateClosed] + c[order.StateDeadLettered]
	return done == n
}

// waitSettled polls /metrics until n lines are settled.
func waitSettled(t *testing.T, c *apptest.Client, n int64, within time.Duration) map[order.State]int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	var last map[order.State]int64
	for time.Now().Before(deadline) {
		if cs, err := counts(c); err == nil {
			last = cs
			if settled(cs, n) {
				return cs
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%d lines not settled within %v: %v", n, within, last)
	return nil
}

// journal opens the SQLite journal of a stopped dispatcher and returns every line.
func journal(t *testing.T, path string) []*store.Line {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var all []*store.Line
	after := ""
	for {
		page, err := st.List(context.Background(), store.Filter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = page[len(page)-1].ID
	}
}
