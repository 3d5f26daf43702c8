// Command demo runs the whole dropship chain on this machine and tells its story: orders
// leave the Kingdee ERP simulator, reach suppliers A–E by the declared regions and weights,
// purchase orders and tracking numbers come back into the ERP, and when supplier C turns
// slow its share moves to D and E. `make demo` runs it; everything it starts stops on
// Ctrl-C, and its logs stay in .demo/.
//
//	go run ./hack/demo [-orders 10000] [-exit]
//
// DEMO_ORDERS and DEMO_EXIT=1 set the same as the flags. It needs bin/manager,
// bin/dispatcher, bin/dropship-sim (make build) and bin/k8s (make k8s-bins).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/dropship-operator/dropship-operator/test/harness"
)

func main() {
	os.Exit(run())
}

func run() int {
	orders, _ := strconv.Atoi(envOr("DEMO_ORDERS", "10000"))
	exit := envOr("DEMO_EXIT", "") == "1" || envOr("DEMO_EXIT", "") == "true"
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.IntVar(&orders, "orders", orders, "sales orders in the ERP simulator (DEMO_ORDERS)")
	fs.BoolVar(&exit, "exit", exit, "exit after the summary instead of waiting for Ctrl-C (DEMO_EXIT=1)")
	dir := fs.String("dir", ".demo", "directory for the kubeconfig, logs and the dispatcher's files")
	bin := fs.String("bin", "bin", "directory holding manager, dispatcher, dropship-sim and k8s/")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if orders < 10 || orders > 200000 {
		fmt.Fprintln(os.Stderr, "demo: -orders must be between 10 and 200000")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctrllog.SetLogger(logr.Discard()) // envtest logs through controller-runtime; the demo prints its own story
	d := &demo{out: os.Stdout, orders: orders, exit: exit, tty: isTTY(os.Stdout)}
	if err := d.run(ctx, *dir, *bin); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(d.out, "\nstopped.")
			return 0
		}
		fmt.Fprintf(os.Stderr, "\ndemo: %v\n(logs in %s/)\n", err, *dir)
		return 1
	}
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func isTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type demo struct {
	out    io.Writer
	orders int
	exit   bool
	tty    bool
	start  time.Time
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "[%5.1fs] "+format+"\n", append([]any{time.Since(d.start).Seconds()}, args...)...)
}

func (d *demo) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {}, funcr.Options{})
}

func (d *demo) run(ctx context.Context, dir, bin string) error {
	d.start = time.Now()
	root, err := harness.RepoRoot()
	if err != nil {
		return err
	}
	work, _ := filepath.Abs(filepath.Join(root, dir))
	binDir, _ := filepath.Abs(filepath.Join(root, bin))
	if err := os.RemoveAll(work); err != nil {
		return fmt.Errorf("cannot clean %s: %w", work, err)
	}
	seeded := d.orders * 4 / 10
	trickled := d.orders - seeded
	trickleFor := time.Duration(max(30, trickled/100)) * time.Second
	d.say("dropship demo: %d audited drop-ship sales orders in a simulated Kingdee K3Cloud (%d now, %d arriving over %s), suppliers A–E", d.orders, seeded, trickled, trickleFor)
	d.say("starting kube-apiserver + etcd, dropship-sim (ERP + 5 suppliers) and the operator (bin/manager)…")
	env, err := harness.Start(ctx, harness.Options{
		RepoRoot: root, BinDir: binDir, K8sBinDir: filepath.Join(binDir, "k8s"), WorkDir: work,
		Sim: harness.SimOptions{Orders: seeded, TrickleOrders: trickled, TrickleFor: trickleFor,
			Latency: 15 * time.Millisecond, Jitter: 30 * time.Millisecond, ShipDelay: 3 * time.Second},
		ReportingInterval: 3 * time.Second,
		Log:               d.logger(),
	})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(d.out, "stopping the dispatcher, the operator, the simulators and the API server…")
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "demo: stop: %v\n", err)
		}
	}()
	kc, _ := filepath.Rel(root, env.Kubeconfig)
	d.say("control plane up; kubeconfig written to %s", kc)
	d.say("applying config/samples through config/demo (URLs → local simulators, fresh credentials)…")
	if err := env.ApplyDemo(ctx); err != nil {
		return err
	}
	d.say("the operator renders RoutingPolicy shop/main into a Deployment; running its pod locally (test/podrun)…")
	disp, err := env.RunDispatcher(ctx, "main")
	if err != nil {
		return err
	}
	d.say("dispatcher ready at %s — pulling orders from the ERP", disp.URL)
	erp, err := env.ERP()
	if err != nil {
		return err
	}

	// Act 1: orders flow by the declared weights. Act 2: at 60% of the orders, supplier C
	// turns slow (2.5 s per call) and adaptive routing moves its share to D and E.
	fmt.Fprintln(d.out)
	var slowAt time.Time
	switchAt := float64(d.orders) * 0.6
	if err := d.progress(ctx, disp, func(p harness.Progress) bool {
		if slowAt.IsZero() && p.Orders >= switchAt {
			slowAt = time.Now()
			prof, err := env.SupplierProfile(ctx, "supplier-c")
			if err == nil {
				prof.Latency = 2500 * time.Millisecond
				err = env.SetSupplierProfile(ctx, "supplier-c", prof)
			}
			if err != nil {
				d.say("cannot slow supplier C down: %v", err)
			} else {
				d.endLine()
				d.say("⚠ supplier C turns slow: every call now takes 2.5s (PUT /_sim/profile on its simulator)")
			}
		}
		return p.Orders >= float64(d.orders) && p.InFlight == 0 && p.Lines > 0
	}); err != nil {
		return err
	}
	elapsed := time.Since(d.start)

	bills, err := erp.BillNos(ctx)
	if err != nil {
		return err
	}
	lines, err := disp.Lines(ctx, bills)
	if err != nil {
		return err
	}
	weights, rules, err := env.PolicyWeights(ctx, "main")
	if err != nil {
		return err
	}
	figs, err := env.Figures(ctx, erp, lines)
	if err != nil {
		return err
	}
	before, after := harness.Allocate(lines, time.Time{}, slowAt), harness.Allocate(lines, slowAt, time.Time{})
	all := harness.Allocate(lines, time.Time{}, time.Time{})
	fmt.Fprintf(d.out, "\n== Summary: %s orders, %s lines in %s ==\n", fmtInt(d.orders), fmtInt(len(lines)), elapsed.Round(time.Second))
	harness.WriteTable(d.out, env.SupplierNames(), rules, weights, all, figs)
	if pos, err := erp.PurchaseOrders(ctx); err == nil {
		if dups := harness.DuplicateLinks(pos); len(dups) > 0 {
			fmt.Fprintf(d.out, "⚠ %d sales order lines have more than one purchase order in the ERP (e.g. %s)\n", len(dups), dups[0])
		} else {
			fmt.Fprintf(d.out, "every dispatched line has exactly one purchase order in the ERP (%s PO lines)\n", fmtInt(len(pos)))
		}
	}
	fmt.Fprintln(d.out, "\n== The story: supplier C slows down ==")
	fmt.Fprintf(d.out, "  before (%s lines): %s\n", fmtInt(sum(before.ByRule)), harness.RuleLine(before, "north"))
	fmt.Fprintf(d.out, "  after  (%s lines): %s\n", fmtInt(sum(after.ByRule)), harness.RuleLine(after, "north"))
	fmt.Fprintf(d.out, "  declared weights: supplier-c 40 · supplier-d 30 · supplier-e 30; adaptive.slowLatency 500ms scales a slow supplier's weight down\n")
	if out, err := env.Kubectl(ctx, nil, "get", "sup,rp", "-n", env.Namespace, "-o", "wide"); err == nil {
		fmt.Fprintf(d.out, "\n$ bin/k8s/kubectl --kubeconfig %s get sup,rp -n shop -o wide\n%s", kc, out)
	} else {
		fmt.Fprintf(d.out, "\nkubectl get sup,rp: %v\n", err)
	}
	example := ""
	if len(bills) > 0 {
		example = bills[len(bills)-1]
	}
	fmt.Fprintf(d.out, `
== Explore ==
  bin/k8s/kubectl --kubeconfig %[1]s get osrc,sup,rp -n shop -o wide
  bin/k8s/kubectl --kubeconfig %[1]s describe rp main -n shop
  curl -s %[2]s/v1/orders/%[3]s        # one order: state, supplier, PO, tracking, and why (explain)
  curl -s %[2]s/metrics | grep ^dropship_
  curl -s %[2]s/v1/deadletters
  logs: %[4]s/ (manager.log, dispatcher-main.log, dropship-sim.log)
`, kc, disp.URL, example, dir)
	if d.exit {
		return nil
	}
	fmt.Fprintln(d.out, "\nEverything keeps running. Press Ctrl-C to stop it all.")
	<-ctx.Done()
	return nil
}

// progress prints a bar until done returns true.
func (d *demo) progress(ctx context.Context, disp *harness.Dispatcher, done func(harness.Progress) bool) error {
	every := 5 * time.Second
	if d.tty {
		every = 500 * time.Millisecond
	}
	last := time.Time{}
	deadline := time.Now().Add(time.Duration(max(600, d.orders/10)) * time.Second)
	var failingSince time.Time
	var ordersBase, lastOrders float64
	for {
		p, err := disp.Progress(ctx)
		if err != nil {
			// The dispatcher may be restarting (podrun restarts an exited process): wait.
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			if time.Since(failingSince) > time.Minute {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
			continue
		}
		failingSince = time.Time{}
		// Counters restart with the process; the journal's figures do not.
		if p.Orders+ordersBase < lastOrders {
			ordersBase = lastOrders
		}
		p.Orders += ordersBase
		lastOrders = p.Orders
		finished := done(p)
		if finished || time.Since(last) >= every {
			d.bar(p)
			last = time.Now()
		}
		if finished {
			d.endLine()
			return nil
		}
		if p.Orders == 0 && time.Since(d.start) > 3*time.Minute {
			d.endLine()
			return fmt.Errorf("the dispatcher took in no orders: see %s", disp.Log)
		}
		if time.Now().After(deadline) {
			d.endLine()
			return fmt.Errorf("the orders did not all settle within the demo's time limit: %+v", p)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

var drawn bool

func (d *demo) bar(p harness.Progress) {
	const width = 30
	frac := 0.0
	if p.Lines > 0 {
		frac = (p.Shipped + p.DeadLettered) / p.Lines * p.Orders / float64(d.orders)
	}
	n := min(int(frac*width), width)
	bar := ""
	for i := range width {
		if i < n {
			bar += "#"
		} else {
			bar += "."
		}
	}
	line := fmt.Sprintf("[%5.1fs] [%s] orders %s/%s · lines %s · dispatched %s · recorded %s · shipped %s · dead %s",
		time.Since(d.start).Seconds(), bar, fmtInt(int(p.Orders)), fmtInt(d.orders), fmtInt(int(p.Lines)),
		fmtInt(int(p.Dispatched)), fmtInt(int(p.Recorded)), fmtInt(int(p.Shipped)), fmtInt(int(p.DeadLettered)))
	if d.tty {
		fmt.Fprintf(d.out, "\r\033[K%s", line)
		drawn = true
		return
	}
	fmt.Fprintln(d.out, line)
}

func (d *demo) endLine() {
	if d.tty && drawn {
		fmt.Fprintln(d.out)
		drawn = false
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func fmtInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
