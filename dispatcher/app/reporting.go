package app

import (
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/kube"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

// NewReporter builds the status reporter of d (cfg.Reporting): it gathers d's health
// snapshots, routing allocation and journal counts and writes them into the policy's
// custom resources while this replica holds the reporting Lease. kubeconfig names the
// cluster ("" in a pod: the in-cluster configuration); identity names the replica
// (POD_NAME). Run the reporter next to Run.
func (d *Dispatcher) NewReporter(kubeconfig, identity string) (*kube.Reporter, error) {
	// The engine is pure: a second compilation of the same document decides the same.
	engine, err := routing.Compile(d.cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot compile routing rules: %w", err)
	}
	names := make([]string, 0, len(d.cfg.Suppliers))
	for _, s := range d.cfg.Suppliers {
		names = append(names, s.Name)
	}
	g := &kube.Gatherer{Tracker: d.tracker, Engine: engine, Store: d.st, Adaptive: d.cfg.Adaptive, Suppliers: names}
	if d.cfg.Source.K3Cloud != nil {
		g.Poll = d.pollFigures
	}
	return kube.New(g, kube.Options{
		Policy: d.cfg.Policy, Source: d.cfg.Source.Name, Interval: d.cfg.Reporting.Interval.Duration,
		LeaseName: d.cfg.Reporting.LeaseName, Identity: identity, Kubeconfig: kubeconfig, Log: d.log.WithName("reporter"),
	})
}

// pollFigures are the ERP poller's figures for the OrderSource; nil before the first poll.
func (d *Dispatcher) pollFigures() *kube.SourceFigures {
	s, ok := d.pipeline.PollStats()
	if !ok {
		return nil
	}
	return &kube.SourceFigures{LastPollTime: s.LastPollTime, Watermark: s.Watermark, OrdersReceived: s.OrdersReceived}
}
