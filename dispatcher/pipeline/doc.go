// Package pipeline moves orders through the dispatcher: intake (the webhook and the ERP
// source) → the journal → routing → delivery → acceptance → purchase-order write-back →
// shipment → tracking write-back → closed.
//
// Every stage works on lines it has claimed from the store, and every state change is
// committed to the store before the next external call (a supplier call, an ERP write), so
// a crash at any point loses nothing; stages batch their store writes so the journal keeps
// up with thousands of lines a second. Invalid orders from the ERP are journaled and
// dead-lettered with their field errors as the reason: never dropped, never delivered.
// In Shadow mode lines are decided and recorded as Shadowed; nothing is sent.
//
// The delivery guarantee itself (at least once towards a supplier with a stable
// idempotency key; never accepted by two suppliers) is made and documented by package
// delivery. Every supplier call's outcome is fed into the health windows, so routing's
// effective weights follow the suppliers' behaviour.
//
// The ERP hooks are narrow interfaces (OrderPoller, PurchaseOrderRecorder, TrackingWriter)
// that dispatcher/k3cloud's types satisfy through small adapters; with a webhook source
// there is no ERP, and a shipped line is closed at once.
package pipeline
