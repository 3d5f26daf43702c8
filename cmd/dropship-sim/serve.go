package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// endpoint is one simulator in the ready file.
type endpoint struct {
	Name string `json:"name"`
	// URL is the base URL; Orders is where orders are POSTed; Admin is the admin API root.
	URL    string `json:"url"`
	Orders string `json:"orders,omitempty"`
	Admin  string `json:"admin,omitempty"`
	// AcctID is the K3Cloud data centre.
	AcctID string `json:"acctID,omitempty"`
}

// readyFile is what --ready-file holds: one list per section.
type readyFile struct {
	Suppliers []endpoint `json:"suppliers"`
	// K3Cloud lists the ERP simulator.
	K3Cloud []endpoint `json:"k3cloud,omitempty"`
}

// section is one kind of simulator the command runs.
type section interface {
	start() error
	endpoints(*readyFile)
	shutdown(ctx context.Context) error
}

// suppliersSection runs the supplier simulators.
type suppliersSection struct {
	sims  []supplierSim
	fleet *suppliertest.Fleet
}

func (s *suppliersSection) start() error {
	opts := make([]suppliertest.Options, 0, len(s.sims))
	for _, sim := range s.sims {
		o, err := sim.options()
		if err != nil {
			return err
		}
		opts = append(opts, o)
	}
	f, err := suppliertest.StartFleet(opts...)
	if err != nil {
		return err
	}
	s.fleet = f
	return nil
}

func (s *suppliersSection) endpoints(r *readyFile) {
	for _, srv := range s.fleet.Servers {
		r.Suppliers = append(r.Suppliers, endpoint{Name: srv.Name(), URL: srv.URL(), Orders: srv.OrdersURL(), Admin: srv.URL() + suppliertest.AdminPath})
	}
}

func (s *suppliersSection) shutdown(ctx context.Context) error { return s.fleet.Shutdown(ctx) }

// sections builds one section per configured kind of simulator.
func sections(c *simConfig) []section {
	var out []section
	if c.K3Cloud != nil {
		out = append(out, &k3cloudSection{cfg: *c.K3Cloud})
	}
	if len(c.Suppliers) > 0 {
		out = append(out, &suppliersSection{sims: c.Suppliers})
	}
	return out
}

// serve starts every section, announces them, waits for ctx and shuts down.
func serve(ctx context.Context, c *simConfig, f *flags, stdout io.Writer) error {
	var started []section
	shutdown := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
		defer cancel()
		var errs []error
		for _, s := range started {
			errs = append(errs, s.shutdown(sctx))
		}
		return errors.Join(errs...)
	}
	ready := &readyFile{}
	for _, s := range sections(c) {
		if err := s.start(); err != nil {
			return errors.Join(err, shutdown())
		}
		started = append(started, s)
		s.endpoints(ready)
	}
	for _, e := range ready.K3Cloud {
		fmt.Fprintf(stdout, "k3cloud listening on %s (acctID %s)\n", e.URL, e.AcctID)
	}
	for _, e := range ready.Suppliers {
		fmt.Fprintf(stdout, "supplier %s listening on %s (orders %s, admin %sstats)\n", e.Name, e.URL, e.Orders, e.Admin)
	}
	if f.readyFile != "" {
		if err := writeReadyFile(f.readyFile, ready); err != nil {
			return errors.Join(err, shutdown())
		}
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return shutdown()
}

// writeReadyFile writes atomically, so a watcher never reads half a file.
func writeReadyFile(path string, r *readyFile) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode ready file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("cannot write ready file %q: %w", path, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("cannot write ready file %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("cannot write ready file %q: %w", path, err)
	}
	return nil
}
