package controllers

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// DefaultReportingInterval is how often dispatchers report unless Options say otherwise.
const DefaultReportingInterval = 15 * time.Second

// heartbeatIntervals is how many reporting intervals a dispatcher's Lease may go without
// renewal before its policy says HeartbeatMissing.
const heartbeatIntervals = 3

// heartbeatFacts is what the operator knows of a dispatcher's heartbeat: the renewTime of
// the Lease its replicas elect the status reporter with (renewed every few seconds by
// leader election whether or not there is anything to report).
type heartbeatFacts struct {
	// Checked is false when the heartbeat was not looked at (suspended, not rendered).
	Checked  bool
	Lease    string
	Interval time.Duration
	// Renewed is the Lease's renewTime; nil when the Lease or its renewTime is missing.
	Renewed *time.Time
	// AvailableSince is when the Deployment turned Available (zero when unknown).
	AvailableSince time.Time
	Now            time.Time
}

// setHeartbeat turns DispatcherAvailable=True into False/HeartbeatMissing when the Lease
// was not renewed within heartbeatIntervals intervals. A Deployment that became available
// less than that long ago gets the time to elect its reporter first. before is the status
// as read: a heartbeat that stays missing keeps its transition time, so nothing is
// rewritten while it stays missing.
func setHeartbeat(conds *[]metav1.Condition, before []metav1.Condition, gen int64, f heartbeatFacts) {
	const t = dropshipv1.DispatcherAvailableCondition
	c := meta.FindStatusCondition(*conds, t)
	if !f.Checked || c == nil || c.Status != metav1.ConditionTrue {
		return
	}
	limit := heartbeatIntervals * f.Interval
	var msg string
	switch {
	case f.Renewed != nil && f.Now.Sub(*f.Renewed) <= limit:
		return
	case f.Renewed == nil && !f.AvailableSince.IsZero() && f.Now.Sub(f.AvailableSince) <= limit:
		return
	case f.Renewed == nil:
		msg = fmt.Sprintf("the dispatcher has not taken its Lease %q", f.Lease)
	default:
		msg = fmt.Sprintf("the dispatcher has not renewed its Lease %q for more than %s", f.Lease, limit)
	}
	since := metav1.NewTime(f.Now)
	if b := meta.FindStatusCondition(before, t); b != nil && b.Status == metav1.ConditionFalse {
		since = b.LastTransitionTime
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: t, Status: metav1.ConditionFalse,
		Reason: dropshipv1.HeartbeatMissingReason, Message: msg, ObservedGeneration: gen, LastTransitionTime: since})
}

// deploymentAvailableSince is when the Deployment's Available condition turned True.
func deploymentAvailableSince(d *appsv1.Deployment) (time.Time, bool) {
	if d == nil {
		return time.Time{}, false
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return c.LastTransitionTime.Time, true
		}
	}
	return time.Time{}, false
}

// reportingInterval is the interval rendered into DispatcherConfigs.
func (r *RoutingPolicyReconciler) reportingInterval() time.Duration {
	if r.ReportingInterval > 0 {
		return r.ReportingInterval
	}
	return DefaultReportingInterval
}

// observeHeartbeat reads the dispatcher's Lease (uncached: the operator does not watch
// Leases) and asks to be called again within one interval, so a dispatcher that stops
// renewing is noticed without any object changing.
//
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch
func (r *RoutingPolicyReconciler) observeHeartbeat(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	if s.dispatcher.Deployment == nil {
		return ctrl.Result{}, nil
	}
	interval := r.reportingInterval()
	f := heartbeatFacts{Checked: true, Lease: s.dispatcher.Name, Interval: interval, Now: time.Now()}
	f.AvailableSince, _ = deploymentAvailableSince(s.dispatcher.Deployment)
	l := &coordinationv1.Lease{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: s.policy.Namespace, Name: f.Lease}, l)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("cannot get Lease %q: %w", f.Lease, err)
	case l.Spec.RenewTime != nil:
		t := l.Spec.RenewTime.Time
		f.Renewed = &t
	}
	s.heartbeat = f
	return ctrl.Result{RequeueAfter: interval}, nil
}

// setReporting turns status reporting on in a rendered config, at the operator's interval.
func (r *RoutingPolicyReconciler) setReporting(cfg *config.DispatcherConfig) {
	cfg.Reporting.Enabled = true
	cfg.Reporting.Interval = config.D(r.reportingInterval())
}
