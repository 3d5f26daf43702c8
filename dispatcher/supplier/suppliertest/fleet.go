package suppliertest

import (
	"context"
	"errors"
	"testing"
)

// Start starts a server for a test and closes it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatalf("cannot start supplier simulator: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Fleet is several simulated suppliers, each on its own loopback port.
type Fleet struct {
	Servers []*Server
}

// StartFleet starts one server per Options; on error those already started are closed.
func StartFleet(opts ...Options) (*Fleet, error) {
	f := &Fleet{}
	for _, o := range opts {
		s, err := NewServer(o)
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		f.Servers = append(f.Servers, s)
	}
	return f, nil
}

// Get returns the server of a supplier name, or nil.
func (f *Fleet) Get(name string) *Server {
	for _, s := range f.Servers {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// Stats returns every server's stats, in start order.
func (f *Fleet) Stats() []Stats {
	out := make([]Stats, len(f.Servers))
	for i, s := range f.Servers {
		out[i] = s.Stats()
	}
	return out
}

// Shutdown shuts every server down gracefully.
func (f *Fleet) Shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range f.Servers {
		errs = append(errs, s.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// Close closes every server at once.
func (f *Fleet) Close() error {
	var errs []error
	for _, s := range f.Servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
