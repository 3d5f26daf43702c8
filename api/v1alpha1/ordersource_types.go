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

// OrderSourceKind is the kind name of OrderSource.
const OrderSourceKind = "OrderSource"

// OrderSourceSpec is where orders come from: exactly one of k3cloud or webhook.
// +kubebuilder:validation:XValidation:rule="has(self.k3cloud) != has(self.webhook)",message="exactly one of spec.k3cloud or spec.webhook must be set"
type OrderSourceSpec struct {
	// suspend stops the operator from reconciling this source and the dispatchers from
	// polling or accepting orders from it.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
	// k3cloud pulls audited sales orders from a Kingdee K3Cloud ERP and writes purchase
	// orders and tracking numbers back.
	// +optional
	K3Cloud *K3CloudSource `json:"k3cloud,omitempty"`
	// webhook takes orders POSTed (HMAC-signed or with a bearer token) to the dispatcher's
	// intake endpoint.
	// +optional
	Webhook *WebhookSource `json:"webhook,omitempty"`
}

// K3CloudSource pulls audited sales orders from K3Cloud.
type K3CloudSource struct {
	// K3CloudConnection is inlined: url, acctID, lcid, auth, timeout, maxConcurrent,
	// ratePerSecond.
	K3CloudConnection `json:",inline"`
	// salesOrders is how sales orders are pulled.
	// +optional
	// +kubebuilder:default={}
	SalesOrders SalesOrderQuery `json:"salesOrders,omitempty"`
	// purchaseOrders is the purchase-order write-back: for every line sent to a supplier
	// the dispatcher saves a PUR_PurchaseOrder in the ERP.
	// +optional
	PurchaseOrders *PurchaseOrders `json:"purchaseOrders,omitempty"`
	// trackingWriteBack names the sales-order fields the tracking number and carrier are
	// written to once a supplier ships; unset means no tracking write-back.
	// +optional
	TrackingWriteBack *TrackingWriteBack `json:"trackingWriteBack,omitempty"`
}

// SalesOrderQuery is how sales orders are pulled with ExecuteBillQuery.
type SalesOrderQuery struct {
	// formID is the business object to query.
	// +optional
	// +kubebuilder:default=SAL_SaleOrder
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	FormID string `json:"formID,omitempty"`
	// filter is a K3Cloud FilterString ANDed with FDocumentStatus='C' (audited) and the
	// watermark window, for example "F_DropShip = 1".
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Filter string `json:"filter,omitempty"`
	// watermarkField is the date field the poller advances on.
	// +optional
	// +kubebuilder:default=FApproveDate
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	WatermarkField string `json:"watermarkField,omitempty"`
	// overlap is how far before the watermark each poll looks again, so late commits are
	// not missed; orders seen twice are deduplicated.
	// +optional
	// +kubebuilder:default="2m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s')",message="overlap must be a duration such as 2m"
	Overlap *metav1.Duration `json:"overlap,omitempty"`
	// pollInterval is the time between two polls.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="pollInterval must be a duration of at least 1s"
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`
	// pageSize is the Limit of one ExecuteBillQuery page.
	// +optional
	// +kubebuilder:default=2000
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	PageSize int32 `json:"pageSize,omitempty"`
	// fields maps canonical order fields (for example shipToAddress, sku, quantity) to
	// K3Cloud field keys; unnamed fields take the defaults (FReceiveAddress, FLinkMan,
	// FLinkPhone, FMaterialId.FNumber, FQty, FTaxPrice…).
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	Fields map[string]string `json:"fields,omitempty"`
}

// PurchaseOrders is the purchase-order write-back into the ERP.
type PurchaseOrders struct {
	// enabled turns the write-back on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// formID is the business object saved.
	// +optional
	// +kubebuilder:default=PUR_PurchaseOrder
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	FormID string `json:"formID,omitempty"`
	// billTypeNumber is the purchase order bill type (FBillTypeID.FNumber), CGDD01_SYS for
	// a standard purchase order.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	BillTypeNumber string `json:"billTypeNumber,omitempty"`
	// purchaseOrgNumber is the purchasing organisation (FPurchaseOrgId.FNumber).
	// +optional
	// +kubebuilder:validation:MaxLength=64
	PurchaseOrgNumber string `json:"purchaseOrgNumber,omitempty"`
	// autoSubmitAndAudit submits and audits every saved purchase order.
	// +optional
	AutoSubmitAndAudit bool `json:"autoSubmitAndAudit,omitempty"`
	// batchSize is how many purchase orders go into one BatchSave call.
	// +optional
	// +kubebuilder:default=100
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	BatchSize int32 `json:"batchSize,omitempty"`
	// linkField is the purchase order entry field that links back to the sales order line.
	// +optional
	// +kubebuilder:default=FDEMANDBILLENTRYID
	// +kubebuilder:validation:MaxLength=64
	LinkField string `json:"linkField,omitempty"`
}

// TrackingWriteBack is where tracking numbers go in the ERP.
type TrackingWriteBack struct {
	// salesOrderFields names the sales order fields written.
	// +required
	SalesOrderFields TrackingFields `json:"salesOrderFields"`
	// entryLevel writes the fields on the sales order entry (per line) instead of the header.
	// +optional
	EntryLevel bool `json:"entryLevel,omitempty"`
	// batchSize is how many sales orders one Save call updates.
	// +optional
	// +kubebuilder:default=100
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	BatchSize int32 `json:"batchSize,omitempty"`
}

// TrackingFields names the K3Cloud fields for shipment data.
type TrackingFields struct {
	// trackingNumber is the field key the tracking number is written to, e.g. F_TrackingNo.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	TrackingNumber string `json:"trackingNumber"`
	// carrier is the field key the carrier is written to, e.g. F_Carrier.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Carrier string `json:"carrier,omitempty"`
}

// WebhookSource takes orders POSTed to the dispatcher's intake endpoint.
type WebhookSource struct {
	// secretRef names the Secret that authenticates intake requests: key hmacSecret (an
	// HMAC-SHA256 signature over the body) and/or key bearerToken.
	// +required
	SecretRef SecretReference `json:"secretRef"`
}

// OrderSourceStatus is the observed state of an OrderSource. The operator writes the
// conditions and observedGeneration; the dispatcher that polls the source writes
// lastPollTime, watermark and ordersReceived.
type OrderSourceStatus struct {
	// observedGeneration is the metadata.generation last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// conditions: Ready, CredentialsResolved, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// lastPollTime is when the ERP was last polled successfully.
	// +optional
	LastPollTime *metav1.Time `json:"lastPollTime,omitempty"`
	// watermark is the highest watermarkField value taken in, as the ERP writes it
	// (for example "2026-11-24T10:15:00").
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Watermark string `json:"watermark,omitempty"`
	// ordersReceived is how many orders were taken in since the dispatcher's journal began.
	// +optional
	// +kubebuilder:validation:Minimum=0
	OrdersReceived int64 `json:"ordersReceived,omitempty"`
}

// OrderSource is where drop-ship orders come from: a Kingdee K3Cloud ERP polled for
// audited sales orders, or a webhook intake. RoutingPolicies refer to it by name.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=osrc,categories=dropship
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="Received",type=integer,JSONPath=`.status.ordersReceived`
// +kubebuilder:printcolumn:name="Last Poll",type=date,JSONPath=`.status.lastPollTime`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OrderSource struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state.
	// +required
	Spec OrderSourceSpec `json:"spec"`
	// status is the observed state.
	// +optional
	Status OrderSourceStatus `json:"status,omitempty"`
}

// OrderSourceList is a list of OrderSources.
//
// +kubebuilder:object:root=true
type OrderSourceList struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// items are the OrderSources.
	Items []OrderSource `json:"items"`
}
