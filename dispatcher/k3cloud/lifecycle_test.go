package k3cloud_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

// TestBillLifecycle walks a purchase order through the status machine Z/A/B/C/D and the
// documented refusals.
func TestBillLifecycle(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{})
	c := newClient(t, u, config.K3CloudAuthAppSecret)
	ctx := context.Background()
	const form = "PUR_PurchaseOrder"
	saved, err := c.Save(ctx, form, poModel("", "VEN0001"), k3cloud.SaveOptions{NeedReturnFields: []string{"FBillNo", "FDocumentStatus"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]any{{"FBillNo": saved.Number, "FDocumentStatus": "A"}}, saved.ReturnData); diff != "" {
		t.Errorf("NeedReturnData -want +got:\n%s", diff)
	}
	no := []string{saved.Number}
	status := func() string {
		bills := srv.PurchaseOrders()
		if len(bills) == 0 {
			return "deleted"
		}
		return bills[0].Status
	}
	steps := []struct {
		name string
		op   func() (k3cloud.OpResult, error)
		want error
		st   string
	}{
		{"AuditBeforeSubmit", func() (k3cloud.OpResult, error) { return c.Audit(ctx, form, no) }, k3cloud.ErrValidation, "A"},
		{"Submit", func() (k3cloud.OpResult, error) { return c.Submit(ctx, form, no) }, nil, "B"},
		{"DeleteSubmitted", func() (k3cloud.OpResult, error) { return c.Delete(ctx, form, no) }, k3cloud.ErrValidation, "B"},
		{"Audit", func() (k3cloud.OpResult, error) { return c.Audit(ctx, form, no) }, nil, "C"},
		{"AuditAgain", func() (k3cloud.OpResult, error) { return c.Audit(ctx, form, no) }, k3cloud.ErrValidation, "C"},
		{"UnAudit", func() (k3cloud.OpResult, error) { return c.UnAudit(ctx, form, no) }, nil, "D"},
		{"Cancel", func() (k3cloud.OpResult, error) { return c.ExecuteOperation(ctx, form, "Cancel", no) }, nil, "D"},
		{"Delete", func() (k3cloud.OpResult, error) { return c.Delete(ctx, form, no) }, nil, "deleted"},
		{"DeleteMissing", func() (k3cloud.OpResult, error) { return c.Delete(ctx, form, no) }, k3cloud.ErrNoData, "deleted"},
	}
	for _, s := range steps {
		res, err := s.op()
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.want)
		}
		if s.want == nil && (len(res.Entities) != 1 || string(res.Entities[0].Number) != saved.Number) {
			t.Errorf("%s: entities %+v", s.name, res.Entities)
		}
		if got := status(); got != s.st {
			t.Fatalf("%s: status %s, want %s", s.name, got, s.st)
		}
	}
}

func TestView(t *testing.T) {
	_, u := startSim(t, k3cloudtest.Options{})
	c := newClient(t, u, config.K3CloudAuthSignature)
	ctx := context.Background()
	saved, err := c.Save(ctx, "PUR_PurchaseOrder", poModel("CGDD-V1", "VEN0001"), k3cloud.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.View(ctx, "PUR_PurchaseOrder", saved.Number)
	if err != nil {
		t.Fatal(err)
	}
	if v["BillNo"] != "CGDD-V1" || v["DocumentStatus"] != "A" {
		t.Errorf("View = %v", v)
	}
	if _, err := c.View(ctx, "PUR_PurchaseOrder", "NOPE"); !errors.Is(err, k3cloud.ErrNoData) {
		t.Errorf("View of a missing bill: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	_, u := startSim(t, k3cloudtest.Options{})
	conn := connFor(t, u, config.K3CloudAuthSignature, defaultCreds())
	conn.RatePerSecond = 50
	c, err := k3cloud.New(conn, k3cloud.Options{Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 6 {
		if _, err := c.ExecuteBillQuery(context.Background(), billNoQuery); err != nil {
			t.Fatal(err)
		}
	}
	// 6 calls at 50/s with a burst of 1 need at least 5 × 20 ms.
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("6 calls took %v, faster than 50/s allows", d)
	}
}

func TestServerCallLimit(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{CallLimit: 2, CallLimitWindow: time.Hour})
	c := newClient(t, u, config.K3CloudAuthSignature)
	for i := range 3 {
		_, err := c.ExecuteBillQuery(context.Background(), billNoQuery)
		if i < 2 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 2 && !errors.Is(err, k3cloud.ErrCallLimit) {
			t.Fatalf("call %d: err = %v, want ErrCallLimit", i, err)
		}
	}
	if n := srv.CallCount("executebillquery"); n != 3 {
		t.Errorf("counted %d calls, want 3", n)
	}
}
