package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/storetest"
)

// crashChildEnv makes the test binary act as the writer process of TestKillLosesNothing.
const crashChildEnv = "DROPSHIP_STORE_CRASH_CHILD"

// A process killed with SIGKILL while many goroutines write loses none of the writes it
// acknowledged: every order whose Intake and first transition returned is found after
// reopening, in the state acknowledged or later.
func TestKillLosesNothing(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillLosesNothing$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read acknowledgements until enough have come, then kill the writer mid-stream.
	acked := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 400 {
		var bill, state string
		if _, err := fmt.Sscan(sc.Text(), &bill, &state); err == nil {
			acked[bill] = state
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait() //nolint:errcheck // killed on purpose
	if len(acked) < 400 {
		t.Fatalf("the writer acknowledged only %d writes before it stopped", len(acked))
	}

	s := open(t, path)
	for bill, state := range acked {
		l, err := s.Get(context.Background(), order.LineID("k3", bill, "1"))
		if err != nil {
			t.Errorf("acknowledged order %s: %v", bill, err)
			continue
		}
		if state == string(order.StateRouted) && l.State != order.StateRouted {
			t.Errorf("order %s: acknowledged Routed, found %s", bill, l.State)
		}
	}
}

// crashChild writes until it is killed, printing "<bill> <state>" after each call returns.
func crashChild(path string) {
	s, err := Open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	ack := func(bill string, st order.State) {
		mu.Lock()
		fmt.Println(bill, st)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				bill := fmt.Sprintf("SO-%02d-%06d", w, i)
				res, err := s.Intake(context.Background(), storetest.Order("k3", bill, 1))
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				ack(bill, order.StateReceived)
				if i%2 == 0 {
					continue
				}
				errs, err := s.Apply(context.Background(), []store.Change{{ID: res.New[0], From: order.StateReceived, Version: 1, To: order.StateRouted}})
				if err != nil || errs[0] != nil {
					fmt.Fprintln(os.Stderr, err, errs)
					os.Exit(1)
				}
				ack(bill, order.StateRouted)
			}
		})
	}
	wg.Wait()
}
