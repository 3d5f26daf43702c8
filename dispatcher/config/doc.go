// Package config defines DispatcherConfig: the one document the operator renders from a
// RoutingPolicy (with its OrderSource and Suppliers resolved and inlined) into a ConfigMap,
// and the dispatcher reads at start with `dispatcher --config FILE`.
//
// The document is versioned (apiVersion dispatcher.dropship.dev/v1alpha1, kind
// DispatcherConfig), encoded as YAML or JSON, and validated by Validate before the
// dispatcher does anything with it. It never holds a secret: credentials are named by the
// path of a directory where a Secret is mounted read-only (one file per Secret key), and
// the dispatcher reads the files itself. The operator and the dispatcher must agree on
// those key names; they are the constants in secrets.go.
//
// Durations are Go duration strings ("30s", "5m") so the same text works in a CR, a
// ConfigMap and a hand-written file.
package config
