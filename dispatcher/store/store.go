// Package store is the dispatcher's durable order journal.
//
// Delivery guarantee: every state change of a line is committed here before the next
// external call is made (a supplier call, an ERP write), and every supplier call carries the
// line's idempotency key. A crash at any point therefore loses nothing (the line is found
// again in the state it had) and sends nothing twice (a repeated call carries the same key,
// which the supplier dedupes; a repeated ERP write is checked against the ERP first).
//
// Two backends implement Store and pass the same conformance suite (storetest): SQLite, the
// embedded default for one replica, and PostgreSQL, for several replicas that claim work
// with SELECT … FOR UPDATE SKIP LOCKED.
//
// What every backend guarantees (storetest checks each):
//   - Intake is idempotent on source + bill + entry, also under concurrent calls.
//   - Apply moves a line only along order.CanTransition, and only from the state and
//     version the caller saw (optimistic locking): of several callers racing on one
//     version, exactly one wins and the others get ErrConflict. A refused change writes
//     nothing; the other changes of its batch still apply, in one transaction.
//   - Claim never hands a line to two owners while a lease runs; an expired or released
//     lease makes the line claimable again; a line is due at the later of NextAttemptAt
//     and its lease's end.
//   - Everything a call returned without error survives closing and reopening the store.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Errors callers branch on (compare with errors.Is).
var (
	// ErrNotFound: no line, order or dead letter with that id.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the line was not in the expected state or version (someone else moved it).
	ErrConflict = errors.New("conflict: the line changed underneath")
	// ErrInvalidTransition: the change asks for a move order.CanTransition forbids. Nothing
	// is written for such a change.
	ErrInvalidTransition = errors.New("transition not allowed")
)

// Defaults applied when a request leaves a limit at zero.
const (
	// DefaultLimit is the page size of List and the batch size of Claim when Limit is 0.
	DefaultLimit = 100
	// DefaultLease is how long a claim lasts when ClaimRequest.Lease is 0.
	DefaultLease = 30 * time.Second
	// MaxClaim caps ClaimRequest.Limit: one Claim never leases more lines than this.
	MaxClaim = 1000
)

// Line is one order line as journaled, with everything the pipeline needs to resume it.
type Line struct {
	// ID is order.LineID(source, billNo, entryID).
	ID string
	order.LineRef
	// Order is the whole order the line belongs to (shared by its lines).
	Order *order.Order
	// Index is the line's position in Order.Lines.
	Index int
	State order.State
	// Version increases with every change; Apply checks it (optimistic locking). Intake
	// journals a line with Version 1, and a successful Change leaves it at Change.Version+1.
	Version int64

	// Routing outcome.
	Supplier string
	Rule     string
	Tier     int
	// Explain is the routing engine's explanation of the last decision (JSON).
	Explain json.RawMessage
	// Tried are the suppliers that refused the line, excluded when it is rerouted.
	Tried []string

	// Delivery.
	IdempotencyKey string
	Attempts       int
	// NextAttemptAt is when the line is next due for Claim; the zero time means now (a line
	// is journaled with it zero).
	NextAttemptAt   time.Time
	SupplierOrderID string
	// ERP write-back: the purchase order number once Recorded.
	PurchaseOrderNo string
	Shipment        *order.Shipment
	// ShipmentWrittenBack is true once the tracking number is in the ERP.
	ShipmentWrittenBack bool

	// Reason is why the line is Rejected, DeadLettered or Cancelled.
	Reason string
	// LastResponse is the supplier's last answer (truncated), kept for dead letters.
	LastResponse string

	CreatedAt time.Time
	UpdatedAt time.Time
	// AcceptedAt is when the line last moved to Accepted (zero if it never did); changes
	// that keep it Accepted leave it as it is.
	AcceptedAt time.Time

	// LeaseOwner and LeaseUntil are the current claim on the line (see Claim); LeaseOwner is
	// empty when the line was never claimed or its lease was released.
	LeaseOwner string
	LeaseUntil time.Time
}

// IntakeResult says what Intake did with each line of an order.
type IntakeResult struct {
	// New lists the ids of lines journaled now; Existing those already there (a duplicate
	// delivery of the same order, which intake dedupes).
	New, Existing []string
}

// Change moves one line from one state to another and sets fields with it, atomically.
// Only the fields whose pointer is non-nil (Explain: non-nil, AddTried: non-empty) are
// written. A change with To == From updates fields only (postpone a line with
// NextAttemptAt, release its lease) and is allowed in every state; any other move must be
// allowed by order.CanTransition. A successful change bumps the line's Version by one.
type Change struct {
	ID string
	// From and Version are what the caller last saw; a mismatch is ErrConflict.
	From    order.State
	Version int64
	To      order.State

	Supplier            *string
	Rule                *string
	Tier                *int
	Explain             json.RawMessage
	AddTried            string
	IdempotencyKey      *string
	Attempts            *int
	NextAttemptAt       *time.Time
	SupplierOrderID     *string
	PurchaseOrderNo     *string
	Shipment            *order.Shipment
	ShipmentWrittenBack *bool
	Reason              *string
	LastResponse        *string
	// ReleaseLease drops the claim on the line (whoever holds it), so the next Claim may
	// take it again as soon as it is due. Apply does not check the lease: Version does.
	ReleaseLease bool
}

// ClaimRequest asks for lines to work on.
type ClaimRequest struct {
	// Owner identifies the claiming replica; a line claimed by one owner is not handed to
	// another until the lease expires (a crashed replica's lines come back).
	Owner string
	// States are the states to claim from, for example Received and Routed (required).
	States []order.State
	// Supplier, when set, claims only lines routed to that supplier.
	Supplier string
	// Due: only lines whose NextAttemptAt is at or before Now, and whose lease (held by any
	// owner, this one included) ended at or before Now. A zero Now means time.Now().
	Now time.Time
	// Limit caps how many lines are claimed (DefaultLimit when 0, at most MaxClaim). The
	// most overdue lines come first (among lines due at the same time, in an order the
	// backend picks).
	Limit int
	// Lease is how long the claim lasts from Now (DefaultLease when 0).
	Lease time.Duration
}

// Filter selects lines for List.
type Filter struct {
	States   []order.State
	Supplier string
	// BillNo restricts to one order's lines.
	BillNo string
	// After is a cursor: ids greater than this (pass the last id of the previous page).
	After string
	// Limit caps the page (DefaultLimit when 0).
	Limit int
}

// Store is the journal. Implementations are safe for concurrent use.
type Store interface {
	// Intake journals an order's lines in state Received. It is idempotent on
	// source + bill + entry: lines already journaled are left as they are (and keep the
	// order as it was when they were journaled); new lines of a repeated order are journaled
	// with the order as given now. New lines start in Received at Version 1, due at once.
	Intake(ctx context.Context, o *order.Order) (IntakeResult, error)
	// IntakeBatch does what Intake does for each order, in one transaction (one fsync for a
	// page of ERP orders). The results are in the order of orders. An order that cannot be
	// journaled (no source, bill number or lines, or an empty or repeated entry id; the
	// rest of validation is the intake's) fails the whole call before anything is written.
	IntakeBatch(ctx context.Context, orders []*order.Order) ([]IntakeResult, error)
	// Claim leases up to req.Limit due lines in req.States to req.Owner. A claimed line is
	// not returned by another Claim (of any owner) until its lease ends or is released;
	// claiming does not change the line's Version.
	Claim(ctx context.Context, req ClaimRequest) ([]*Line, error)
	// Apply commits a batch of changes in one transaction. Each change is checked on its
	// own; the returned slice has one error (nil, or one wrapping ErrConflict, ErrNotFound
	// or ErrInvalidTransition) per change, in order. The error return is for the
	// transaction itself: when it is not nil, nothing of the batch was written.
	Apply(ctx context.Context, changes []Change) ([]error, error)
	// Get returns one line by id.
	Get(ctx context.Context, id string) (*Line, error)
	// FindBySupplierOrder finds the line a supplier's order id belongs to (shipment callbacks).
	FindBySupplierOrder(ctx context.Context, supplier, supplierOrderID string) (*Line, error)
	// FindByIdempotencyKey finds the line an idempotency key belongs to.
	FindByIdempotencyKey(ctx context.Context, key string) (*Line, error)
	// List returns lines matching the filter, ordered by id.
	List(ctx context.Context, f Filter) ([]*Line, error)
	// Counts returns how many lines are in each state; every state of order.States is in
	// the map, with 0 when no line is in it.
	Counts(ctx context.Context) (map[order.State]int64, error)
	// AcceptedSince returns, per supplier, how many lines moved to Accepted at or after
	// since (whatever state they are in now). The status reporter and the daily and hourly
	// quotas read it.
	AcceptedSince(ctx context.Context, since time.Time) (map[string]int64, error)
	// Purge deletes up to limit (DefaultLimit when 0, at most MaxClaim) lines that are
	// Closed or Cancelled and were last changed before before, with the orders left
	// without lines, and returns how many lines it deleted: call it until that is less
	// than limit. Dead letters and shadowed lines are kept (they wait for a person), and so
	// is everything still in flight.
	Purge(ctx context.Context, before time.Time, limit int) (int, error)
	// Cursor and SetCursor keep small named values (the ERP watermark) durable. Cursor
	// returns "" for a name never set.
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
	// Close releases the store.
	Close() error
}
