package controllers

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
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

func webhookSource(ns, name, secretName string) *dropshipv1.OrderSource {
	return &dropshipv1.OrderSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.OrderSourceSpec{
			Webhook: &dropshipv1.WebhookSource{SecretRef: dropshipv1.SecretReference{Name: secretName}},
		},
	}
}

func k3cloudSource(ns, name, secretName string) *dropshipv1.OrderSource {
	return &dropshipv1.OrderSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.OrderSourceSpec{K3Cloud: &dropshipv1.K3CloudSource{
			K3CloudConnection: dropshipv1.K3CloudConnection{
				URL: "https://erp.example.com/k3cloud/", AcctID: "64a1b2c3d4e5f6",
				Auth: dropshipv1.K3CloudAuth{
					Mode:                 dropshipv1.K3CloudAuthPassword,
					CredentialsSecretRef: dropshipv1.SecretReference{Name: secretName},
				},
			},
			SalesOrders: dropshipv1.SalesOrderQuery{Filter: "F_DropShip = 1"},
		}},
	}
}

// httpSupplier is a supplier with an HTTP endpoint; with a secret name it authenticates
// with HMAC.
func httpSupplier(ns, name, secretName string) *dropshipv1.Supplier {
	s := &dropshipv1.Supplier{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.SupplierSpec{
			Endpoint: dropshipv1.SupplierEndpoint{HTTP: &dropshipv1.HTTPEndpoint{
				URL:  "https://" + name + ".example/v1/orders",
				Auth: dropshipv1.HTTPAuth{Type: dropshipv1.HTTPAuthNone},
				Shipments: dropshipv1.Shipments{
					Mode:               dropshipv1.ShipmentsPoll,
					PollURL:            "https://" + name + ".example/v1/orders/{{.SupplierOrderID}}",
					ShippedWhen:        "status == 'shipped'",
					TrackingNumberPath: "data.tracking_no",
				},
			}},
			Regions: []string{"*"},
		},
	}
	if secretName != "" {
		s.Spec.Endpoint.HTTP.Auth = dropshipv1.HTTPAuth{
			Type: dropshipv1.HTTPAuthHMAC, SecretRef: &dropshipv1.SecretReference{Name: secretName},
		}
	}
	return s
}

func policy(ns, name, source string, suppliers ...string) *dropshipv1.RoutingPolicy {
	var tier dropshipv1.Tier
	for _, s := range suppliers {
		tier.Suppliers = append(tier.Suppliers, dropshipv1.WeightedSupplier{Name: s, Weight: 10})
	}
	return &dropshipv1.RoutingPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: dropshipv1.RoutingPolicySpec{
			SourceRef: dropshipv1.LocalObjectReference{Name: source},
			Rules:     []dropshipv1.Rule{{Name: "all", Tiers: []dropshipv1.Tier{tier}}},
		},
	}
}
