package main

import (
	"context"
	"os"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"

	"github.com/dropship-operator/dropship-operator/dispatcher/app"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// startReporting runs the status reporter when cfg.Reporting.Enabled, against the cluster
// the pod runs in, or the one KUBECONFIG names (the local runner passes it). stop ends
// it and waits, releasing the Lease.
func startReporting(ctx context.Context, cfg *config.DispatcherConfig, d *app.Dispatcher, log logr.Logger) (stop func(), err error) {
	if !cfg.Reporting.Enabled {
		log.Info("status reporting is off")
		return func() {}, nil
	}
	// client-go's leader election logs through klog: send it to the same structured log.
	klog.SetLogger(log.WithName("client-go"))
	identity := os.Getenv("POD_NAME")
	if identity == "" {
		identity, _ = os.Hostname()
	}
	rep, err := d.NewReporter(os.Getenv("KUBECONFIG"), identity)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := rep.Run(ctx); err != nil {
			log.Error(err, "status reporting stopped")
		}
	})
	return func() { cancel(); wg.Wait() }, nil
}
