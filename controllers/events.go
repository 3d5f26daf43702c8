package controllers

import (
	"slices"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// recordReadyChange emits one Event when Ready changed status or reason, with the
// condition's reason and message (which never hold Secret data). A new object's first Ready
// is news only when it is stuck on something the user must fix (a Stalled reason).
func recordReadyChange(rec events.EventRecorder, obj runtime.Object, before, after []metav1.Condition) {
	if rec == nil {
		return
	}
	b := meta.FindStatusCondition(before, dropshipv1.ReadyCondition)
	a := meta.FindStatusCondition(after, dropshipv1.ReadyCondition)
	if a == nil || (b != nil && b.Status == a.Status && b.Reason == a.Reason) {
		return
	}
	if b == nil && !slices.Contains(stalledReasons, a.Reason) {
		return
	}
	typ := corev1.EventTypeNormal
	if a.Status != metav1.ConditionTrue && a.Reason != dropshipv1.SuspendedReason {
		typ = corev1.EventTypeWarning
	}
	rec.Eventf(obj, nil, typ, a.Reason, "Reconcile", "%s", a.Message)
}

// logReadyChange logs a change of Ready at info level: the one state change worth a line.
func logReadyChange(log logr.Logger, before, after []metav1.Condition) {
	b := meta.FindStatusCondition(before, dropshipv1.ReadyCondition)
	a := meta.FindStatusCondition(after, dropshipv1.ReadyCondition)
	if a == nil || (b != nil && b.Status == a.Status && b.Reason == a.Reason) {
		return
	}
	log.Info("ready changed", "ready", a.Status, "reason", a.Reason, "message", a.Message)
}
