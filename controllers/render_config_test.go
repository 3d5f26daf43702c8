package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func TestBuildConfig(t *testing.T) {
	src := k3cloudSource("shop", "kingdee-main", "kingdee-cred")
	a := httpSupplier("shop", "supplier-a", "supplier-a-cred")
	a.Spec.Endpoint.HTTP.Request = &dropshipv1.HTTPRequest{
		TemplateRef: &dropshipv1.ConfigMapKeyReference{Name: "templates", Key: "a.tmpl"},
	}
	a.Spec.Endpoint.HTTP.Shipments.CallbackSecretRef = &dropshipv1.SecretReference{Name: "callbacks"}
	a.Spec.Catalog = &dropshipv1.Catalog{
		SKUs:      []dropshipv1.CatalogItem{{SKU: "SKU-1", Price: "12.50"}},
		SKUMapRef: &dropshipv1.ConfigMapKeyReference{Name: "a-catalog", Key: "skus.csv"},
	}
	a.Spec.Delivery.Retry.Jitter = "0.3"
	a.Spec.Delivery.Timeout = &metav1.Duration{Duration: 7 * time.Second}
	b := httpSupplier("shop", "supplier-b", "")
	p := policy("shop", "main", "kingdee-main", "supplier-a", "supplier-b")
	p.Generation = 2
	p.Spec.Adaptive.SlowShipFactor = "2"

	cases := map[string]struct {
		mut            func(*dropshipv1.RoutingPolicy)
		wantSecrets    []string
		wantConfigMaps []string
		wantStore      config.Store
	}{
		"sqlite": {
			mut:            func(*dropshipv1.RoutingPolicy) {},
			wantSecrets:    []string{"callbacks", "kingdee-cred", "supplier-a-cred"},
			wantConfigMaps: []string{"a-catalog"},
			wantStore:      config.Store{Type: config.StoreSQLite, Path: SQLitePath},
		},
		"postgres": {
			mut: func(p *dropshipv1.RoutingPolicy) {
				p.Spec.Dispatcher.Store = dropshipv1.Store{Type: dropshipv1.StorePostgres,
					DSNSecretRef: &dropshipv1.SecretReference{Name: "pg"}}
			},
			wantSecrets:    []string{"callbacks", "kingdee-cred", "pg", "supplier-a-cred"},
			wantConfigMaps: []string{"a-catalog"},
			wantStore:      config.Store{Type: config.StorePostgres, DSNFile: "/var/run/dropship/secrets/pg/dsn"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pp := p.DeepCopy()
			tc.mut(pp)
			c, secrets, cms, err := buildConfig(configInput{
				Policy: pp, Source: src, Suppliers: []*dropshipv1.Supplier{a, b},
				Templates: map[string]string{"supplier-a": `{"id": "{{.ID}}"}`},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("rendered config is invalid: %v", err)
			}
			if d := cmp.Diff(tc.wantSecrets, secrets); d != "" {
				t.Errorf("secrets (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantConfigMaps, cms); d != "" {
				t.Errorf("configmaps (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantStore, c.Store); d != "" {
				t.Errorf("store (-want +got):\n%s", d)
			}
			got := map[string]any{
				"policy":       c.Policy,
				"credsDir":     c.Source.K3Cloud.Auth.CredentialsDir,
				"authMode":     c.Source.K3Cloud.Auth.Mode,
				"filter":       c.Source.K3Cloud.SalesOrders.Filter,
				"aSecretDir":   c.Suppliers[0].HTTP.Auth.SecretDir,
				"aCallbackDir": c.Suppliers[0].HTTP.Shipments.CallbackSecretDir,
				"aTemplate":    c.Suppliers[0].HTTP.Request.Template,
				"aSKUMap":      c.Suppliers[0].Catalog.SKUMapFile,
				"aPrice":       c.Suppliers[0].Catalog.SKUs[0].Price,
				"aJitter":      c.Suppliers[0].Delivery.Retry.Jitter,
				"aTimeout":     c.Suppliers[0].Delivery.Timeout.Duration,
				"bSecretDir":   c.Suppliers[1].HTTP.Auth.SecretDir,
				"slowShip":     c.Adaptive.SlowShipFactor,
				"rules":        len(c.Rules[0].Tiers[0].Suppliers),
				"lease":        c.Reporting.LeaseName,
			}
			want := map[string]any{
				"policy":       config.PolicyRef{Namespace: "shop", Name: "main", Generation: 2},
				"credsDir":     "/var/run/dropship/secrets/kingdee-cred",
				"authMode":     config.K3CloudAuthPassword,
				"filter":       "F_DropShip = 1",
				"aSecretDir":   "/var/run/dropship/secrets/supplier-a-cred",
				"aCallbackDir": "/var/run/dropship/secrets/callbacks",
				"aTemplate":    `{"id": "{{.ID}}"}`,
				"aSKUMap":      "/var/run/dropship/configmaps/a-catalog/skus.csv",
				"aPrice":       12.5,
				"aJitter":      0.3,
				"aTimeout":     7 * time.Second,
				"bSecretDir":   "",
				"slowShip":     2.0,
				"rules":        2,
				"lease":        "main-dispatcher",
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("config (-want +got):\n%s", d)
			}
		})
	}
}

func TestBuildConfigRejectsBadDecimal(t *testing.T) {
	a := httpSupplier("shop", "supplier-a", "")
	a.Spec.Delivery.Retry.Jitter = "lots"
	_, _, _, err := buildConfig(configInput{
		Policy: policy("shop", "main", "src", "supplier-a"), Source: webhookSource("shop", "src", "hmac"),
		Suppliers: []*dropshipv1.Supplier{a},
	})
	if err == nil {
		t.Fatal("a jitter that is not a number was rendered")
	}
}
