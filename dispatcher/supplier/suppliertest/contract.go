package suppliertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Fault is a behaviour a Harness makes its simulated supplier show on the next submissions.
type Fault int

const (
	// FaultNone: healthy, accepting orders.
	FaultNone Fault = iota
	// FaultUnavailable: a temporary server-side failure (HTTP 503, a K3Cloud 5xx).
	FaultUnavailable
	// FaultThrottled: too many requests (HTTP 429, K3Cloud call limit).
	FaultThrottled
	// FaultRejected: a permanent refusal of the order (HTTP 422, a K3Cloud validation error).
	FaultRejected
	// FaultTimeout: no answer until the adapter gives up; nothing recorded.
	FaultTimeout
	// FaultTimeoutAfterAccept: the order is recorded, then no answer.
	FaultTimeoutAfterAccept
	// FaultDropped: the connection is closed without an answer; nothing recorded.
	FaultDropped
)

// Harness is one supplier implementation under the adapter contract: a simulated supplier
// and an adapter talking to it. Each case of RunAdapterContract gets a fresh one.
type Harness interface {
	// Adapter is the adapter under test. Its per-attempt timeout must be ConformanceTimeout.
	Adapter() supplier.Adapter
	// Fail switches the simulated supplier's behaviour for the next submissions.
	Fail(f Fault)
	// Accepted returns the supplier order id recorded under an idempotency key.
	Accepted(idempotencyKey string) (orderID string, ok bool)
	// Orders counts orders the supplier created; Duplicates counts order lines it created
	// more than once.
	Orders() int
	Duplicates() int
	// Stop stops the simulated supplier; later calls find nothing listening.
	Stop()
}

// RunAdapterContract checks the behaviour every supplier adapter owes delivery, whatever
// the protocol: acceptance with the supplier's order id, idempotent repeats, a key that
// survives failures and a lost answer, and the classification of unavailability,
// throttling, refusal, timeouts, dropped and refused connections — with errors free of the
// consignee's personal data.
func RunAdapterContract(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	t.Run("accepts an order and returns the supplier order id", func(t *testing.T) {
		h := newHarness(t)
		req := conformanceRequest("CT-1", 0)
		res, err := h.Adapter().Submit(ctx, req)
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		id, ok := h.Accepted(req.IdempotencyKey)
		if !ok || id == "" || res.SupplierOrderID != id {
			t.Errorf("SupplierOrderID = %q; the supplier recorded %q (found %v)", res.SupplierOrderID, id, ok)
		}
	})

	t.Run("a repeated submission creates nothing new", func(t *testing.T) {
		h := newHarness(t)
		req := conformanceRequest("CT-2", 0)
		first, err := h.Adapter().Submit(ctx, req)
		if err != nil {
			t.Fatalf("first Submit: %v", err)
		}
		second, err := h.Adapter().Submit(ctx, req)
		if err != nil {
			t.Fatalf("second Submit: %v", err)
		}
		if first.SupplierOrderID != second.SupplierOrderID {
			t.Errorf("order ids differ: %q then %q", first.SupplierOrderID, second.SupplierOrderID)
		}
		if h.Orders() != 1 || h.Duplicates() != 0 {
			t.Errorf("orders/duplicates = %d/%d, want 1/0", h.Orders(), h.Duplicates())
		}
	})

	t.Run("the key survives a failure and a lost answer", func(t *testing.T) {
		h := newHarness(t)
		req := conformanceRequest("CT-3", 1)
		h.Fail(FaultUnavailable)
		if _, err := h.Adapter().Submit(ctx, req); err == nil || supplier.KindOf(err) != supplier.Transient {
			t.Fatalf("Submit while unavailable: err = %v, want Transient", err)
		}
		h.Fail(FaultTimeoutAfterAccept)
		if _, err := h.Adapter().Submit(ctx, req); err == nil || supplier.KindOf(err) != supplier.Transient {
			t.Fatalf("Submit whose answer is lost: err = %v, want Transient", err)
		}
		h.Fail(FaultNone)
		res, err := h.Adapter().Submit(ctx, req)
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if id, _ := h.Accepted(req.IdempotencyKey); res.SupplierOrderID != id {
			t.Errorf("retry got order %q, want the one recorded before the answer was lost, %q", res.SupplierOrderID, id)
		}
		if h.Orders() != 1 || h.Duplicates() != 0 {
			t.Errorf("orders/duplicates = %d/%d, want 1/0", h.Orders(), h.Duplicates())
		}
	})

	kinds := map[string]struct {
		fault Fault
		kind  supplier.Kind
	}{
		"unavailable is transient":             {FaultUnavailable, supplier.Transient},
		"throttling is throttled":              {FaultThrottled, supplier.Throttled},
		"a refusal is rejected":                {FaultRejected, supplier.Rejected},
		"a dropped connection is transient":    {FaultDropped, supplier.Transient},
		"no answer is a transient timeout":     {FaultTimeout, supplier.Transient},
		"a lost answer is a transient timeout": {FaultTimeoutAfterAccept, supplier.Transient},
	}
	for name, tc := range kinds {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.Fail(tc.fault)
			req := conformanceRequest("CT-K", 0)
			start := time.Now()
			_, err := h.Adapter().Submit(ctx, req)
			var se *supplier.Error
			if err == nil || supplier.KindOf(err) != tc.kind || (tc.kind != supplier.Transient && !errors.As(err, &se)) {
				t.Fatalf("Submit: err = %v, want %v", err, tc.kind)
			}
			if took := time.Since(start); took > ConformanceTimeout+2*time.Second {
				t.Errorf("Submit took %v, want about the delivery timeout %v at most", took, ConformanceTimeout)
			}
			assertNoPII(t, err, req.Order)
			if tc.fault != FaultTimeoutAfterAccept && h.Orders() != 0 {
				t.Errorf("the supplier created %d orders, want 0", h.Orders())
			}
		})
	}

	t.Run("the caller's context bounds the call", func(t *testing.T) {
		h := newHarness(t)
		h.Fail(FaultTimeout)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := h.Adapter().Submit(cctx, conformanceRequest("CT-X", 0))
		if err == nil || supplier.KindOf(err) != supplier.Transient {
			t.Fatalf("Submit: err = %v, want Transient", err)
		}
		if took := time.Since(start); took > ConformanceTimeout {
			t.Errorf("Submit took %v after a 50ms context", took)
		}
	})

	t.Run("a stopped supplier is transient", func(t *testing.T) {
		h := newHarness(t)
		h.Stop()
		_, err := h.Adapter().Submit(ctx, conformanceRequest("CT-S", 0))
		if err == nil || supplier.KindOf(err) != supplier.Transient {
			t.Fatalf("Submit: err = %v, want Transient", err)
		}
	})
}
