package controllers

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1alpha1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8sClient.Create(context.Background(), obj); err != nil {
		t.Fatalf("cannot create %T %q: %v", obj, obj.GetName(), err)
	}
}

func secret(ns, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func webhookSource(ns, name, secretName string) *dropshipv1alpha1.OrderSource {
	return &dropshipv1alpha1.OrderSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1alpha1.OrderSourceSpec{
			Webhook: &dropshipv1alpha1.WebhookSource{SecretRef: dropshipv1alpha1.SecretReference{Name: secretName}},
		},
	}
}

func k3cloudSource(ns, name, secretName string) *dropshipv1alpha1.OrderSource {
	return &dropshipv1alpha1.OrderSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1alpha1.OrderSourceSpec{K3Cloud: &dropshipv1alpha1.K3CloudSource{
			K3CloudConnection: dropshipv1alpha1.K3CloudConnection{
				URL: "https://erp.example.com/k3cloud/", AcctID: "64a1b2c3d4e5f6",
				Auth: dropshipv1alpha1.K3CloudAuth{
					Mode:                 dropshipv1alpha1.K3CloudAuthPassword,
					CredentialsSecretRef: dropshipv1alpha1.SecretReference{Name: secretName},
				},
			},
			SalesOrders: dropshipv1alpha1.SalesOrderQuery{Filter: "F_DropShip = 1"},
		}},
	}
}

// httpSupplier is a supplier with an HTTP endpoint; with a secret name it authenticates
// with HMAC.
func httpSupplier(ns, name, secretName string) *dropshipv1alpha1.Supplier {
	s := &dropshipv1alpha1.Supplier{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1alpha1.SupplierSpec{
			Endpoint: dropshipv1alpha1.SupplierEndpoint{HTTP: &dropshipv1alpha1.HTTPEndpoint{
				URL:  "https://" + name + ".example/v1/orders",
				Auth: dropshipv1alpha1.HTTPAuth{Type: dropshipv1alpha1.HTTPAuthNone},
				Shipments: dropshipv1alpha1.Shipments{
					Mode:               dropshipv1alpha1.ShipmentsPoll,
					PollURL:            "https://" + name + ".example/v1/orders/{{.SupplierOrderID}}",
					ShippedWhen:        "status == 'shipped'",
					TrackingNumberPath: "data.tracking_no",
				},
			}},
			Regions: []string{"*"},
		},
	}
	if secretName != "" {
		s.Spec.Endpoint.HTTP.Auth = dropshipv1alpha1.HTTPAuth{
			Type: dropshipv1alpha1.HTTPAuthHMAC, SecretRef: &dropshipv1alpha1.SecretReference{Name: secretName},
		}
	}
	return s
}

func policy(ns, name, source string, suppliers ...string) *dropshipv1alpha1.RoutingPolicy {
	var tier dropshipv1alpha1.Tier
	for _, s := range suppliers {
		tier.Suppliers = append(tier.Suppliers, dropshipv1alpha1.WeightedSupplier{Name: s, Weight: 10})
	}
	return &dropshipv1alpha1.RoutingPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1alpha1.RoutingPolicySpec{
			SourceRef: dropshipv1alpha1.LocalObjectReference{Name: source},
			Rules:     []dropshipv1alpha1.Rule{{Name: "all", Tiers: []dropshipv1alpha1.Tier{tier}}},
		},
	}
}
