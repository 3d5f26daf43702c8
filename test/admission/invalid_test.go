/*
Copyright 2026 The dropship-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package admission

import (
	"context"
	"fmt"
	"strings"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// ns is the namespace the table's objects are created in.
const ns = "admission"

// Valid minimal objects; every case below merge-patches one of them into something invalid.
const (
	baseOrderSource = `
apiVersion: dropship.dev/v1alpha1
kind: OrderSource
spec:
  k3cloud:
    url: https://erp.example.com/k3cloud/
    acctID: 64a1b2c3d4e5f6
    auth: {credentialsSecretRef: {name: kingdee-cred}}
`
	baseSupplier = `
apiVersion: dropship.dev/v1alpha1
kind: Supplier
spec:
  endpoint:
    http:
      url: https://api.supplier.example/v1/orders
      shipments: {callbackSecretRef: {name: sup-cred}}
  regions: ["广东省"]
`
	baseK3CloudSupplier = `
apiVersion: dropship.dev/v1alpha1
kind: Supplier
spec:
  endpoint:
    k3cloud:
      url: https://erp.supplier.example/k3cloud/
      acctID: abc
      auth: {mode: Password, credentialsSecretRef: {name: sup-kingdee}}
      customerNumber: CUST01
      saleOrgNumber: "200"
  regions: ["*"]
`
	baseRoutingPolicy = `
apiVersion: dropship.dev/v1alpha1
kind: RoutingPolicy
spec:
  sourceRef: {name: kingdee-main}
  rules:
  - name: all
    tiers:
    - suppliers: [{name: supplier-a, weight: 70}, {name: supplier-b, weight: 30}]
`
)

// invalidCase is one object admission must refuse.
type invalidCase struct {
	// reason says what is wrong, for the failure message.
	reason string
	// base is the valid object the patch is applied to.
	base string
	// patch is a JSON merge patch, written as YAML.
	patch string
	// want are substrings the API server's message must contain: the field path first,
	// then the rule's words.
	want []string
}

var invalidCases = map[string]invalidCase{
	"osrc both k3cloud and webhook": {
		reason: "a source is exactly one of k3cloud or webhook",
		base:   baseOrderSource, patch: `spec: {webhook: {secretRef: {name: intake}}}`,
		want: []string{"spec", "exactly one of spec.k3cloud or spec.webhook"},
	},
	"osrc neither k3cloud nor webhook": {
		reason: "a source is exactly one of k3cloud or webhook",
		base:   baseOrderSource, patch: `spec: {k3cloud: null, suspend: true}`,
		want: []string{"spec", "exactly one of spec.k3cloud or spec.webhook"},
	},
	"osrc url not http": {
		reason: "URL fields are http(s)",
		base:   baseOrderSource, patch: `spec: {k3cloud: {url: "ftp://erp.example.com/"}}`,
		want: []string{"spec.k3cloud.url", "url must be an http(s) URL"},
	},
	"osrc pollInterval unparsable": {
		reason: "durations parse",
		base:   baseOrderSource, patch: `spec: {k3cloud: {salesOrders: {pollInterval: soon}}}`,
		want: []string{"spec.k3cloud.salesOrders.pollInterval", "should match"},
	},
	"osrc pollInterval zero": {
		reason: "durations are positive",
		base:   baseOrderSource, patch: `spec: {k3cloud: {salesOrders: {pollInterval: 0s}}}`,
		want: []string{"spec.k3cloud.salesOrders.pollInterval", "at least 1s"},
	},
	"osrc unknown auth mode": {
		reason: "auth mode is an enum",
		base:   baseOrderSource, patch: `spec: {k3cloud: {auth: {mode: OAuth}}}`,
		want: []string{"spec.k3cloud.auth.mode", "Unsupported value"},
	},
	"osrc unknown lcid": {
		reason: "lcid is one of the K3Cloud locales",
		base:   baseOrderSource, patch: `spec: {k3cloud: {lcid: 9999}}`,
		want: []string{"spec.k3cloud.lcid", "Unsupported value"},
	},
	"osrc pageSize too large": {
		reason: "pageSize is bounded",
		base:   baseOrderSource, patch: `spec: {k3cloud: {salesOrders: {pageSize: 50000}}}`,
		want: []string{"spec.k3cloud.salesOrders.pageSize", "less than or equal to 10000"},
	},
	"osrc webhook without secretRef": {
		reason: "webhook intake must be authenticated",
		base:   baseOrderSource, patch: `spec: {k3cloud: null, webhook: {}}`,
		want: []string{"spec.webhook.secretRef", "Required value"},
	},
	"sup both http and k3cloud": {
		reason: "an endpoint is exactly one of http or k3cloud",
		base:   baseSupplier,
		patch:  `spec: {endpoint: {k3cloud: {url: "https://x.example/", acctID: a, auth: {credentialsSecretRef: {name: c}}, customerNumber: c, saleOrgNumber: s}}}`,
		want:   []string{"spec.endpoint", "exactly one of spec.endpoint.http or spec.endpoint.k3cloud"},
	},
	"sup no endpoint": {
		reason: "an endpoint is exactly one of http or k3cloud",
		base:   baseSupplier, patch: `spec: {endpoint: {http: null}}`,
		want: []string{"spec.endpoint", "exactly one of spec.endpoint.http or spec.endpoint.k3cloud"},
	},
	"sup url not a URL": {
		reason: "URL fields are http(s)",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {url: "not a url"}}}`,
		want: []string{"spec.endpoint.http.url", "url must be an http(s) URL"},
	},
	"sup bearer without secretRef": {
		reason: "auth other than None needs a Secret",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {auth: {type: Bearer}}}}`,
		want: []string{"spec.endpoint.http.auth.secretRef", "required when auth.type is not None"},
	},
	"sup unknown auth type": {
		reason: "auth type is an enum",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {auth: {type: OAuth2, secretRef: {name: x}}}}}`,
		want: []string{"spec.endpoint.http.auth.type", "Unsupported value"},
	},
	"sup poll without pollURL": {
		reason: "Poll shipments need a URL",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {shipments: {mode: Poll}}}}`,
		want: []string{"spec.endpoint.http.shipments.pollURL", "required when shipments.mode is Poll"},
	},
	"sup callback without secret": {
		reason: "callbacks are HMAC-verified",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {shipments: {callbackSecretRef: null}}}}`,
		want: []string{"spec.endpoint.http.shipments.callbackSecretRef", "required when shipments.mode is Callback"},
	},
	"sup both template and templateRef": {
		reason: "a request template comes from one place",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {request: {template: "{}", templateRef: {name: t, key: k}}}}}`,
		want: []string{"spec.endpoint.http.request", "at most one of request.template or request.templateRef"},
	},
	"sup cutoff not HH:MM": {
		reason: "cutoff is HH:MM",
		base:   baseSupplier, patch: `spec: {capacity: {cutoff: "25:00"}}`,
		want: []string{"spec.capacity.cutoff", "cutoff must be HH:MM"},
	},
	"sup no regions": {
		reason: "a supplier serves at least one region",
		base:   baseSupplier, patch: `spec: {regions: []}`,
		want: []string{"spec.regions", "should have at least 1 items"},
	},
	"sup empty region": {
		reason: "regions are non-empty strings",
		base:   baseSupplier, patch: `spec: {regions: [""]}`,
		want: []string{"spec.regions[0]", "at least 1 chars long"},
	},
	"sup negative timeout": {
		reason: "durations parse and are positive",
		base:   baseSupplier, patch: `spec: {delivery: {timeout: "-5s"}}`,
		want: []string{"spec.delivery.timeout", "should match"},
	},
	"sup zero retryAfterMax": {
		reason: "durations are positive",
		base:   baseSupplier, patch: `spec: {delivery: {retryAfterMax: "0s"}}`,
		want: []string{"spec.delivery.retryAfterMax", "retryAfterMax must be a positive duration"},
	},
	"sup retry initial above max": {
		reason: "the backoff starts below its cap",
		base:   baseSupplier, patch: `spec: {delivery: {retry: {initial: 10m, max: 1m}}}`,
		want: []string{"spec.delivery.retry.initial", "retry.initial must not exceed retry.max"},
	},
	"sup jitter above 1": {
		reason: "jitter is a fraction",
		base:   baseSupplier, patch: `spec: {delivery: {retry: {jitter: "1.5"}}}`,
		want: []string{"spec.delivery.retry.jitter", "should match"},
	},
	"sup price not a decimal": {
		reason: "prices are decimal strings",
		base:   baseSupplier, patch: `spec: {catalog: {skus: [{sku: TEA-001, price: "12,50"}]}}`,
		want: []string{"spec.catalog.skus[0].price", "should match"},
	},
	"sup duplicate catalog sku": {
		reason: "catalog SKUs are unique",
		base:   baseSupplier, patch: `spec: {catalog: {skus: [{sku: TEA-001}, {sku: TEA-001}]}}`,
		want: []string{"spec.catalog.skus[1]", "Duplicate value"},
	},
	"sup k3cloud without customerNumber": {
		reason: "the supplier's ERP needs our customer number",
		base:   baseK3CloudSupplier, patch: `spec: {endpoint: {k3cloud: {customerNumber: null}}}`,
		want: []string{"spec.endpoint.k3cloud.customerNumber", "Required value"},
	},
	"sup credentials in headers": {
		reason: "credentials only via Secret references",
		base:   baseSupplier, patch: `spec: {endpoint: {http: {headers: {Authorization: "Bearer abc"}}}}`,
		want: []string{"spec.endpoint.http.headers", "headers must not carry credentials"},
	},
	"sup sla zero": {
		reason: "durations are positive",
		base:   baseSupplier, patch: `spec: {sla: {shipWithin: 0h}}`,
		want: []string{"spec.sla.shipWithin", "shipWithin must be a positive duration"},
	},
	"rp no rules": {
		reason: "a policy has at least one rule",
		base:   baseRoutingPolicy, patch: `spec: {rules: []}`,
		want: []string{"spec.rules", "should have at least 1 items"},
	},
	"rp duplicate rule names": {
		reason: "rule names are unique",
		base:   baseRoutingPolicy,
		patch:  `spec: {rules: [{name: south, tiers: [{suppliers: [{name: a}]}]}, {name: south, tiers: [{suppliers: [{name: b}]}]}]}`,
		want:   []string{"spec.rules[1]", "Duplicate value"},
	},
	"rp bad rule name": {
		reason: "rule names are DNS labels",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: "South Rule", tiers: [{suppliers: [{name: a}]}]}]}`,
		want: []string{"spec.rules[0].name", "should match"},
	},
	"rp rule without tiers": {
		reason: "a rule has at least one tier",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, tiers: []}]}`,
		want: []string{"spec.rules[0].tiers", "should have at least 1 items"},
	},
	"rp weight above 10000": {
		reason: "weights are 0–10000",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, tiers: [{suppliers: [{name: a, weight: 20000}]}]}]}`,
		want: []string{"spec.rules[0].tiers[0].suppliers[0].weight", "less than or equal to 10000"},
	},
	"rp negative weight": {
		reason: "weights are 0–10000",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, tiers: [{suppliers: [{name: a, weight: -1}]}]}]}`,
		want: []string{"spec.rules[0].tiers[0].suppliers[0].weight", "greater than or equal to 0"},
	},
	"rp all weights zero": {
		reason: "a tier cannot send nothing to everyone",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, tiers: [{suppliers: [{name: a, weight: 0}, {name: b, weight: 0}]}]}]}`,
		want: []string{"spec.rules[0].tiers[0].suppliers", "at least one supplier of a tier must have a weight above 0"},
	},
	"rp duplicate supplier in tier": {
		reason: "suppliers are unique within a tier",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, tiers: [{suppliers: [{name: a}, {name: a}]}]}]}`,
		want: []string{"spec.rules[0].tiers[0].suppliers[1]", "Duplicate value"},
	},
	"rp replicas with SQLite": {
		reason: "the embedded journal has one writer",
		base:   baseRoutingPolicy, patch: `spec: {dispatcher: {replicas: 3}}`,
		want: []string{"spec.dispatcher.replicas", "need dispatcher.store.type Postgres"},
	},
	"rp postgres without dsn": {
		reason: "Postgres needs a DSN",
		base:   baseRoutingPolicy, patch: `spec: {dispatcher: {replicas: 2, store: {type: Postgres}}}`,
		want: []string{"spec.dispatcher.store.dsnSecretRef", "required when store.type is Postgres"},
	},
	"rp failurePercent above 100": {
		reason: "percentages are 0–100",
		base:   baseRoutingPolicy, patch: `spec: {adaptive: {failurePercent: 150}}`,
		want: []string{"spec.adaptive.failurePercent", "less than or equal to 100"},
	},
	"rp maxEjectionPercent negative": {
		reason: "percentages are 0–100",
		base:   baseRoutingPolicy, patch: `spec: {adaptive: {maxEjectionPercent: -1}}`,
		want: []string{"spec.adaptive.maxEjectionPercent", "greater than or equal to 0"},
	},
	"rp window zero": {
		reason: "durations are positive",
		base:   baseRoutingPolicy, patch: `spec: {adaptive: {window: 0s}}`,
		want: []string{"spec.adaptive.window", "window must be a positive duration"},
	},
	"rp slowShipFactor below 1": {
		reason: "a slow-ship factor below 1 would punish on-time suppliers",
		base:   baseRoutingPolicy, patch: `spec: {adaptive: {slowShipFactor: "0.5"}}`,
		want: []string{"spec.adaptive.slowShipFactor", "slowShipFactor must be at least 1"},
	},
	"rp ejection base above max": {
		reason: "ejections grow from base up to max",
		base:   baseRoutingPolicy, patch: `spec: {adaptive: {baseEjectionTime: 30m, maxEjectionTime: 10m}}`,
		want: []string{"spec.adaptive.baseEjectionTime", "must not exceed adaptive.maxEjectionTime"},
	},
	"rp unknown mode": {
		reason: "mode is Live or Shadow",
		base:   baseRoutingPolicy, patch: `spec: {mode: DryRun}`,
		want: []string{"spec.mode", "Unsupported value"},
	},
	"rp unknown strategy": {
		reason: "strategy is an enum",
		base:   baseRoutingPolicy, patch: `spec: {rules: [{name: all, strategy: Random, tiers: [{suppliers: [{name: a}]}]}]}`,
		want: []string{"spec.rules[0].strategy", "Unsupported value"},
	},
	"rp publicURL not http": {
		reason: "URL fields are http(s)",
		base:   baseRoutingPolicy, patch: `spec: {dispatcher: {publicURL: "ftp://dispatch.example.com"}}`,
		want: []string{"spec.dispatcher.publicURL", "publicURL must be an http(s) URL"},
	},
	"rp without sourceRef": {
		reason: "a policy needs an order source",
		base:   baseRoutingPolicy, patch: `spec: {sourceRef: null}`,
		want: []string{"spec.sourceRef", "Required value"},
	},
}

// object builds an unstructured object from a base and a merge patch, both YAML.
func object(t *testing.T, name, base, patch string) *unstructured.Unstructured {
	t.Helper()
	baseJSON, err := yaml.YAMLToJSON([]byte(base))
	if err != nil {
		t.Fatalf("base: %v", err)
	}
	if patch != "" {
		patchJSON, err := yaml.YAMLToJSON([]byte(patch))
		if err != nil {
			t.Fatalf("patch: %v", err)
		}
		if baseJSON, err = jsonpatch.MergePatch(baseJSON, patchJSON); err != nil {
			t.Fatalf("merge patch: %v", err)
		}
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(baseJSON); err != nil {
		t.Fatalf("decode: %v", err)
	}
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// TestBasesAccepted proves the table's base objects are valid, so a refusal in
// TestInvalidObjectsRefused is caused by the case's patch alone.
func TestBasesAccepted(t *testing.T) {
	ctx := context.Background()
	for i, base := range []string{baseOrderSource, baseSupplier, baseK3CloudSupplier, baseRoutingPolicy} {
		u := object(t, fmt.Sprintf("base-%d", i), base, "")
		if err := k8sClient.Create(ctx, u); err != nil {
			t.Fatalf("base %d (%s) refused: %v", i, u.GetKind(), err)
		}
		if err := k8sClient.Delete(ctx, u); err != nil {
			t.Fatalf("cannot delete base %d: %v", i, err)
		}
	}
}

// TestInvalidObjectsRefused applies every invalid object and checks that the API server
// refuses it as Invalid with a message that names the field.
func TestInvalidObjectsRefused(t *testing.T) {
	if len(invalidCases) < 15 {
		t.Fatalf("the issue asks for at least 15 invalid objects, the table has %d", len(invalidCases))
	}
	ctx := context.Background()
	i := 0
	for name, tc := range invalidCases {
		i++
		t.Run(name, func(t *testing.T) {
			u := object(t, fmt.Sprintf("invalid-%d", i), tc.base, tc.patch)
			err := k8sClient.Create(ctx, u)
			if err == nil {
				_ = k8sClient.Delete(ctx, u)
				t.Fatalf("%s: the API server accepted the object; want it refused", tc.reason)
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("%s: want an Invalid error, got %v", tc.reason, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: message %q does not contain %q", tc.reason, err.Error(), w)
				}
			}
		})
	}
}
