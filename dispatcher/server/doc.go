// Package server is the dispatcher's HTTP API: order intake (webhook), supplier shipment
// callbacks, order lookup with the routing explanation, dead letters, Prometheus metrics and
// the probes. docs/dispatcher.md documents every endpoint.
//
// The server only validates and authenticates; it hands everything else to the pipeline.
// An intake request is answered 202 only once its orders are committed to the journal, so
// an order the caller saw accepted is never lost. Invalid payloads are answered 400 with
// the field errors and nothing is journaled. Timeouts are explicit and Shutdown drains
// requests in flight.
package server
