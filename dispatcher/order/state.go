package order

import "fmt"

// State is where a line is in its life. See DESIGN §3:
//
//	Received → Routed → Submitted → Accepted → Recorded → Shipped → Closed
//
// with the side states Rejected (the supplier refused; the line is rerouted to the next
// candidate), DeadLettered (unroutable or retries exhausted; replayable), Cancelled (the ERP
// cancelled it) and Shadowed (shadow mode: decided, never sent).
type State string

const (
	StateReceived     State = "Received"
	StateRouted       State = "Routed"
	StateSubmitted    State = "Submitted"
	StateAccepted     State = "Accepted"
	StateRecorded     State = "Recorded"
	StateShipped      State = "Shipped"
	StateClosed       State = "Closed"
	StateRejected     State = "Rejected"
	StateDeadLettered State = "DeadLettered"
	StateCancelled    State = "Cancelled"
	StateShadowed     State = "Shadowed"
)

// States lists every state in lifecycle order; metrics and status tables use this order.
var States = []State{
	StateReceived, StateRouted, StateSubmitted, StateAccepted, StateRecorded, StateShipped,
	StateClosed, StateRejected, StateDeadLettered, StateCancelled, StateShadowed,
}

// transitions lists, for each state, the states a line may move to next.
//
// Some edges are worth a word:
//   - Submitted → Submitted is a retry of the same supplier call (same idempotency key).
//   - Submitted → Routed happens when a delivery is abandoned before the supplier saw it
//     (for example the supplier was suspended), so the line is routed again.
//   - Accepted → Shipped: a supplier may report the shipment before the purchase order
//     was written back to the ERP; the write-back still happens (Shipped lines carry the
//     supplier order), and Recorded is not required to close.
//   - DeadLettered → Received is a replay.
//   - Accepted/Recorded → Cancelled propagates an ERP cancel to the supplier.
var transitions = map[State][]State{
	StateReceived:     {StateRouted, StateDeadLettered, StateCancelled, StateShadowed},
	StateRouted:       {StateSubmitted, StateRouted, StateDeadLettered, StateCancelled},
	StateSubmitted:    {StateSubmitted, StateAccepted, StateRejected, StateRouted, StateDeadLettered, StateCancelled},
	StateRejected:     {StateRouted, StateDeadLettered, StateCancelled},
	StateAccepted:     {StateRecorded, StateShipped, StateCancelled, StateDeadLettered},
	StateRecorded:     {StateShipped, StateCancelled},
	StateShipped:      {StateClosed, StateShipped},
	StateClosed:       {},
	StateDeadLettered: {StateReceived, StateCancelled},
	StateCancelled:    {},
	StateShadowed:     {StateReceived},
}

// CanTransition reports whether a line may move from one state to another.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Transition returns an error naming both states when the move is not allowed.
func Transition(from, to State) error {
	if !CanTransition(from, to) {
		return fmt.Errorf("cannot move a line from %s to %s", from, to)
	}
	return nil
}

// Terminal reports whether nothing more happens to a line in this state without a person
// (a replay) or the source (a cancel) acting.
func (s State) Terminal() bool {
	switch s {
	case StateClosed, StateCancelled, StateDeadLettered, StateShadowed:
		return true
	}
	return false
}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}
