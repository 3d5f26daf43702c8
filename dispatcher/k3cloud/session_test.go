package k3cloud_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

// TestSessionExpiryMidRun expires the session between calls: reads log in again once and
// succeed; a write comes back as ErrSessionLost (never replayed) and the next call works.
func TestSessionExpiryMidRun(t *testing.T) {
	for _, mode := range []config.K3CloudAuthMode{config.K3CloudAuthPassword, config.K3CloudAuthSign, config.K3CloudAuthSignature} {
		t.Run(string(mode), func(t *testing.T) {
			srv, u := startSim(t, k3cloudtest.Options{})
			if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 3, Seed: 2}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, mode)
			ctx := context.Background()
			if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
				t.Fatal(err)
			}
			srv.ExpireSessions()
			rows, err := c.ExecuteBillQuery(ctx, billNoQuery)
			if err != nil || len(rows) != 3 {
				t.Fatalf("read after expiry: %d rows, %v", len(rows), err)
			}
			srv.ExpireSessions()
			_, err = c.Submit(ctx, "SAL_SaleOrder", []string{"XSDD999999"})
			if mode == config.K3CloudAuthSignature {
				// Signature mode re-authenticates every request by its headers: expiry is invisible.
				if errors.Is(err, k3cloud.ErrSessionLost) {
					t.Fatalf("signature mode saw the expiry: %v", err)
				}
			} else if !errors.Is(err, k3cloud.ErrSessionLost) {
				t.Fatalf("write after expiry: err = %v, want ErrSessionLost", err)
			}
			if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
				t.Fatalf("read after the failed write: %v", err)
			}
		})
	}
}

// TestSlidingIdleTimeout uses the server clock: a session used within the idle timeout
// lives on; one idle for longer is gone.
func TestSlidingIdleTimeout(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv, u := startSim(t, k3cloudtest.Options{SessionIdle: 20 * time.Minute, Now: clock})
	c := newClient(t, u, config.K3CloudAuthPassword)
	ctx := context.Background()
	for _, step := range []time.Duration{0, 15 * time.Minute, 15 * time.Minute, 21 * time.Minute} {
		now = now.Add(step)
		if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.CallCount("ValidateUser"); got != 2 {
		t.Errorf("ValidateUser calls = %d, want 2 (one at start, one after 21 idle minutes)", got)
	}
}

func TestLogout(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{})
	c := newClient(t, u, config.K3CloudAuthPassword)
	ctx := context.Background()
	if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("live sessions after Logout = %d", n)
	}
	if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
		t.Fatal(err)
	}
	if n := srv.CallCount("ValidateUser"); n != 2 {
		t.Errorf("ValidateUser calls = %d, want 2 (a new login after Logout)", n)
	}
}
