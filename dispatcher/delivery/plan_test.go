package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

func TestPlan(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := config.Delivery{Retry: config.Retry{Attempts: 3, Initial: config.D(time.Second), Max: config.D(time.Minute)},
		RetryAfterMax: config.D(5 * time.Second)}
	line := func(attempts int) *store.Line {
		return &store.Line{ID: "s/b/1", State: order.StateSubmitted, Version: 4, Supplier: "sup-a", Attempts: attempts}
	}
	type want struct {
		To       order.State
		Outcome  Outcome
		Next     time.Time
		AddTried string
		OrderID  string
	}
	cases := map[string]struct {
		reason   string
		attempts int
		res      supplier.Result
		err      error
		want     want
	}{
		"accepted": {"success is Accepted with the supplier's order id", 1,
			supplier.Result{SupplierOrderID: "SO-1", Response: "{}"}, nil,
			want{To: order.StateAccepted, Outcome: OutcomeAccepted, OrderID: "SO-1"}},
		"5xx retried": {"a transient error retries the same supplier after the backoff", 1,
			supplier.Result{}, &supplier.Error{Kind: supplier.Transient, StatusCode: 503},
			want{To: order.StateSubmitted, Outcome: OutcomeError, Next: now.Add(time.Second)}},
		"timeout retried": {"an attempt timeout is a timeout outcome and retried", 2,
			supplier.Result{}, fmt.Errorf("post: %w", context.DeadlineExceeded),
			want{To: order.StateSubmitted, Outcome: OutcomeTimeout, Next: now.Add(2 * time.Second)}},
		"429 waits retry-after": {"a 429 waits Retry-After (capped)", 1,
			supplier.Result{}, &supplier.Error{Kind: supplier.Throttled, StatusCode: 429, RetryAfter: time.Minute},
			want{To: order.StateSubmitted, Outcome: OutcomeThrottled, Next: now.Add(5 * time.Second)}},
		"exhausted": {"the last attempt failing dead-letters the line", 3,
			supplier.Result{}, &supplier.Error{Kind: supplier.Transient, StatusCode: 500},
			want{To: order.StateDeadLettered, Outcome: OutcomeError}},
		"rejected": {"a refusal is Rejected and the supplier is added to Tried", 1,
			supplier.Result{}, &supplier.Error{Kind: supplier.Rejected, StatusCode: 422},
			want{To: order.StateRejected, Outcome: OutcomeRejected, AddTried: "sup-a"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, outcome := Plan(line(tc.attempts), d, tc.res, tc.err, now, 0.5)
			got := want{To: c.To, Outcome: outcome, AddTried: c.AddTried}
			if c.NextAttemptAt != nil {
				got.Next = *c.NextAttemptAt
			}
			if c.SupplierOrderID != nil {
				got.OrderID = *c.SupplierOrderID
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
			if c.ID != "s/b/1" || c.From != order.StateSubmitted || c.Version != 4 || !c.ReleaseLease {
				t.Errorf("change does not target the line as seen: %+v", c)
			}
			if tc.err != nil && (c.Reason == nil || *c.Reason == "") {
				t.Errorf("a failure must carry a reason")
			}
			if err := order.Transition(order.StateSubmitted, c.To); err != nil {
				t.Errorf("planned an illegal move: %v", err)
			}
		})
	}
}
