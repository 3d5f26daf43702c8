package controllers

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

var ignoreTime = cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime")

func cond(typ string, status metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: 4}
}

func TestSetCredentialsResolved(t *testing.T) {
	cases := map[string]struct {
		in   credentials
		want metav1.Condition
	}{
		"no refs": {in: credentials{}, want: cond("CredentialsResolved", "True", "Succeeded", "no credentials are needed")},
		"all present": {in: credentials{Refs: 2},
			want: cond("CredentialsResolved", "True", "Succeeded", "every referenced Secret holds the keys its auth mode needs")},
		"one missing": {in: credentials{Refs: 1, Missing: []string{"cred"}},
			want: cond("CredentialsResolved", "False", "SecretNotFound", `Secret "cred" not found`)},
		"two missing": {in: credentials{Refs: 2, Missing: []string{"a", "b"}},
			want: cond("CredentialsResolved", "False", "SecretNotFound", `Secrets "a", "b" not found`)},
		"missing keys": {in: credentials{Refs: 2, MissingKeys: map[string][]string{"b": {"token"}, "a": {"appID", "appSecret"}}},
			want: cond("CredentialsResolved", "False", "SecretKeyMissing", `Secret "a" lacks key "appID", "appSecret"; Secret "b" lacks key "token"`)},
		"read error": {in: credentials{Refs: 1, Err: errors.New("boom: s3cr3t")},
			want: cond("CredentialsResolved", "Unknown", "ReconcileFailed", "cannot read the referenced Secrets; retrying")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var conds []metav1.Condition
			setCredentialsResolved(&conds, 4, tc.in)
			if d := cmp.Diff([]metav1.Condition{tc.want}, conds, ignoreTime); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSetReadyStalledReconciling(t *testing.T) {
	deps := []string{"SourceResolved", "DispatcherAvailable"}
	cases := map[string]struct {
		reason string
		conds  []metav1.Condition
		in     readyInputs
		want   []metav1.Condition
	}{
		"all true": {
			reason: "Ready is True and kstatus conditions are removed",
			conds: []metav1.Condition{
				cond("SourceResolved", "True", "Succeeded", "ok"), cond("DispatcherAvailable", "True", "Succeeded", "ok"),
				cond("Reconciling", "True", "Progressing", "old"),
			},
			in: readyInputs{Deps: deps, OKMessage: "fine"},
			want: []metav1.Condition{
				cond("DispatcherAvailable", "True", "Succeeded", "ok"), cond("Ready", "True", "Succeeded", "fine"),
				cond("SourceResolved", "True", "Succeeded", "ok"),
			},
		},
		"missing reference": {
			reason: "a missing reference makes Ready False with its reason and the object Stalled",
			conds: []metav1.Condition{
				cond("SourceResolved", "False", "SourceNotFound", `OrderSource "x" not found`),
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "no"),
			},
			in: readyInputs{Deps: deps},
			want: []metav1.Condition{
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "no"),
				cond("Ready", "False", "SourceNotFound", `OrderSource "x" not found`),
				cond("SourceResolved", "False", "SourceNotFound", `OrderSource "x" not found`),
				cond("Stalled", "True", "SourceNotFound", `OrderSource "x" not found`),
			},
		},
		"waiting for deployment": {
			reason: "waiting for the Deployment is progress, not a stall",
			conds: []metav1.Condition{
				cond("SourceResolved", "True", "Succeeded", "ok"),
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "not yet"),
				cond("Stalled", "True", "SourceNotFound", "old"),
			},
			in: readyInputs{Deps: deps},
			want: []metav1.Condition{
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "not yet"),
				cond("Ready", "False", "DeploymentUnavailable", "not yet"),
				cond("Reconciling", "True", "Progressing", "not yet"),
				cond("SourceResolved", "True", "Succeeded", "ok"),
			},
		},
		"transient error": {
			reason: "an error after the dependencies resolved is Unknown and Reconciling",
			conds: []metav1.Condition{
				cond("SourceResolved", "True", "Succeeded", "ok"), cond("DispatcherAvailable", "True", "Succeeded", "ok"),
			},
			in: readyInputs{Deps: deps, Err: errors.New("conflict")},
			want: []metav1.Condition{
				cond("DispatcherAvailable", "True", "Succeeded", "ok"),
				cond("Ready", "Unknown", "ReconcileFailed", "the last reconcile failed and is retried"),
				cond("Reconciling", "True", "ReconcileFailed", "the last reconcile failed and is retried"),
				cond("SourceResolved", "True", "Succeeded", "ok"),
			},
		},
		"invalid spec": {
			reason: "a spec that cannot be rendered is terminal: Ready False and Stalled, not retried",
			conds: []metav1.Condition{
				cond("SourceResolved", "True", "Succeeded", "ok"),
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "not yet"),
			},
			in: readyInputs{Deps: deps, Invalid: "invalid dispatcher config: rules[0].name: is required"},
			want: []metav1.Condition{
				cond("DispatcherAvailable", "False", "DeploymentUnavailable", "not yet"),
				cond("Ready", "False", "InvalidSpec", "invalid dispatcher config: rules[0].name: is required"),
				cond("SourceResolved", "True", "Succeeded", "ok"),
				cond("Stalled", "True", "InvalidSpec", "invalid dispatcher config: rules[0].name: is required"),
			},
		},
		"suspended": {
			reason: "a suspended object is neither Reconciling nor Stalled",
			conds:  []metav1.Condition{cond("Stalled", "True", "SecretNotFound", "old")},
			in:     readyInputs{Deps: deps, Suspended: true},
			want:   []metav1.Condition{cond("Ready", "False", "Suspended", "reconciliation is suspended")},
		},
		"dependency not evaluated": {
			reason: "Ready is Unknown while a dependency has no condition yet",
			in:     readyInputs{Deps: deps},
			want: []metav1.Condition{
				cond("Ready", "Unknown", "Progressing", "SourceResolved is not known yet"),
				cond("Reconciling", "True", "Progressing", "SourceResolved is not known yet"),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			conds := tc.conds
			setReady(&conds, 4, tc.in)
			setStalled(&conds, 4)
			setReconciling(&conds, 4)
			got := ownedConditions(conds, policyOwnedConditions)
			if d := cmp.Diff(tc.want, got, ignoreTime, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

func TestSetSourceResolved(t *testing.T) {
	cases := map[string]struct {
		in   sourceFacts
		want metav1.Condition
	}{
		"resolved":  {in: sourceFacts{Name: "erp", Found: true}, want: cond("SourceResolved", "True", "Succeeded", `OrderSource "erp" resolved`)},
		"not found": {in: sourceFacts{Name: "erp"}, want: cond("SourceResolved", "False", "SourceNotFound", `OrderSource "erp" not found`)},
		"secret missing": {in: sourceFacts{Name: "erp", Found: true, Credentials: credentials{Missing: []string{"cred"}}},
			want: cond("SourceResolved", "False", "SourceNotReady", `OrderSource "erp": Secret "cred" not found`)},
		"key missing": {in: sourceFacts{Name: "erp", Found: true, Credentials: credentials{MissingKeys: map[string][]string{"cred": {"password"}}}},
			want: cond("SourceResolved", "False", "SourceNotReady", `OrderSource "erp": Secret "cred" lacks key "password"`)},
		"read error": {in: sourceFacts{Name: "erp", Err: errors.New("timeout")},
			want: cond("SourceResolved", "Unknown", "ReconcileFailed", `cannot read OrderSource "erp" or its Secrets; retrying`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var conds []metav1.Condition
			setSourceResolved(&conds, 4, tc.in)
			if d := cmp.Diff([]metav1.Condition{tc.want}, conds, ignoreTime); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSetSuppliersResolved(t *testing.T) {
	ok := map[string]credentials{"a": {}, "b": {Refs: 1}}
	cases := map[string]struct {
		in   suppliersFacts
		want metav1.Condition
	}{
		"resolved": {in: suppliersFacts{Names: []string{"a", "b"}, Credentials: ok},
			want: cond("SuppliersResolved", "True", "Succeeded", "2 suppliers resolved")},
		"one missing": {in: suppliersFacts{Names: []string{"a", "b"}, Missing: []string{"b"}, Credentials: ok},
			want: cond("SuppliersResolved", "False", "SupplierNotFound", `Supplier "b" not found`)},
		"credentials": {in: suppliersFacts{Names: []string{"a", "b"}, Credentials: map[string]credentials{"a": {}, "b": {Missing: []string{"b-cred"}}}},
			want: cond("SuppliersResolved", "False", "SupplierNotReady", `Supplier "b": Secret "b-cred" not found`)},
		"configmap": {in: suppliersFacts{Names: []string{"a"}, Credentials: map[string]credentials{"a": {}},
			MissingConfigMaps: map[string]configMapProblem{"a": {Reason: "ConfigMapNotFound", Message: `ConfigMap "skus" not found`}}},
			want: cond("SuppliersResolved", "False", "ConfigMapNotFound", `Supplier "a": ConfigMap "skus" not found`)},
		"read error": {in: suppliersFacts{Err: errors.New("x")},
			want: cond("SuppliersResolved", "Unknown", "ReconcileFailed", "cannot read the referenced Suppliers; retrying")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var conds []metav1.Condition
			setSuppliersResolved(&conds, 4, tc.in)
			if d := cmp.Diff([]metav1.Condition{tc.want}, conds, ignoreTime); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSetDispatcherAvailable(t *testing.T) {
	dep := func(status corev1.ConditionStatus, msg string) *appsv1.Deployment {
		return &appsv1.Deployment{Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue},
			{Type: appsv1.DeploymentAvailable, Status: status, Message: msg},
		}}}
	}
	cases := map[string]struct {
		in   dispatcherFacts
		want metav1.Condition
	}{
		"available": {in: dispatcherFacts{Name: "d", Deployment: dep(corev1.ConditionTrue, "")},
			want: cond("DispatcherAvailable", "True", "Succeeded", `Deployment "d" is available`)},
		"unavailable": {in: dispatcherFacts{Name: "d", Deployment: dep(corev1.ConditionFalse, "Deployment does not have minimum availability.")},
			want: cond("DispatcherAvailable", "False", "DeploymentUnavailable", `Deployment "d" is not available: Deployment does not have minimum availability.`)},
		"no status yet": {in: dispatcherFacts{Name: "d", Deployment: &appsv1.Deployment{}},
			want: cond("DispatcherAvailable", "False", "DeploymentUnavailable", `Deployment "d" is not available yet`)},
		"missing": {in: dispatcherFacts{Name: "d"},
			want: cond("DispatcherAvailable", "False", "DeploymentUnavailable", `Deployment "d" is not available yet`)},
		"suspended": {in: dispatcherFacts{Name: "d", Suspended: true, Deployment: dep(corev1.ConditionTrue, "")},
			want: cond("DispatcherAvailable", "False", "Suspended", "the dispatcher is scaled to zero while the policy is suspended")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var conds []metav1.Condition
			setDispatcherAvailable(&conds, 4, tc.in)
			if d := cmp.Diff([]metav1.Condition{tc.want}, conds, ignoreTime); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestConditionTransitionTimeKept(t *testing.T) {
	then := metav1.NewTime(metav1.Now().Add(-3600e9))
	conds := []metav1.Condition{{Type: "CredentialsResolved", Status: "True", Reason: "Succeeded", Message: "no credentials are needed", LastTransitionTime: then, ObservedGeneration: 3}}
	setCredentialsResolved(&conds, 4, credentials{})
	if !conds[0].LastTransitionTime.Equal(&then) {
		t.Errorf("lastTransitionTime moved without a status change: %v", conds[0].LastTransitionTime)
	}
	if conds[0].ObservedGeneration != 4 {
		t.Errorf("observedGeneration = %d, want 4", conds[0].ObservedGeneration)
	}
}

func TestComputePolicyStatusObservedGeneration(t *testing.T) {
	p := &dropshipv1.RoutingPolicy{ObjectMeta: metav1.ObjectMeta{Name: "main", Generation: 5}}
	p.Status.ObservedGeneration = 4
	s := &policyScope{policy: p, dispatcher: dispatcherFacts{Name: "main-dispatcher"}}
	if got := computePolicyStatus(s, errors.New("boom")).ObservedGeneration; got != 4 {
		t.Errorf("after a failed reconcile observedGeneration = %d, want 4", got)
	}
	if got := computePolicyStatus(s, nil).ObservedGeneration; got != 5 {
		t.Errorf("after a successful reconcile observedGeneration = %d, want 5", got)
	}
}
