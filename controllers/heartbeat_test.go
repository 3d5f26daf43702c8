package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

func TestSetHeartbeat(t *testing.T) {
	now := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { v := now.Add(-d); return &v }
	available := func(status metav1.ConditionStatus, reason string, since time.Time) []metav1.Condition {
		return []metav1.Condition{{Type: dropshipv1.DispatcherAvailableCondition, Status: status, Reason: reason, LastTransitionTime: metav1.NewTime(since)}}
	}
	type want struct {
		Status metav1.ConditionStatus
		Reason string
		Since  time.Time
	}
	earlier := now.Add(-time.Hour)
	cases := map[string]struct {
		reason string
		conds  []metav1.Condition
		before []metav1.Condition
		f      heartbeatFacts
		want   want
	}{
		"fresh": {"renewed within 3 intervals", available("True", "Succeeded", earlier), nil,
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, Renewed: ago(40 * time.Second), Now: now},
			want{"True", "Succeeded", earlier}},
		"stale": {"not renewed for more than 3 intervals", available("True", "Succeeded", earlier), available("True", "Succeeded", earlier),
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, Renewed: ago(46 * time.Second), Now: now},
			want{"False", dropshipv1.HeartbeatMissingReason, now}},
		"still stale": {"a heartbeat missing since before keeps its transition time", available("True", "Succeeded", now), available("False", "HeartbeatMissing", earlier),
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, Renewed: ago(time.Hour), Now: now},
			want{"False", dropshipv1.HeartbeatMissingReason, earlier}},
		"no lease yet": {"a Deployment available for less than 3 intervals may not have elected yet", available("True", "Succeeded", now), nil,
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, AvailableSince: now.Add(-20 * time.Second), Now: now},
			want{"True", "Succeeded", now}},
		"no lease": {"no Lease long after the Deployment became available", available("True", "Succeeded", now), nil,
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, AvailableSince: earlier, Now: now},
			want{"False", dropshipv1.HeartbeatMissingReason, now}},
		"unavailable": {"an unavailable Deployment keeps its own reason", available("False", "DeploymentUnavailable", earlier), nil,
			heartbeatFacts{Checked: true, Interval: 15 * time.Second, Now: now},
			want{"False", "DeploymentUnavailable", earlier}},
		"not checked": {"suspended or not rendered: nothing to judge", available("True", "Succeeded", earlier), nil,
			heartbeatFacts{}, want{"True", "Succeeded", earlier}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			conds := tc.conds
			setHeartbeat(&conds, tc.before, 1, tc.f)
			c := conds[0]
			if d := cmp.Diff(tc.want, want{c.Status, c.Reason, c.LastTransitionTime.Time}); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}
