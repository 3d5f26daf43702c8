// Package order is the canonical order model every part of the dispatcher speaks: an order
// from any source (the K3Cloud poller or the intake webhook) is turned into an Order, each of
// its lines is routed and delivered on its own, and each line moves through the state
// machine in state.go.
//
// The package does no I/O. It holds the types, their validation (field errors name the JSON
// path so a rejected intake payload or a dead letter says exactly what was wrong), the line
// state machine and the identity functions (line keys and supplier idempotency keys) that
// make intake and delivery idempotent.
package order
