package kube

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// Event reasons beyond the condition reasons: a supplier's recovery.
const recoveredReason = "Healthy"

// event is one Event to emit about a dropship object.
type event struct {
	Kind, Name string
	UID        types.UID
	Type       string
	Reason     string
	Action     string
	Note       string
}

// supplierEvent decides the Event of a supplier's Healthy verdict: one Warning (reason =
// the verdict's reason) when it turns False, one Normal "Healthy" when it is True again.
// alarmed is whether a Warning was sent and not yet followed by a recovery; Unknown
// (too few calls) changes nothing, so a supplier drifting between False and Inconclusive
// raises one Event, not one per flip.
func supplierEvent(alarmed bool, name, policy string, v verdict) (*event, bool) {
	switch {
	case !alarmed && v.Status == metav1.ConditionFalse:
		action := "Deprioritize"
		if v.Reason == dropshipv1.EjectedReason {
			action = "Eject"
		}
		return &event{Kind: dropshipv1.SupplierKind, Name: name, Type: corev1.EventTypeWarning, Reason: v.Reason,
			Action: action, Note: truncate(fmt.Sprintf("policy %s: %s", policy, v.Message), 1024)}, true
	case alarmed && v.Status == metav1.ConditionTrue:
		return &event{Kind: dropshipv1.SupplierKind, Name: name, Type: corev1.EventTypeNormal, Reason: recoveredReason,
			Action: "Restore", Note: truncate(fmt.Sprintf("policy %s: recovered: %s", policy, v.Message), 1024)}, false
	}
	return nil, alarmed
}

// deadLetterEvent decides the Event of a dead-letter burst: one Warning when lines start
// being dead-lettered within the window (grew > 0), none while the burst goes on, and the
// alarm clears once a whole window passed without one.
func deadLetterEvent(alarmed bool, policy string, grew int64, window time.Duration) (*event, bool) {
	switch {
	case !alarmed && grew > 0:
		return &event{Kind: dropshipv1.RoutingPolicyKind, Name: policy, Type: corev1.EventTypeWarning,
			Reason: dropshipv1.DeadLetteredReason, Action: "DeadLetter",
			Note: fmt.Sprintf("%d lines dead-lettered in the last %s", grew, window)}, true
	case alarmed && grew == 0:
		return nil, false
	}
	return nil, alarmed
}

// deadLetteredWithin is how many lines were dead-lettered within window of the newest
// sample.
func deadLetteredWithin(h []sample, window time.Duration) int64 {
	if len(h) < 2 {
		return 0
	}
	now := h[len(h)-1]
	var grew int64
	for _, s := range h[:len(h)-1] {
		if now.At.Sub(s.At) <= window {
			grew = max(grew, now.DeadLettered-s.DeadLettered)
		}
	}
	return grew
}

// emit creates an events.k8s.io Event.
func (r *Reporter) emit(ctx context.Context, e *event, now time.Time) {
	ev := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", truncate(e.Name, 200), now.UnixNano()), Namespace: r.opts.Policy.Namespace},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: reportingController,
		ReportingInstance:   truncate(r.opts.Identity, 128),
		Action:              e.Action,
		Reason:              e.Reason,
		Type:                e.Type,
		Note:                e.Note,
		Regarding: corev1.ObjectReference{APIVersion: dropshipv1.GroupVersion.String(), Kind: e.Kind,
			Namespace: r.opts.Policy.Namespace, Name: e.Name, UID: e.UID},
	}
	if _, err := r.clients.kube.EventsV1().Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		r.log.Error(err, "cannot create Event", "kind", e.Kind, "name", e.Name, "reason", e.Reason)
		return
	}
	r.log.Info("event", "kind", e.Kind, "name", e.Name, "reason", e.Reason, "type", e.Type)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
