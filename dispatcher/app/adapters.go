package app

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// newAdapter builds the adapter of one supplier.
func newAdapter(s config.Supplier) (supplier.Adapter, error) {
	switch {
	case s.HTTP != nil:
		a, err := supplier.NewHTTP(s, supplier.HTTPOptions{})
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, fmt.Errorf("cannot build adapter for supplier %q: only http endpoints are supported by this build", s.Name)
}

// wireSource sets the ERP hooks of a K3Cloud source.
func wireSource(_ context.Context, cfg *config.DispatcherConfig, _ *pipeline.Options, _ logr.Logger) error {
	if cfg.Source.K3Cloud != nil {
		return fmt.Errorf("cannot start source %q: the K3Cloud source is not wired in this build", cfg.Source.Name)
	}
	return nil
}
