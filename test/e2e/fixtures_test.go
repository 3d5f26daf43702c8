package e2e

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func secret(ns, name, key, value string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{key: []byte(value)}}
}

func dur(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

// webhookSource takes orders signed with apptest.IntakeSecret.
func webhookSource(ns string) []client.Object {
	return []client.Object{
		secret(ns, "intake", config.SecretKeyHMACSecret, apptest.IntakeSecret),
		&dropshipv1.OrderSource{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "intake"},
			Spec: dropshipv1.OrderSourceSpec{
				Webhook: &dropshipv1.WebhookSource{SecretRef: dropshipv1.SecretReference{Name: "intake"}},
			},
		},
	}
}

// simSupplier is a Supplier sending to a simulator's orders URL, with short timeouts and
// few retries so a failing supplier shows quickly.
func simSupplier(ns, name, url string) *dropshipv1.Supplier {
	return &dropshipv1.Supplier{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.SupplierSpec{
			Endpoint: dropshipv1.SupplierEndpoint{HTTP: &dropshipv1.HTTPEndpoint{
				URL:      url,
				Auth:     dropshipv1.HTTPAuth{Type: dropshipv1.HTTPAuthNone},
				Response: &dropshipv1.HTTPResponse{AcceptedWhen: "code == 0"},
				Shipments: dropshipv1.Shipments{Mode: dropshipv1.ShipmentsCallback,
					CallbackSecretRef: &dropshipv1.SecretReference{Name: "callbacks"}},
			}},
			Regions: []string{"*"},
			Delivery: dropshipv1.Delivery{Timeout: dur(2 * time.Second),
				Retry: dropshipv1.Retry{Attempts: 3, Initial: dur(100 * time.Millisecond), Max: dur(300 * time.Millisecond)}},
		},
	}
}

// weightedPolicy routes every line by weight over suppliers, adaptively on a short window.
func weightedPolicy(ns, name string, window time.Duration, weights map[string]int32, order ...string) *dropshipv1.RoutingPolicy {
	var tier dropshipv1.Tier
	for _, s := range order {
		tier.Suppliers = append(tier.Suppliers, dropshipv1.WeightedSupplier{Name: s, Weight: weights[s]})
	}
	return &dropshipv1.RoutingPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.RoutingPolicySpec{
			SourceRef: dropshipv1.LocalObjectReference{Name: "intake"},
			Rules:     []dropshipv1.Rule{{Name: "all", Tiers: []dropshipv1.Tier{tier}}},
			Adaptive: dropshipv1.Adaptive{Enabled: true, Window: dur(window), MinRequests: 10, ConsecutiveFailures: 5,
				FailurePercent: 20, BaseEjectionTime: dur(3 * time.Second), MaxEjectionTime: dur(6 * time.Second), MaxEjectionPercent: 50},
		},
	}
}

func getSupplier(ns, name string) (*dropshipv1.Supplier, error) {
	s := &dropshipv1.Supplier{}
	return s, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s)
}

func getPolicy(ns, name string) (*dropshipv1.RoutingPolicy, error) {
	p := &dropshipv1.RoutingPolicy{}
	return p, k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, p)
}

// conditionIs checks one condition's status and, unless reasons is empty, its reason.
func conditionIs(conds []metav1.Condition, t string, want metav1.ConditionStatus, reasons ...string) error {
	c := meta.FindStatusCondition(conds, t)
	if c == nil {
		return fmt.Errorf("no %s condition", t)
	}
	if c.Status != want {
		return fmt.Errorf("%s is %s (%s: %s), want %s", t, c.Status, c.Reason, c.Message, want)
	}
	for _, r := range reasons {
		if c.Reason == r {
			return nil
		}
	}
	if len(reasons) > 0 {
		return fmt.Errorf("%s reason %s, want one of %v", t, c.Reason, reasons)
	}
	return nil
}

func allocationOf(p *dropshipv1.RoutingPolicy, supplier string) *dropshipv1.Allocation {
	for i := range p.Status.Allocation {
		if p.Status.Allocation[i].Supplier == supplier {
			return &p.Status.Allocation[i]
		}
	}
	return nil
}

// supplierEvents lists the Events regarding a supplier, by type.
func supplierEvents(ns, name, typ string) ([]eventsv1.Event, error) {
	var l eventsv1.EventList
	if err := k8s.List(context.Background(), &l, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []eventsv1.Event
	for _, e := range l.Items {
		if e.Regarding.Kind == dropshipv1.SupplierKind && e.Regarding.Name == name && e.Type == typ {
			out = append(out, e)
		}
	}
	return out, nil
}

// kstatusOf computes the kstatus of one object as read now.
func kstatusOf(ns, kind, name string) (status.Status, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: dropshipv1.GroupVersion.Group, Version: dropshipv1.GroupVersion.Version, Kind: kind})
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, u); err != nil {
		return "", err
	}
	r, err := status.Compute(u)
	if err != nil {
		return "", err
	}
	return r.Status, nil
}
