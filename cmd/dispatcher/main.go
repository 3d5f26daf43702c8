// Command dispatcher runs one RoutingPolicy's data plane: `dispatcher --config FILE`.
// The same binary runs in a cluster (the operator renders the config) and standalone.
// SIGTERM or SIGINT shut it down gracefully. The wiring lives in dispatcher/app.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	_ "time/tzdata" // supplier time zones resolve in distroless images too

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func main() {
	os.Exit(run())
}

func run() int {
	fs := flag.NewFlagSet("dispatcher", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "path of the DispatcherConfig file (YAML or JSON)")
	owner := fs.String("owner", "", "name of this replica in journal claims (default: hostname)")
	lease := fs.Duration("lease", 0, "how long claimed lines stay this replica's (default 30s)")
	verbosity := fs.Int("v", 0, "log verbosity: 0 state changes, 1 every line")
	root := fs.String("root", "", "read --config and every file the config names under this directory (the local pod runner of the demo and tests)")
	listen := fs.String("listen", "", "serve the API on this address instead of the config's server.listen")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	log := logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.Level(-*verbosity)}))
	if *cfgPath == "" {
		fmt.Fprintln(os.Stderr, "dispatcher: --config FILE is required")
		return 2
	}
	path := *cfgPath
	if *root != "" {
		path = filepath.Join(*root, path)
	}
	cfg, err := config.Load(path)
	if err != nil {
		log.Error(err, "cannot start")
		return 1
	}
	cfg.Rebase(*root)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	d, err := app.New(ctx, cfg, app.Options{Owner: *owner, Lease: *lease, Listen: *listen, Log: log})
	if err != nil {
		log.Error(err, "cannot start")
		return 1
	}
	stopReporting, err := startReporting(ctx, cfg, d, log)
	if err != nil {
		log.Error(err, "cannot start")
		return 1
	}
	defer stopReporting()
	start := time.Now()
	if err := d.Run(ctx); err != nil {
		log.Error(err, "dispatcher stopped with an error", "uptime", time.Since(start).String())
		return 1
	}
	return 0
}
