package apptest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// BuildDispatcher builds cmd/dispatcher into dir and returns the binary's path.
func BuildDispatcher(dir string) (string, error) {
	bin := dir + "/dispatcher"
	cmd := exec.Command("go", "build", "-o", bin, "github.com/dropship-operator/dropship-operator/cmd/dispatcher")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cannot build the dispatcher: %w", err)
	}
	return bin, nil
}

// FreeAddr returns a loopback address nobody listens on now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Process is a dispatcher subprocess.
type Process struct {
	Cmd  *exec.Cmd
	done chan error
	// killed is the exit error after Kill (a signal, as a rule).
	killed error

	mu    sync.Mutex
	lines []string
}

// Start runs bin with the env's config (whose Server.Listen must be a fixed address) and
// waits until /readyz answers.
func Start(bin string, e *Env, args ...string) (*Process, error) {
	cmd := exec.Command(bin, append([]string{"--config", e.ConfigPath}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start dispatcher: %w", err)
	}
	p := &Process{Cmd: cmd, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			if len(p.lines) > 200 {
				p.lines = p.lines[len(p.lines)-200:]
			}
			p.mu.Unlock()
		}
		p.done <- cmd.Wait()
	}()
	c := NewClient(e.Config.Server.Listen)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, err := c.Get(context.Background(), "/readyz", nil); err == nil && status == 200 {
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("dispatcher exited before it was ready: %w\n%s", err, p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			p.Kill()
			return nil, fmt.Errorf("dispatcher not ready within 30s:\n%s", p.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logs returns the last lines the process logged.
func (p *Process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// Kill sends SIGKILL and waits for the process to end.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	p.killed = <-p.done
}

// Stop sends SIGTERM and waits up to timeout for a clean exit.
func (p *Process) Stop(timeout time.Duration) error {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		p.Kill()
		return fmt.Errorf("dispatcher did not stop within %v of SIGTERM", timeout)
	}
}

// PeakRSS is the process's peak resident set (VmHWM), in bytes.
func (p *Process) PeakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", p.Cmd.Process.Pid)
}

var lineMetric = regexp.MustCompile(`(?m)^dropship_lines\{state="([A-Za-z]+)"\} ([0-9.e+]+)$`)

// Counts reads the journal's line counts from the dispatcher's /metrics.
func (c *Client) Counts(ctx context.Context) (map[order.State]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
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
