package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/server"
	"github.com/dropship-operator/dropship-operator/test/podrun"
)

// Dispatcher is one RoutingPolicy's dispatcher, run from its Deployment by podrun.
type Dispatcher struct {
	Policy string
	// URL is where its API listens (intake, explain, /metrics).
	URL string
	// Log is its log file.
	Log string

	cancel context.CancelFunc
	done   chan error
	out    *os.File
}

// RunDispatcher waits for the operator to render the policy's Deployment, runs it with
// podrun (which marks the Deployment Available once /readyz answers) and waits until the
// dispatcher is ready.
func (e *Env) RunDispatcher(ctx context.Context, policy string) (*Dispatcher, error) {
	deploy, err := e.waitDeployment(ctx, policy, 90*time.Second)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(e.opts.WorkDir, "dispatcher-"+policy+".log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{Policy: policy, URL: fmt.Sprintf("http://127.0.0.1:%d", port), Log: logPath, done: make(chan error, 1), out: out}
	r := &podrun.Runner{
		Client: e.Client, Namespace: e.Namespace, Name: deploy,
		BinDir: e.opts.BinDir, Root: filepath.Join(e.opts.WorkDir, "pods", policy), Port: port,
		Output: out, Log: e.opts.Log.WithName("podrun"),
	}
	if kc, err := e.serviceAccountKubeconfig(ctx, deploy); err == nil {
		r.ExtraEnv = []string{"KUBECONFIG=" + kc}
	} else {
		e.opts.Log.Info("the dispatcher runs without API access", "reason", err.Error())
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	go func() { d.done <- r.Run(rctx) }()
	e.mu.Lock()
	e.dispatchers = append(e.dispatchers, d)
	e.mu.Unlock()
	if err := waitHTTP(ctx, nil, d.URL+"/readyz", 90*time.Second); err != nil {
		return d, fmt.Errorf("dispatcher of %s not ready (log %s): %w", policy, logPath, err)
	}
	return d, nil
}

// waitDeployment waits for the policy's status to name its Deployment and returns the name.
func (e *Env) waitDeployment(ctx context.Context, policy string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		rp := &dropshipv1.RoutingPolicy{}
		err := e.Client.Get(ctx, types.NamespacedName{Namespace: e.Namespace, Name: policy}, rp)
		if err == nil && rp.Status.Dispatcher != nil && rp.Status.Dispatcher.Deployment != "" {
			return rp.Status.Dispatcher.Deployment, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the operator rendered no dispatcher Deployment for policy %s within %s (see manager.log): %w", policy, timeout, errors.Join(err, context.DeadlineExceeded))
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (d *Dispatcher) stop() error {
	if d == nil || d.cancel == nil {
		return nil
	}
	d.cancel()
	err := <-d.done
	_ = d.out.Close()
	return err
}

// Metrics scrapes the dispatcher's /metrics into series name{labels} → value.
func (d *Dispatcher) Metrics(ctx context.Context) (Metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot scrape %s: %w", d.Policy, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cannot scrape %s: %s", d.Policy, resp.Status)
	}
	m := Metrics{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}

// Metrics are scraped series: `name{label="v",…}` → value.
type Metrics map[string]float64

// Get returns the series with exactly these labels (in the exposition's order).
func (m Metrics) Get(name string, labels ...string) float64 {
	if len(labels) == 0 {
		return m[name]
	}
	var b strings.Builder
	b.WriteString(name + "{")
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", labels[i], labels[i+1])
	}
	b.WriteByte('}')
	return m[b.String()]
}

// Sum adds every series of a name whose labels include all the given pairs.
func (m Metrics) Sum(name string, labels ...string) float64 {
	var sum float64
	for k, v := range m {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(k, fmt.Sprintf("%s=%q", labels[i], labels[i+1])) {
				ok = false
			}
		}
		if ok {
			sum += v
		}
	}
	return sum
}

// Progress are the line counts of the journal (dropship_lines by state).
type Progress struct {
	Orders                                       float64
	Lines, Dispatched, Recorded, Shipped, Closed float64
	DeadLettered, Shadowed, Backlog, InFlight    float64
}

// Progress reads the journal's counts from /metrics.
func (d *Dispatcher) Progress(ctx context.Context) (Progress, error) {
	m, err := d.Metrics(ctx)
	if err != nil {
		return Progress{}, err
	}
	st := func(s string) float64 { return m.Get("dropship_lines", "state", s) }
	p := Progress{
		Orders:       m.Sum("dropship_orders_received_total", "result", "new"),
		Lines:        m.Sum("dropship_lines"),
		Closed:       st("Closed"),
		DeadLettered: st("DeadLettered"),
		Shadowed:     st("Shadowed"),
		Backlog:      m.Get("dropship_backlog"),
	}
	p.Shipped = st("Shipped") + p.Closed
	p.Recorded = st("Recorded") + p.Shipped
	p.Dispatched = st("Accepted") + p.Recorded
	p.InFlight = p.Lines - p.Closed - p.DeadLettered - p.Shadowed - st("Cancelled")
	return p, nil
}

// Order reads GET /v1/orders/{billNo}: every line's state and routing explanation.
func (d *Dispatcher) Order(ctx context.Context, billNo string) (server.OrderView, error) {
	var v server.OrderView
	return v, getJSON(ctx, d.URL+"/v1/orders/"+billNo, &v)
}
