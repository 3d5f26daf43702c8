// Package controllers holds one reconciler per dropship.dev kind and the pure functions
// that render a RoutingPolicy's dispatcher workload (ConfigMap, ServiceAccount, Role,
// RoleBinding, Deployment, Service and, for the SQLite store, a PersistentVolumeClaim).
//
// The package imports the API types and dispatcher/config only; it never imports the
// dispatcher's routing, store or delivery code. Reconcilers gather their inputs with I/O
// and hand them to pure functions (render_*.go, *_status.go) that decide what to write.
package controllers
