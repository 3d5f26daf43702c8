// Package harness runs the whole dropship chain on one machine, for `make demo` (hack/demo)
// and the end-to-end tests (test/e2e): a real kube-apiserver and etcd (envtest) with the
// CRDs, the manager binary as a subprocess, dropship-sim serving a K3Cloud ERP and suppliers
// A–E on loopback ports, config/demo (the samples pointed at the simulators, with fresh
// credentials) applied with kubectl, and each RoutingPolicy's dispatcher run from the
// Deployment the operator rendered by test/podrun.
//
// Nothing here is a mock: every figure the demo prints and every assertion the tests make
// is read over HTTP from the real processes (the dispatcher's /metrics and explain API, the
// simulators' admin APIs, the ERP simulator's WebAPI) or from the API server.
package harness
