// Package chain is the whole-chain end-to-end test: the demo's chain (test/harness) run
// with fewer orders and every outcome asserted. It builds manager, dispatcher and
// dropship-sim from this tree in TestMain and needs kube-apiserver, etcd and kubectl in
// KUBEBUILDER_ASSETS or bin/k8s (make k8s-bins).
package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/dropship-operator/dropship-operator/test/harness"
)

var (
	repoRoot string
	binDir   string
	k8sBin   string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrllog.SetLogger(logr.Discard()) // envtest logs through controller-runtime; the harness logs through testr
	var err error
	if repoRoot, err = harness.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	k8sBin = os.Getenv("KUBEBUILDER_ASSETS")
	if k8sBin == "" {
		k8sBin = filepath.Join(repoRoot, "bin", "k8s")
	}
	if _, err := os.Stat(filepath.Join(k8sBin, "kubectl")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: kube-apiserver, etcd and kubectl are needed in %s: run `make k8s-bins`\n", k8sBin)
		return 1
	}
	dir, err := os.MkdirTemp("", "dropship-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := harness.BuildBinaries(ctx, repoRoot, binDir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
