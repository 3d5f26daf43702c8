// Command manager runs the dropship-operator: the OrderSource, Supplier and RoutingPolicy
// reconcilers that turn the dropship.dev custom resources into dispatcher workloads.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	_ "time/tzdata" // time zones for supplier capacity days, also in a scratch image

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/controllers"
	"github.com/dropship-operator/dropship-operator/internal/version"
)

// defaultDispatcherImage is the image dispatchers run from unless --dispatcher-image or a
// policy says otherwise: the operator's own image holds the dispatcher binary.
const defaultDispatcherImage = "ghcr.io/dropship-operator/dropship-operator:latest"

type options struct {
	metricsAddr     string
	secureMetrics   bool
	enableHTTP2     bool
	probeAddr       string
	leaderElect     bool
	leaderElectNS   string
	watchNamespace  string
	dispatcherImage string
	concurrency     int
	reporting       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", ":8443", "Address the metrics endpoint binds to; 0 disables it.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with authentication and authorization.")
	flag.BoolVar(&o.enableHTTP2, "enable-http2", false, "Serve metrics with HTTP/2 (off because of HTTP/2 rapid-reset attacks).")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address the /healthz and /readyz probes bind to.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader so only one manager reconciles at a time.")
	flag.StringVar(&o.leaderElectNS, "leader-election-namespace", "", "Namespace of the leader election Lease (default: the pod's namespace).")
	flag.StringVar(&o.watchNamespace, "watch-namespace", "", "Reconcile only this namespace (default: all namespaces).")
	flag.StringVar(&o.dispatcherImage, "dispatcher-image", defaultDispatcherImage, "Image dispatchers run unless a RoutingPolicy names another.")
	flag.IntVar(&o.concurrency, "concurrency", 4, "Reconciles each controller runs at the same time.")
	flag.DurationVar(&o.reporting, "dispatcher-reporting-interval", controllers.DefaultReportingInterval, "How often dispatchers report status; a dispatcher whose Lease was not renewed within 3 intervals makes its policy HeartbeatMissing.")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))

	if err := run(ctrl.SetupSignalHandler(), o); err != nil {
		ctrl.Log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	log := ctrl.Log.WithName("setup")
	if o.dispatcherImage == "" {
		return errors.New("cannot start: --dispatcher-image must not be empty")
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return fmt.Errorf("cannot register client-go kinds: %w", err)
	}
	if err := dropshipv1.AddToScheme(scheme); err != nil {
		return fmt.Errorf("cannot register dropship.dev kinds: %w", err)
	}
	var tlsOpts []func(*tls.Config)
	if !o.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metrics := metricsserver.Options{BindAddress: o.metricsAddr, SecureServing: o.secureMetrics, TLSOpts: tlsOpts}
	if o.secureMetrics {
		metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("cannot load a kubeconfig: %w", err)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metrics,
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              "dropship-operator.dropship.dev",
		LeaderElectionNamespace:       o.leaderElectNS,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         controllers.CacheOptions(o.watchNamespace),
		Controller:                    config.Controller{MaxConcurrentReconciles: o.concurrency},
	})
	if err != nil {
		return fmt.Errorf("cannot create the manager: %w", err)
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{DispatcherImage: o.dispatcherImage, ReportingInterval: o.reporting}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("cannot add the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("cannot add the readiness check: %w", err)
	}
	log.Info("starting manager", "version", version.Version, "dispatcherImage", o.dispatcherImage, "watchNamespace", o.watchNamespace)
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("cannot run the manager: %w", err)
	}
	return nil
}
