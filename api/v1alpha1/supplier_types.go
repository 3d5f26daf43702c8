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

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SupplierKind is the kind name of Supplier.
const SupplierKind = "Supplier"

// SupplierSpec is one supplier endpoint and what it can take.
type SupplierSpec struct {
	// suspend takes the supplier out of every policy's candidates (state Suspended); lines
	// it would have taken go to the other suppliers of the rule.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
	// displayName is a human name, for example 供应商A.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	DisplayName string `json:"displayName,omitempty"`
	// erpNumber is the supplier's number in our ERP (FSupplierId.FNumber), used for the
	// purchase-order write-back.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	ERPNumber string `json:"erpNumber,omitempty"`
	// endpoint is how orders reach the supplier: exactly one of http or k3cloud.
	// +required
	Endpoint SupplierEndpoint `json:"endpoint"`
	// catalog is what the supplier sells: our SKU to theirs, price, stock and lead time.
	// An empty catalog means the supplier takes any SKU under our own number.
	// +optional
	Catalog *Catalog `json:"catalog,omitempty"`
	// regions are the ship-to provinces served, as written in the order's address (for
	// example 广东省, 上海市); "*" serves all.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	Regions []string `json:"regions"`
	// capacity is how much the supplier can take.
	// +optional
	// +kubebuilder:default={}
	Capacity Capacity `json:"capacity,omitempty"`
	// delivery is how calls to the supplier are timed out and retried.
	// +optional
	// +kubebuilder:default={}
	Delivery Delivery `json:"delivery,omitempty"`
	// sla is what the supplier promised.
	// +optional
	SLA *SLA `json:"sla,omitempty"`
}

// SupplierEndpoint is exactly one of an HTTP/JSON API or the supplier's own K3Cloud.
// +kubebuilder:validation:XValidation:rule="has(self.http) != has(self.k3cloud)",message="exactly one of spec.endpoint.http or spec.endpoint.k3cloud must be set"
type SupplierEndpoint struct {
	// http is a supplier that takes orders over HTTP/JSON.
	// +optional
	HTTP *HTTPEndpoint `json:"http,omitempty"`
	// k3cloud is a supplier that runs its own K3Cloud: our purchase order is saved as a
	// sales order in their ERP and the shipment is read back by query.
	// +optional
	K3Cloud *K3CloudEndpoint `json:"k3cloud,omitempty"`
}

// HTTPEndpoint is a supplier's HTTP/JSON order API.
type HTTPEndpoint struct {
	// url is where orders are sent.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="url must be an http(s) URL"
	URL string `json:"url"`
	// auth is how we authenticate to the supplier.
	// +optional
	// +kubebuilder:default={type: None}
	Auth HTTPAuth `json:"auth,omitempty"`
	// request is how the canonical order becomes the supplier's payload.
	// +optional
	Request *HTTPRequest `json:"request,omitempty"`
	// response is how the supplier's answer is read.
	// +optional
	Response *HTTPResponse `json:"response,omitempty"`
	// shipments is how the supplier reports shipments.
	// +required
	Shipments Shipments `json:"shipments"`
	// headers are extra static headers sent with every request. Credentials never go here
	// (Authorization, Cookie and X-Api-Key are refused): use auth and a Secret.
	// +optional
	// +kubebuilder:validation:MaxProperties=16
	// +kubebuilder:validation:XValidation:rule="self.all(k, !(k.lowerAscii() in ['authorization', 'proxy-authorization', 'cookie', 'x-api-key']))",message="headers must not carry credentials (Authorization, Cookie, X-Api-Key): use auth with a secretRef"
	Headers map[string]string `json:"headers,omitempty"`
}

// HTTPAuthType is how we authenticate to a supplier's HTTP API.
// +kubebuilder:validation:Enum=None;Bearer;Basic;APIKey;HMAC
type HTTPAuthType string

// HTTP auth types.
const (
	// HTTPAuthNone sends no credentials.
	HTTPAuthNone HTTPAuthType = "None"
	// HTTPAuthBearer sends Authorization: Bearer <token> (Secret key token).
	HTTPAuthBearer HTTPAuthType = "Bearer"
	// HTTPAuthBasic sends HTTP basic auth (Secret keys username, password).
	HTTPAuthBasic HTTPAuthType = "Basic"
	// HTTPAuthAPIKey sends the key in a header (Secret key apiKey).
	HTTPAuthAPIKey HTTPAuthType = "APIKey"
	// HTTPAuthHMAC signs the body with HMAC-SHA256 (Secret key hmacSecret).
	HTTPAuthHMAC HTTPAuthType = "HMAC"
)

// HTTPAuth is the auth type and the Secret with its credentials.
// +kubebuilder:validation:XValidation:rule="!has(self.type) || self.type == 'None' || has(self.secretRef)",message="auth.secretRef is required when auth.type is not None",fieldPath=".secretRef",reason=FieldValueRequired
type HTTPAuth struct {
	// type is None, Bearer (Secret key token), Basic (username, password), APIKey (apiKey)
	// or HMAC (hmacSecret).
	// +optional
	// +kubebuilder:default=None
	Type HTTPAuthType `json:"type,omitempty"`
	// secretRef names the Secret with the credentials; required unless type is None.
	// +optional
	SecretRef *SecretReference `json:"secretRef,omitempty"`
	// headerName is the header the API key goes in, for type APIKey.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	HeaderName string `json:"headerName,omitempty"`
}

// HTTPRequest is how the canonical order becomes the supplier's payload.
// +kubebuilder:validation:XValidation:rule="!(has(self.template) && has(self.templateRef))",message="at most one of request.template or request.templateRef may be set"
type HTTPRequest struct {
	// method is the HTTP method.
	// +optional
	// +kubebuilder:default=POST
	// +kubebuilder:validation:Enum=POST;PUT
	Method string `json:"method,omitempty"`
	// template is a Go text/template over the canonical order that renders the JSON body;
	// empty means the canonical order JSON as is.
	// +optional
	// +kubebuilder:validation:MaxLength=32768
	Template string `json:"template,omitempty"`
	// templateRef takes the template from a ConfigMap key instead.
	// +optional
	TemplateRef *ConfigMapKeyReference `json:"templateRef,omitempty"`
}

// HTTPResponse is how the supplier's JSON answer is read.
type HTTPResponse struct {
	// orderIDPath is the dotted path of the supplier's order id, for example data.order_id.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	OrderIDPath string `json:"orderIDPath,omitempty"`
	// acceptedWhen is a CEL expression over the answer (its top-level keys as variables and
	// the whole as body) that is true when the order was accepted, for example "code == 0";
	// empty means any 2xx answer.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	AcceptedWhen string `json:"acceptedWhen,omitempty"`
	// messagePath is the dotted path of the supplier's error message, kept on dead letters.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	MessagePath string `json:"messagePath,omitempty"`
}

// ShipmentMode is how a supplier reports shipments.
// +kubebuilder:validation:Enum=Callback;Poll
type ShipmentMode string

// Shipment modes.
const (
	// ShipmentsCallback: the supplier POSTs shipments to the dispatcher (HMAC-verified).
	ShipmentsCallback ShipmentMode = "Callback"
	// ShipmentsPoll: the dispatcher polls the supplier for every open order.
	ShipmentsPoll ShipmentMode = "Poll"
)

// Shipments is how shipment news comes back from an HTTP supplier.
// +kubebuilder:validation:XValidation:rule="!has(self.mode) || self.mode != 'Poll' || has(self.pollURL)",message="shipments.pollURL is required when shipments.mode is Poll",fieldPath=".pollURL",reason=FieldValueRequired
// +kubebuilder:validation:XValidation:rule="(has(self.mode) && self.mode != 'Callback') || has(self.callbackSecretRef)",message="shipments.callbackSecretRef is required when shipments.mode is Callback",fieldPath=".callbackSecretRef",reason=FieldValueRequired
type Shipments struct {
	// mode is Callback (the supplier POSTs shipments, verified with callbackSecretRef) or
	// Poll (the dispatcher polls pollURL).
	// +optional
	// +kubebuilder:default=Callback
	Mode ShipmentMode `json:"mode,omitempty"`
	// callbackSecretRef names the Secret whose key callbackSecret verifies callbacks
	// (HMAC-SHA256 over the body); required for Callback.
	// +optional
	CallbackSecretRef *SecretReference `json:"callbackSecretRef,omitempty"`
	// pollURL is a text/template over {{.SupplierOrderID}} and {{.IdempotencyKey}} giving
	// the http(s) URL of one order's status; required for Poll.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('https://') || self.startsWith('http://')",message="pollURL must be an http(s) URL template"
	PollURL string `json:"pollURL,omitempty"`
	// pollInterval is the time between two polls of one open order.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="pollInterval must be a duration of at least 1s"
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`
	// shippedWhen is a CEL expression over the poll answer that is true once shipped.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	ShippedWhen string `json:"shippedWhen,omitempty"`
	// trackingNumberPath is the dotted path of the tracking number in the poll answer.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	TrackingNumberPath string `json:"trackingNumberPath,omitempty"`
	// carrierPath is the dotted path of the carrier in the poll answer.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	CarrierPath string `json:"carrierPath,omitempty"`
}

// K3CloudEndpoint is a supplier that runs its own K3Cloud.
type K3CloudEndpoint struct {
	// K3CloudConnection is inlined: url, acctID, lcid, auth, timeout, maxConcurrent,
	// ratePerSecond of the supplier's K3Cloud.
	K3CloudConnection `json:",inline"`
	// customerNumber is our customer number in their ERP (FCustId.FNumber).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	CustomerNumber string `json:"customerNumber"`
	// saleOrgNumber is their selling organisation (FSaleOrgId.FNumber).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	SaleOrgNumber string `json:"saleOrgNumber"`
	// billTypeNumber is the sales order bill type saved in their ERP.
	// +optional
	// +kubebuilder:default=XSDD01_SYS
	// +kubebuilder:validation:MaxLength=64
	BillTypeNumber string `json:"billTypeNumber,omitempty"`
	// trackingNumberField is the field of their sales order that holds the tracking number.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	TrackingNumberField string `json:"trackingNumberField,omitempty"`
	// carrierField is the field of their sales order that holds the carrier.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	CarrierField string `json:"carrierField,omitempty"`
	// pollInterval is the time between two shipment queries.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="pollInterval must be a duration of at least 1s"
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`
}

// Catalog is what a supplier sells. Inline skus and the skuMapRef CSV are merged, the CSV
// winning.
type Catalog struct {
	// skus maps our SKUs to the supplier's, with price, stock and lead time.
	// +optional
	// +listType=map
	// +listMapKey=sku
	// +kubebuilder:validation:MaxItems=1000
	SKUs []CatalogItem `json:"skus,omitempty"`
	// skuMapRef names a ConfigMap key holding a CSV with the header
	// sku,supplierSku,price,stock,leadTimeHours (empty cells mean unknown) — for catalogs
	// too large to inline.
	// +optional
	SKUMapRef *ConfigMapKeyReference `json:"skuMapRef,omitempty"`
}

// CatalogItem maps one of our SKUs to the supplier's.
type CatalogItem struct {
	// sku is our SKU (the ERP material number, FMaterialId.FNumber).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	SKU string `json:"sku"`
	// supplierSku is the supplier's number for it; empty means the same as sku.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	SupplierSKU string `json:"supplierSku,omitempty"`
	// price is the supplier's unit price as a decimal string in yuan, for example "12.50";
	// used by the Cheapest strategy and the purchase order.
	// +optional
	// +kubebuilder:validation:MaxLength=16
	// +kubebuilder:validation:Pattern="^[0-9]{1,9}(\\.[0-9]{1,4})?$"
	Price string `json:"price,omitempty"`
	// stock is how many units the supplier has; unset means not tracked.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Stock *int64 `json:"stock,omitempty"`
	// leadTime is how long the supplier takes to ship it; used by the Fastest strategy.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	LeadTime *metav1.Duration `json:"leadTime,omitempty"`
}

// Capacity is how much a supplier can take. Zero means unlimited.
type Capacity struct {
	// maxConcurrent caps the calls in flight to the supplier, per dispatcher.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	MaxConcurrent int32 `json:"maxConcurrent,omitempty"`
	// ratePerSecond caps the calls per second to the supplier, per dispatcher.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000
	RatePerSecond int32 `json:"ratePerSecond,omitempty"`
	// perDay caps the order lines sent per day (counted in timezone, from cutoff to cutoff).
	// +optional
	// +kubebuilder:validation:Minimum=0
	PerDay int32 `json:"perDay,omitempty"`
	// perHour caps the order lines sent per clock hour.
	// +optional
	// +kubebuilder:validation:Minimum=0
	PerHour int32 `json:"perHour,omitempty"`
	// timezone is the IANA zone days and hours are counted in.
	// +optional
	// +kubebuilder:default=Asia/Shanghai
	// +kubebuilder:validation:MaxLength=64
	Timezone string `json:"timezone,omitempty"`
	// cutoff is the HH:MM (24-hour) after which new lines count against the next day.
	// +optional
	// +kubebuilder:validation:MaxLength=5
	// +kubebuilder:validation:XValidation:rule="self.matches('^([01][0-9]|2[0-3]):[0-5][0-9]$')",message="cutoff must be HH:MM (24-hour), for example 16:00"
	Cutoff string `json:"cutoff,omitempty"`
}

// Delivery is how calls to a supplier are timed out and retried.
type Delivery struct {
	// timeout of one call.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="timeout must be a positive duration such as 10s"
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// retry is the exponential backoff of failed calls.
	// +optional
	// +kubebuilder:default={}
	Retry Retry `json:"retry,omitempty"`
	// retryAfterMax caps how long a Retry-After answer (429/503) is honoured.
	// +optional
	// +kubebuilder:default="2m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="retryAfterMax must be a positive duration such as 2m"
	RetryAfterMax *metav1.Duration `json:"retryAfterMax,omitempty"`
}

// Retry is an exponential backoff with jitter.
// +kubebuilder:validation:XValidation:rule="!has(self.initial) || !has(self.max) || duration(self.initial) <= duration(self.max)",message="retry.initial must not exceed retry.max",fieldPath=".initial"
type Retry struct {
	// attempts is how many times a call is tried before the line is rerouted or
	// dead-lettered.
	// +optional
	// +kubebuilder:default=8
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Attempts int32 `json:"attempts,omitempty"`
	// initial is the first delay.
	// +optional
	// +kubebuilder:default="1s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="initial must be a positive duration such as 1s"
	Initial *metav1.Duration `json:"initial,omitempty"`
	// max is the longest delay.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="max must be a positive duration such as 5m"
	Max *metav1.Duration `json:"max,omitempty"`
	// jitter is the fraction (a decimal string from "0" to "1") of each delay that is
	// randomised.
	// +optional
	// +kubebuilder:default="0.2"
	// +kubebuilder:validation:MaxLength=5
	// +kubebuilder:validation:Pattern="^(0(\\.[0-9]{1,3})?|1(\\.0{1,3})?)$"
	Jitter string `json:"jitter,omitempty"`
}

// SLA is what the supplier promised.
type SLA struct {
	// shipWithin is the promised time from acceptance to a tracking number.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="shipWithin must be a positive duration such as 48h"
	ShipWithin *metav1.Duration `json:"shipWithin,omitempty"`
}

// SupplierState is whether a supplier takes traffic.
// +kubebuilder:validation:Enum=Active;Ejected;Suspended
type SupplierState string

// Supplier states.
const (
	// SupplierActive takes traffic.
	SupplierActive SupplierState = "Active"
	// SupplierEjected was ejected by outlier detection until ejectedUntil.
	SupplierEjected SupplierState = "Ejected"
	// SupplierSuspended has spec.suspend set.
	SupplierSuspended SupplierState = "Suspended"
)

// SupplierHealth is windowed statistics of one supplier. Rates are percentages written as
// decimal strings with at most two decimals ("98.5") so they print as they are and need no
// floating point in the API.
type SupplierHealth struct {
	// window is the span the figures cover.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	Window *metav1.Duration `json:"window,omitempty"`
	// requests is how many calls were made in the window; rates are fractions of it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Requests int64 `json:"requests,omitempty"`
	// successRate is the percentage of calls accepted, for example "98.5".
	// +optional
	// +kubebuilder:validation:MaxLength=8
	SuccessRate string `json:"successRate,omitempty"`
	// p95LatencyMillis is the 95th percentile call latency in milliseconds.
	// +optional
	P95LatencyMillis int64 `json:"p95LatencyMillis,omitempty"`
	// throttledRate is the percentage of calls answered 429 or 503.
	// +optional
	// +kubebuilder:validation:MaxLength=8
	ThrottledRate string `json:"throttledRate,omitempty"`
	// shipLagP95 is the 95th percentile time from acceptance to tracking number.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	ShipLagP95 *metav1.Duration `json:"shipLagP95,omitempty"`
	// ordersToday is how many lines were sent today (timezone and cutoff of spec.capacity).
	// +optional
	OrdersToday int64 `json:"ordersToday,omitempty"`
	// capacityRemainingToday is perDay minus ordersToday; unset when perDay is unlimited.
	// +optional
	CapacityRemainingToday *int64 `json:"capacityRemainingToday,omitempty"`
	// state is Active, Ejected or Suspended.
	// +optional
	State SupplierState `json:"state,omitempty"`
	// lastSuccessTime is when a call last succeeded.
	// +optional
	LastSuccessTime *metav1.Time `json:"lastSuccessTime,omitempty"`
	// lastError is the last failure, without credentials or personal data.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	LastError string `json:"lastError,omitempty"`
}

// DispatcherHealthReport is the health one policy's dispatcher observed for the supplier.
type DispatcherHealthReport struct {
	// policy is the reporting RoutingPolicy as namespace/name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=317
	Policy string `json:"policy"`
	// reportedAt is when the dispatcher wrote this entry.
	// +optional
	ReportedAt *metav1.Time `json:"reportedAt,omitempty"`
	// SupplierHealth is inlined: the same figures as status.health, as this dispatcher saw them.
	SupplierHealth `json:",inline"`
}

// SupplierStatus is the observed state of a Supplier.
type SupplierStatus struct {
	// observedGeneration is the metadata.generation last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// conditions: Ready, CredentialsResolved, Healthy, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// health is the supplier's health over all reporting dispatchers.
	// +optional
	Health *SupplierHealth `json:"health,omitempty"`
	// dispatchers are the per-policy reports, one entry per RoutingPolicy whose dispatcher
	// sends to this supplier (each written by its own server-side-apply field manager).
	// +optional
	// +listType=map
	// +listMapKey=policy
	// +kubebuilder:validation:MaxItems=256
	Dispatchers []DispatcherHealthReport `json:"dispatchers,omitempty"`
}

// Supplier is one drop-ship supplier: how to send it orders, what it sells, where it ships
// and how much it can take. Its status carries the health its dispatchers observe.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sup,categories=dropship
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.health.state`
// +kubebuilder:printcolumn:name="Healthy",type=string,JSONPath=`.status.conditions[?(@.type=="Healthy")].status`,priority=1
// +kubebuilder:printcolumn:name="Success",type=string,JSONPath=`.status.health.successRate`,priority=1
// +kubebuilder:printcolumn:name="P95",type=integer,JSONPath=`.status.health.p95LatencyMillis`,priority=1
// +kubebuilder:printcolumn:name="Today",type=integer,JSONPath=`.status.health.ordersToday`,priority=1
// +kubebuilder:printcolumn:name="Cap",type=integer,JSONPath=`.spec.capacity.perDay`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Supplier struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state.
	// +required
	Spec SupplierSpec `json:"spec"`
	// status is the observed state.
	// +optional
	Status SupplierStatus `json:"status,omitempty"`
}

// SupplierList is a list of Suppliers.
//
// +kubebuilder:object:root=true
type SupplierList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the Suppliers.
	Items []Supplier `json:"items"`
}
