package kube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// reportingController names the dispatcher in Events.
const reportingController = "dropship.dev/dispatcher"

// Options configure a Reporter.
type Options struct {
	// Policy is the RoutingPolicy the dispatcher runs; every object reported on is in its
	// namespace.
	Policy config.PolicyRef
	// Source is the OrderSource's name (written only when Figures.Source is set).
	Source string
	// Interval between reports (jittered up to +10%); config.DefaultReportingInterval when 0.
	Interval time.Duration
	// LeaseName is the Lease the replicas elect the reporter with.
	LeaseName string
	// Identity is this replica's name in the Lease and in Events (POD_NAME).
	Identity string
	// Kubeconfig is the kubeconfig file to reach the API server with; empty means the
	// pod's in-cluster configuration.
	Kubeconfig string
	Log        logr.Logger
}

type clients struct {
	kube kubernetes.Interface
	dyn  dynamic.Interface
}

// Reporter writes a policy's figures into its custom resources while it holds the Lease.
type Reporter struct {
	opts    Options
	log     logr.Logger
	src     Source
	clients clients
	manager string
	writes  atomic.Int64

	// Everything below belongs to the report loop and is reset at every leadership.
	suppliers map[string]*supplierView
	alarmed   map[string]bool
	policy    *policyView
	source    *dropshipv1.OrderSourceStatus
	history   []sample
	dlAlarm   bool
	policyUID types.UID
}

// New builds a Reporter; nothing runs until Run.
func New(src Source, opts Options) (*Reporter, error) {
	if opts.Interval <= 0 {
		opts.Interval = 15 * time.Second
	}
	if opts.Policy.Namespace == "" || opts.Policy.Name == "" || opts.LeaseName == "" || opts.Identity == "" {
		return nil, errors.New("cannot create status reporter: policy namespace and name, lease name and identity are required")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", opts.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("cannot configure the Kubernetes client for policy %q: %w", opts.Policy.String(), err)
	}
	kc, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("cannot create Kubernetes client for policy %q: %w", opts.Policy.String(), err)
	}
	dc, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("cannot create Kubernetes client for policy %q: %w", opts.Policy.String(), err)
	}
	return &Reporter{opts: opts, log: opts.Log.WithValues("policy", opts.Policy.String()), src: src,
		clients: clients{kube: kc, dyn: dc}, manager: FieldManager(opts.Policy.Name)}, nil
}

// FieldManager is the server-side-apply field manager of a policy's dispatcher:
// "dropship-dispatcher/<policy>", shortened with a hash past the 128-byte limit.
func FieldManager(policy string) string {
	m := "dropship-dispatcher/" + policy
	if len(m) <= 128 {
		return m
	}
	h := sha256.Sum256([]byte(policy))
	return m[:128-17] + "-" + hex.EncodeToString(h[:8])
}

// Writes is how many status writes (applies) the reporter issued.
func (r *Reporter) Writes() int64 { return r.writes.Load() }

// electionTimings derive the Lease timings from the interval: renewals every min(2s,
// interval/2), so the Lease's renewTime — the heartbeat — is always fresher than one
// interval; lease duration and renew deadline keep client-go's default ratios (15s, 10s,
// 2s).
func electionTimings(interval time.Duration) (lease, renew, retry time.Duration) {
	retry = min(2*time.Second, interval/2)
	return retry * 15 / 2, retry * 5, retry
}

// Run takes part in the election until ctx ends, reporting while it leads.
func (r *Reporter) Run(ctx context.Context) error {
	lease, renew, retry := electionTimings(r.opts.Interval)
	for ctx.Err() == nil {
		le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
			Lock: &resourcelock.LeaseLock{
				LeaseMeta:  metav1.ObjectMeta{Namespace: r.opts.Policy.Namespace, Name: r.opts.LeaseName},
				Client:     r.clients.kube.CoordinationV1(),
				LockConfig: resourcelock.ResourceLockConfig{Identity: r.opts.Identity},
			},
			LeaseDuration: lease, RenewDeadline: renew, RetryPeriod: retry,
			ReleaseOnCancel: true,
			Name:            r.opts.LeaseName,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: r.lead,
				OnStoppedLeading: func() { r.log.Info("stopped reporting", "lease", r.opts.LeaseName) },
			},
		})
		if err != nil {
			return fmt.Errorf("cannot elect a reporter on Lease %q: %w", r.opts.LeaseName, err)
		}
		le.Run(ctx)
	}
	return nil
}

// lead reports every interval (jittered) until ctx ends: leadership was lost or the
// dispatcher stops.
func (r *Reporter) lead(ctx context.Context) {
	r.log.Info("reporting status", "lease", r.opts.LeaseName, "identity", r.opts.Identity, "interval", r.opts.Interval.String())
	r.suppliers, r.alarmed, r.policy, r.source, r.history, r.dlAlarm = map[string]*supplierView{}, map[string]bool{}, nil, nil, nil, false
	for {
		if err := r.ReportOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Error(err, "cannot report status")
		}
		d := r.opts.Interval + rand.N(r.opts.Interval/10+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
}

// ReportOnce gathers the figures and writes what changed significantly since the last
// write. It is what the loop calls every interval.
func (r *Reporter) ReportOnce(ctx context.Context) error {
	if r.suppliers == nil {
		r.suppliers, r.alarmed = map[string]*supplierView{}, map[string]bool{}
	}
	f, err := r.src.Gather(ctx)
	if err != nil {
		return fmt.Errorf("cannot gather figures of policy %q: %w", r.opts.Policy.String(), err)
	}
	var errs []error
	for _, s := range f.Suppliers {
		errs = append(errs, r.reportSupplier(ctx, s, f.Now))
	}
	errs = append(errs, r.reportPolicy(ctx, f))
	if f.Source != nil {
		errs = append(errs, r.reportSource(ctx, f.Source, f.Now))
	}
	return errors.Join(errs...)
}
