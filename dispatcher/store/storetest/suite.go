package storetest

import (
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Opener opens a backend for one test. Called for the first time with a test, it opens
// the backend over fresh, empty storage; called again with the same test after the store
// it returned was closed, it reopens that same storage (the durability test does this).
// It should register the store's Close with t.Cleanup; the suite may close a store itself
// first, so Close must be safe to call twice.
type Opener func(t *testing.T) store.Store

// Run runs the conformance suite against the backend open opens.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"IntakeIsIdempotent", testIntakeIdempotent},
		{"IntakeBatch", testIntakeBatch},
		{"IntakeRefusesUnjournalableOrders", testIntakeRefuses},
		{"IntakeConcurrentDuplicates", testIntakeConcurrent},
		{"TransitionsFollowStateMachine", testTransitions},
		{"ChangeWritesOnlyGivenFields", testChangeFields},
		{"VersionConflicts", testConflicts},
		{"ConcurrentAppliersOneWins", testConcurrentApply},
		{"BatchWithMixedResults", testBatchMixed},
		{"ClaimDueTimeAndFilters", testClaimFilters},
		{"ClaimLeases", testClaimLeases},
		{"ConcurrentClaimersNeverShare", testConcurrentClaim},
		{"Lookups", testLookups},
		{"ListPagingAndFilters", testList},
		{"CountsAndAcceptedSince", testCounts},
		{"Cursors", testCursors},
		{"Purge", testPurge},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}
