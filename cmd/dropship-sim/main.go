// Command dropship-sim runs simulators for demos, tests and benchmarks: any number of
// supplier endpoints (dispatcher/supplier/suppliertest) and a Kingdee K3Cloud ERP seeded
// with sales orders (dispatcher/k3cloud/k3cloudtest).
//
//	dropship-sim --config sim.yaml [--ready-file ready.json]
//	dropship-sim --suppliers 3 --base-port 9101 --latency 20ms --error-rate 0.05 --ship-delay 30s
//
// It prints where each simulator listens, writes the addresses as JSON to --ready-file
// once every one is listening (scripts wait for the file), and shuts down gracefully on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // the image has no zoneinfo; suppliers count days in Asia/Shanghai
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	cfg, err := f.config()
	if err != nil {
		fmt.Fprintf(stderr, "dropship-sim: %v\n", err)
		return 2
	}
	if err := serve(ctx, cfg, f, stdout); err != nil {
		fmt.Fprintf(stderr, "dropship-sim: %v\n", err)
		return 1
	}
	return 0
}
