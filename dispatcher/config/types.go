package config

// APIVersion and Kind identify the document.
const (
	APIVersion = "dispatcher.dropship.dev/v1alpha1"
	Kind       = "DispatcherConfig"
)

// DispatcherConfig is everything one dispatcher needs to run one RoutingPolicy.
type DispatcherConfig struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`

	// Policy names the RoutingPolicy this dispatcher runs.
	Policy PolicyRef `json:"policy"`
	// Mode is Live (deliver to suppliers) or Shadow (decide and record, send nothing).
	Mode Mode `json:"mode"`
	// Split is ByLine (route every line on its own) or WholeOrder (one supplier per order).
	Split Split `json:"split"`
	// Source is where orders come from.
	Source Source `json:"source"`
	// Suppliers are every supplier some rule names, resolved from the Supplier resources.
	Suppliers []Supplier `json:"suppliers"`
	// Rules are evaluated in order; the first that matches a line decides its candidates.
	Rules []Rule `json:"rules"`
	// Adaptive is how supplier health turns into effective weights and ejections.
	Adaptive Adaptive `json:"adaptive"`
	// Store is the durable order journal.
	Store Store `json:"store"`
	// Server is the dispatcher's HTTP server (intake, callbacks, explain, metrics, probes).
	Server Server `json:"server"`
	// Reporting is how the dispatcher writes health into the custom resources.
	Reporting Reporting `json:"reporting"`
}

// PolicyRef names the RoutingPolicy.
type PolicyRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Generation is the RoutingPolicy's metadata.generation the document was rendered from.
	Generation int64 `json:"generation,omitempty"`
}

// String is "namespace/name".
func (p PolicyRef) String() string { return p.Namespace + "/" + p.Name }

// Mode of a policy.
type Mode string

const (
	ModeLive   Mode = "Live"
	ModeShadow Mode = "Shadow"
)

// Split of a policy.
type Split string

const (
	SplitByLine     Split = "ByLine"
	SplitWholeOrder Split = "WholeOrder"
)

// Source is where orders come from: exactly one of K3Cloud or Webhook.
type Source struct {
	// Name is the OrderSource's name; it is recorded on every order (order.Order.Source).
	Name    string         `json:"name"`
	Suspend bool           `json:"suspend,omitempty"`
	K3Cloud *K3CloudSource `json:"k3cloud,omitempty"`
	Webhook *WebhookSource `json:"webhook,omitempty"`
}

// K3CloudConnection is how to reach and authenticate to one Kingdee K3Cloud instance.
type K3CloudConnection struct {
	// URL is the base URL of the K3Cloud site, for example https://erp.example.com/k3cloud/.
	URL string `json:"url"`
	// AcctID is the data centre (账套) id.
	AcctID string `json:"acctID"`
	// LCID is the locale id, 2052 for simplified Chinese.
	LCID int `json:"lcid"`
	// Auth is how to authenticate.
	Auth K3CloudAuth `json:"auth"`
	// Timeout of one call; default 30s.
	Timeout Duration `json:"timeout,omitempty"`
	// MaxConcurrent caps calls in flight to this ERP; default 4.
	MaxConcurrent int `json:"maxConcurrent,omitempty"`
	// RatePerSecond caps calls per second to this ERP; default 10.
	RatePerSecond float64 `json:"ratePerSecond,omitempty"`
}

// K3CloudAuthMode is one of the WebAPI's authentication methods.
type K3CloudAuthMode string

const (
	// K3CloudAuthSignature signs every request with the X-Api-* headers (the SDKs' way).
	K3CloudAuthSignature K3CloudAuthMode = "Signature"
	// K3CloudAuthAppSecret logs in with LoginByAppSecret.
	K3CloudAuthAppSecret K3CloudAuthMode = "AppSecret"
	// K3CloudAuthSign logs in with LoginBySign (SHA-256, SHA-1 fallback).
	K3CloudAuthSign K3CloudAuthMode = "Sign"
	// K3CloudAuthPassword logs in with ValidateUser.
	K3CloudAuthPassword K3CloudAuthMode = "Password"
)

// K3CloudAuth names the mode and the mounted Secret holding the credentials. The keys the
// Secret must have for each mode are listed in secrets.go (K3CloudSecretKeys).
type K3CloudAuth struct {
	Mode K3CloudAuthMode `json:"mode"`
	// CredentialsDir is where the credentials Secret is mounted.
	CredentialsDir string `json:"credentialsDir"`
}

// K3CloudSource pulls audited sales orders from K3Cloud and writes purchase orders and
// tracking numbers back.
type K3CloudSource struct {
	K3CloudConnection `json:",inline"`
	SalesOrders       SalesOrderQuery    `json:"salesOrders"`
	PurchaseOrders    PurchaseOrders     `json:"purchaseOrders"`
	TrackingWriteBack *TrackingWriteBack `json:"trackingWriteBack,omitempty"`
}

// SalesOrderQuery is how sales orders are pulled.
type SalesOrderQuery struct {
	// FormID is the business object, SAL_SaleOrder by default.
	FormID string `json:"formID,omitempty"`
	// Filter is a K3Cloud FilterString ANDed with FDocumentStatus='C' and the watermark
	// window, for example "F_DropShip = 1".
	Filter string `json:"filter,omitempty"`
	// WatermarkField is the date field the poller advances on, FApproveDate by default.
	WatermarkField string `json:"watermarkField,omitempty"`
	// Overlap is how far back each poll looks before the watermark so late commits are not
	// missed (intake dedupes what it sees twice); default 2m.
	Overlap Duration `json:"overlap,omitempty"`
	// PollInterval between polls; default 30s.
	PollInterval Duration `json:"pollInterval,omitempty"`
	// PageSize is the Limit of one ExecuteBillQuery page; default 2000.
	PageSize int `json:"pageSize,omitempty"`
	// Fields maps canonical order fields to K3Cloud field keys; empty entries take the
	// defaults (FReceiveAddress, FLinkMan, FLinkPhone, FMaterialId.FNumber, FQty, FTaxPrice…).
	Fields map[string]string `json:"fields,omitempty"`
}

// PurchaseOrders is the purchase-order write-back.
type PurchaseOrders struct {
	Enabled            bool   `json:"enabled"`
	FormID             string `json:"formID,omitempty"`
	BillTypeNumber     string `json:"billTypeNumber,omitempty"`
	PurchaseOrgNumber  string `json:"purchaseOrgNumber,omitempty"`
	AutoSubmitAndAudit bool   `json:"autoSubmitAndAudit,omitempty"`
	// BatchSize is how many purchase orders go into one BatchSave; default 100.
	BatchSize int `json:"batchSize,omitempty"`
	// LinkField is the PO entry field that holds the sales order line link
	// (FDEMANDBILLENTRYID by default; FDEMANDBILLNO carries the bill number).
	LinkField string `json:"linkField,omitempty"`
}

// TrackingWriteBack names the sales-order fields the tracking number and carrier go to.
type TrackingWriteBack struct {
	TrackingNumberField string `json:"trackingNumberField"`
	CarrierField        string `json:"carrierField,omitempty"`
	// EntryLevel writes the fields on the sales order entry (per line) instead of the header.
	EntryLevel bool `json:"entryLevel,omitempty"`
	// BatchSize is how many sales orders one Save call updates; default 100.
	BatchSize int `json:"batchSize,omitempty"`
}

// WebhookSource takes orders POSTed to the dispatcher's intake endpoint.
type WebhookSource struct {
	// SecretDir is where the intake Secret is mounted: key "hmacSecret" (HMAC-SHA256 over
	// the body) and/or "bearerToken".
	SecretDir string `json:"secretDir"`
}

// Supplier is one resolved Supplier resource.
type Supplier struct {
	// Name is the Supplier resource's name; routing rules refer to it.
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// ERPNumber is the supplier's number in our ERP (FSupplierId.FNumber) for PO write-back.
	ERPNumber string           `json:"erpNumber,omitempty"`
	Suspend   bool             `json:"suspend,omitempty"`
	HTTP      *HTTPEndpoint    `json:"http,omitempty"`
	K3Cloud   *K3CloudEndpoint `json:"k3cloud,omitempty"`
	Catalog   Catalog          `json:"catalog"`
	Regions   []string         `json:"regions"`
	Capacity  Capacity         `json:"capacity"`
	Delivery  Delivery         `json:"delivery"`
	SLA       SLA              `json:"sla"`
}

// HTTPEndpoint is a supplier that takes orders over HTTP/JSON.
type HTTPEndpoint struct {
	URL      string       `json:"url"`
	Auth     HTTPAuth     `json:"auth"`
	Request  HTTPRequest  `json:"request"`
	Response HTTPResponse `json:"response"`
	// Shipments is how the supplier reports shipments.
	Shipments Shipments `json:"shipments"`
	// Headers are extra static headers sent with every request.
	Headers map[string]string `json:"headers,omitempty"`
}

// HTTPAuthType is how we authenticate to a supplier.
type HTTPAuthType string

const (
	HTTPAuthNone   HTTPAuthType = "None"
	HTTPAuthBearer HTTPAuthType = "Bearer"
	HTTPAuthBasic  HTTPAuthType = "Basic"
	HTTPAuthAPIKey HTTPAuthType = "APIKey"
	HTTPAuthHMAC   HTTPAuthType = "HMAC"
)

// HTTPAuth names the auth type and the mounted Secret (keys in secrets.go).
type HTTPAuth struct {
	Type HTTPAuthType `json:"type"`
	// SecretDir is where the Secret is mounted; empty for None.
	SecretDir string `json:"secretDir,omitempty"`
	// HeaderName is the API key header for APIKey (default X-API-Key).
	HeaderName string `json:"headerName,omitempty"`
}

// HTTPRequest is how the canonical order becomes the supplier's payload.
type HTTPRequest struct {
	// Method defaults to POST.
	Method string `json:"method,omitempty"`
	// Template is a Go text/template over the canonical order that renders the JSON body
	// (see docs); empty means the canonical order JSON as is.
	Template string `json:"template,omitempty"`
}

// HTTPResponse is how the supplier's answer is read.
type HTTPResponse struct {
	// OrderIDPath is the dotted path of the supplier's order id in the JSON answer.
	OrderIDPath string `json:"orderIDPath,omitempty"`
	// AcceptedWhen is a CEL expression over the JSON answer (bound as variables of its top
	// level keys and as `body`) that is true when the order was accepted; empty means any 2xx.
	AcceptedWhen string `json:"acceptedWhen,omitempty"`
	// MessagePath is the dotted path of the supplier's error message, for dead letters.
	MessagePath string `json:"messagePath,omitempty"`
}

// ShipmentMode is how a supplier reports shipments.
type ShipmentMode string

const (
	ShipmentsCallback ShipmentMode = "Callback"
	ShipmentsPoll     ShipmentMode = "Poll"
)

// Shipments is how shipment news comes back.
type Shipments struct {
	Mode ShipmentMode `json:"mode"`
	// CallbackSecretDir holds key "callbackSecret": the HMAC key callbacks are verified with.
	CallbackSecretDir string `json:"callbackSecretDir,omitempty"`
	// PollURL is a text/template over {{.SupplierOrderID}} and {{.IdempotencyKey}}.
	PollURL string `json:"pollURL,omitempty"`
	// PollInterval between polls of one order; default 5m.
	PollInterval Duration `json:"pollInterval,omitempty"`
	// ShippedWhen is a CEL expression over the poll answer, true when shipped.
	ShippedWhen        string `json:"shippedWhen,omitempty"`
	TrackingNumberPath string `json:"trackingNumberPath,omitempty"`
	CarrierPath        string `json:"carrierPath,omitempty"`
}

// K3CloudEndpoint is a supplier that runs its own K3Cloud: our purchase order is saved as
// a sales order in their ERP, and the shipment is read back by query.
type K3CloudEndpoint struct {
	K3CloudConnection `json:",inline"`
	// CustomerNumber is our customer number in their ERP (FCustId.FNumber).
	CustomerNumber string `json:"customerNumber"`
	// SaleOrgNumber is their selling organisation (FSaleOrgId.FNumber).
	SaleOrgNumber string `json:"saleOrgNumber"`
	// BillTypeNumber defaults to XSDD01_SYS.
	BillTypeNumber string `json:"billTypeNumber,omitempty"`
	// TrackingNumberField is the field in their sales order that holds the tracking number.
	TrackingNumberField string `json:"trackingNumberField,omitempty"`
	CarrierField        string `json:"carrierField,omitempty"`
	// PollInterval between shipment queries; default 5m.
	PollInterval Duration `json:"pollInterval,omitempty"`
}

// Catalog is what a supplier sells and at what price. An empty catalog means the supplier
// takes any SKU at our own number and no known price.
type Catalog struct {
	SKUs []CatalogItem `json:"skus,omitempty"`
	// SKUMapFile is a mounted CSV (sku,supplierSku,price,stock,leadTimeHours) merged over SKUs.
	SKUMapFile string `json:"skuMapFile,omitempty"`
}

// CatalogItem maps one of our SKUs to the supplier's.
type CatalogItem struct {
	SKU         string  `json:"sku"`
	SupplierSKU string  `json:"supplierSku,omitempty"`
	Price       float64 `json:"price,omitempty"`
	// Stock is how many units the supplier has; nil means not tracked.
	Stock *int64 `json:"stock,omitempty"`
	// LeadTime is how long the supplier takes to ship it; used by the Fastest strategy.
	LeadTime Duration `json:"leadTime,omitempty"`
}

// Capacity is how much a supplier can take.
type Capacity struct {
	MaxConcurrent int     `json:"maxConcurrent,omitempty"`
	RatePerSecond float64 `json:"ratePerSecond,omitempty"`
	PerDay        int     `json:"perDay,omitempty"`
	PerHour       int     `json:"perHour,omitempty"`
	// Timezone is the IANA zone days and hours are counted in, Asia/Shanghai by default.
	Timezone string `json:"timezone,omitempty"`
	// Cutoff is the HH:MM after which new orders count against the next day.
	Cutoff string `json:"cutoff,omitempty"`
}

// Delivery is how calls to a supplier are made and retried.
type Delivery struct {
	Timeout       Duration `json:"timeout,omitempty"`
	Retry         Retry    `json:"retry"`
	RetryAfterMax Duration `json:"retryAfterMax,omitempty"`
}

// Retry is an exponential backoff with jitter.
type Retry struct {
	Attempts int      `json:"attempts,omitempty"`
	Initial  Duration `json:"initial,omitempty"`
	Max      Duration `json:"max,omitempty"`
	// Jitter is the fraction (0–1) of each delay that is randomised.
	Jitter float64 `json:"jitter,omitempty"`
}

// SLA is what the supplier promised.
type SLA struct {
	// ShipWithin is the promised time from acceptance to a tracking number.
	ShipWithin Duration `json:"shipWithin,omitempty"`
}

// Strategy picks one supplier among the eligible candidates of a tier.
type Strategy string

const (
	StrategyWeighted Strategy = "Weighted"
	StrategyCheapest Strategy = "Cheapest"
	StrategyFastest  Strategy = "Fastest"
	StrategyPriority Strategy = "Priority"
)

// Rule is one routing rule.
type Rule struct {
	Name     string   `json:"name"`
	Match    Match    `json:"match"`
	Strategy Strategy `json:"strategy"`
	// Tiers are tried in order: tier 0 takes all traffic while healthy; later tiers take
	// over as earlier ones lose health (Envoy priority semantics).
	Tiers []Tier `json:"tiers"`
}

// Match selects lines. Empty fields match everything; all non-empty fields must match.
type Match struct {
	Regions     []string `json:"regions,omitempty"`
	SKUs        []string `json:"skus,omitempty"`
	SKUPrefixes []string `json:"skuPrefixes,omitempty"`
	// Expression is CEL over `order` and `line` (the canonical JSON shapes).
	Expression string `json:"expression,omitempty"`
}

// Tier is a group of suppliers with base weights.
type Tier struct {
	Suppliers []WeightedSupplier `json:"suppliers"`
}

// WeightedSupplier is a supplier with its base weight (0–10000) in a tier.
type WeightedSupplier struct {
	Name   string `json:"name"`
	Weight int32  `json:"weight"`
}

// Adaptive is outlier detection and effective weights (Envoy semantics).
type Adaptive struct {
	Enabled             bool     `json:"enabled"`
	Window              Duration `json:"window,omitempty"`
	MinRequests         int      `json:"minRequests,omitempty"`
	ConsecutiveFailures int      `json:"consecutiveFailures,omitempty"`
	FailurePercent      int      `json:"failurePercent,omitempty"`
	BaseEjectionTime    Duration `json:"baseEjectionTime,omitempty"`
	MaxEjectionTime     Duration `json:"maxEjectionTime,omitempty"`
	MaxEjectionPercent  int      `json:"maxEjectionPercent,omitempty"`
	PenalizeThrottling  bool     `json:"penalizeThrottling,omitempty"`
	// SlowShipFactor: a supplier whose p95 ship lag exceeds SLA × factor loses weight.
	SlowShipFactor float64 `json:"slowShipFactor,omitempty"`
	// SlowLatency: a supplier whose p95 API latency exceeds this loses weight; 0 disables.
	SlowLatency Duration `json:"slowLatency,omitempty"`
}

// StoreType is the journal backend.
type StoreType string

const (
	StoreSQLite   StoreType = "SQLite"
	StorePostgres StoreType = "Postgres"
)

// Store is the durable journal.
type Store struct {
	Type StoreType `json:"type"`
	// Path is the SQLite database file.
	Path string `json:"path,omitempty"`
	// DSNFile is a mounted file holding the PostgreSQL DSN (key "dsn" of the Secret).
	DSNFile string `json:"dsnFile,omitempty"`
}

// Server is the dispatcher's HTTP server.
type Server struct {
	// Listen is the address of the API (intake, callbacks, explain, dead letters, probes,
	// metrics); default ":8080".
	Listen string `json:"listen,omitempty"`
	// PublicURL is how suppliers reach the callback endpoint; used in supplier payloads.
	PublicURL string `json:"publicURL,omitempty"`
	// AdminTokenFile guards the dead-letter replay and explain endpoints when set.
	AdminTokenFile string `json:"adminTokenFile,omitempty"`
}

// Reporting is status reporting into the custom resources.
type Reporting struct {
	// Enabled is true in a cluster; standalone dispatchers report nothing.
	Enabled bool `json:"enabled"`
	// Interval between reports; default 15s, jittered.
	Interval Duration `json:"interval,omitempty"`
	// LeaseName is the Lease the replicas elect a reporter (and ERP poller) with.
	LeaseName string `json:"leaseName,omitempty"`
}
