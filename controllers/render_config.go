package controllers

import (
	"fmt"
	"path"
	"slices"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// ConfigMapMountRoot is where ConfigMaps a Supplier refers to (catalog SKU maps) are mounted.
const ConfigMapMountRoot = "/var/run/dropship/configmaps"

// ConfigMapDir is where the ConfigMap named name is mounted in a dispatcher pod.
func ConfigMapDir(name string) string { return path.Join(ConfigMapMountRoot, name) }

// configInput is what buildConfig turns into a DispatcherConfig: the policy, its source,
// the suppliers its rules name (already resolved) and request templates read from
// ConfigMaps (keyed by supplier name).
type configInput struct {
	Policy    *dropshipv1.RoutingPolicy
	Source    *dropshipv1.OrderSource
	Suppliers []*dropshipv1.Supplier
	Templates map[string]string
}

// buildConfig renders the DispatcherConfig. Secret references become mounted directories;
// no Secret data is ever read into it. It returns the names of the Secrets and ConfigMaps
// the dispatcher pod must mount.
func buildConfig(in configInput) (*config.DispatcherConfig, []string, []string, error) {
	p := in.Policy
	var secrets, configMaps []string
	secretDir := func(ref dropshipv1.SecretReference) string {
		secrets = append(secrets, ref.Name)
		return SecretDir(ref.Name)
	}
	c := &config.DispatcherConfig{
		APIVersion: config.APIVersion,
		Kind:       config.Kind,
		Policy:     config.PolicyRef{Namespace: p.Namespace, Name: p.Name, Generation: p.Generation},
		Mode:       config.Mode(p.Spec.Mode),
		Split:      config.Split(p.Spec.Split),
		Server:     config.Server{Listen: fmt.Sprintf(":%d", HTTPPort), PublicURL: p.Spec.Dispatcher.PublicURL},
		Reporting:  config.Reporting{Enabled: true, LeaseName: dispatcherResourceName(p.Name)},
	}
	c.Source = buildSource(in.Source, secretDir)
	for _, s := range in.Suppliers {
		cs, err := buildSupplier(s, in.Templates[s.Name], secretDir)
		if err != nil {
			return nil, nil, nil, err
		}
		if ref := catalogMapRef(s); ref != nil {
			configMaps = append(configMaps, ref.Name)
		}
		c.Suppliers = append(c.Suppliers, cs)
	}
	for _, r := range p.Spec.Rules {
		cr := config.Rule{Name: r.Name, Strategy: config.Strategy(r.Strategy), Match: config.Match{
			Regions: r.Match.Regions, SKUs: r.Match.SKUs, SKUPrefixes: r.Match.SKUPrefixes, Expression: r.Match.Expression,
		}}
		for _, t := range r.Tiers {
			var ct config.Tier
			for _, ws := range t.Suppliers {
				ct.Suppliers = append(ct.Suppliers, config.WeightedSupplier{Name: ws.Name, Weight: ws.Weight})
			}
			cr.Tiers = append(cr.Tiers, ct)
		}
		c.Rules = append(c.Rules, cr)
	}
	a := p.Spec.Adaptive
	factor, err := parseFloat(a.SlowShipFactor)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot parse slowShipFactor of RoutingPolicy %q: %w", p.Name, err)
	}
	c.Adaptive = config.Adaptive{
		Enabled: a.Enabled, Window: dur(a.Window), MinRequests: int(a.MinRequests),
		ConsecutiveFailures: int(a.ConsecutiveFailures), FailurePercent: int(a.FailurePercent),
		BaseEjectionTime: dur(a.BaseEjectionTime), MaxEjectionTime: dur(a.MaxEjectionTime),
		MaxEjectionPercent: int(a.MaxEjectionPercent), PenalizeThrottling: a.PenalizeThrottling,
		SlowShipFactor: factor, SlowLatency: dur(a.SlowLatency),
	}
	st := p.Spec.Dispatcher.Store
	if st.Type == dropshipv1.StorePostgres && st.DSNSecretRef != nil {
		c.Store = config.Store{Type: config.StorePostgres, DSNFile: path.Join(secretDir(*st.DSNSecretRef), config.SecretKeyDSN)}
	} else {
		c.Store = config.Store{Type: config.StoreSQLite, Path: SQLitePath}
	}
	c.Default()
	slices.Sort(secrets)
	slices.Sort(configMaps)
	return c, slices.Compact(secrets), slices.Compact(configMaps), nil
}

func buildSource(s *dropshipv1.OrderSource, secretDir func(dropshipv1.SecretReference) string) config.Source {
	out := config.Source{Name: s.Name, Suspend: s.Spec.Suspend}
	if w := s.Spec.Webhook; w != nil {
		out.Webhook = &config.WebhookSource{SecretDir: secretDir(w.SecretRef)}
	}
	if k := s.Spec.K3Cloud; k != nil {
		q := k.SalesOrders
		ks := &config.K3CloudSource{
			K3CloudConnection: connection(k.K3CloudConnection, secretDir),
			SalesOrders: config.SalesOrderQuery{
				FormID: q.FormID, Filter: q.Filter, WatermarkField: q.WatermarkField,
				Overlap: dur(q.Overlap), PollInterval: dur(q.PollInterval), PageSize: int(q.PageSize), Fields: q.Fields,
			},
		}
		if po := k.PurchaseOrders; po != nil {
			ks.PurchaseOrders = config.PurchaseOrders{
				Enabled: po.Enabled, FormID: po.FormID, BillTypeNumber: po.BillTypeNumber,
				PurchaseOrgNumber: po.PurchaseOrgNumber, AutoSubmitAndAudit: po.AutoSubmitAndAudit,
				BatchSize: int(po.BatchSize), LinkField: po.LinkField,
			}
		}
		if t := k.TrackingWriteBack; t != nil {
			ks.TrackingWriteBack = &config.TrackingWriteBack{
				TrackingNumberField: t.SalesOrderFields.TrackingNumber, CarrierField: t.SalesOrderFields.Carrier,
				EntryLevel: t.EntryLevel, BatchSize: int(t.BatchSize),
			}
		}
		out.K3Cloud = ks
	}
	return out
}

func connection(k dropshipv1.K3CloudConnection, secretDir func(dropshipv1.SecretReference) string) config.K3CloudConnection {
	return config.K3CloudConnection{
		URL: k.URL, AcctID: k.AcctID, LCID: int(k.LCID),
		Auth:          config.K3CloudAuth{Mode: config.K3CloudAuthMode(k.Auth.Mode), CredentialsDir: secretDir(k.Auth.CredentialsSecretRef)},
		Timeout:       dur(k.Timeout),
		MaxConcurrent: int(k.MaxConcurrent),
		RatePerSecond: float64(k.RatePerSecond),
	}
}

func catalogMapRef(s *dropshipv1.Supplier) *dropshipv1.ConfigMapKeyReference {
	if s.Spec.Catalog == nil {
		return nil
	}
	return s.Spec.Catalog.SKUMapRef
}

func buildSupplier(s *dropshipv1.Supplier, template string, secretDir func(dropshipv1.SecretReference) string) (config.Supplier, error) {
	sp := s.Spec
	out := config.Supplier{
		Name: s.Name, DisplayName: sp.DisplayName, ERPNumber: sp.ERPNumber, Suspend: sp.Suspend,
		Regions: sp.Regions,
		Capacity: config.Capacity{
			MaxConcurrent: int(sp.Capacity.MaxConcurrent), RatePerSecond: float64(sp.Capacity.RatePerSecond),
			PerDay: int(sp.Capacity.PerDay), PerHour: int(sp.Capacity.PerHour),
			Timezone: sp.Capacity.Timezone, Cutoff: sp.Capacity.Cutoff,
		},
	}
	jitter, err := parseFloat(sp.Delivery.Retry.Jitter)
	if err != nil {
		return out, fmt.Errorf("cannot parse delivery.retry.jitter of Supplier %q: %w", s.Name, err)
	}
	out.Delivery = config.Delivery{
		Timeout: dur(sp.Delivery.Timeout), RetryAfterMax: dur(sp.Delivery.RetryAfterMax),
		Retry: config.Retry{
			Attempts: int(sp.Delivery.Retry.Attempts), Initial: dur(sp.Delivery.Retry.Initial),
			Max: dur(sp.Delivery.Retry.Max), Jitter: jitter,
		},
	}
	if sp.SLA != nil {
		out.SLA.ShipWithin = dur(sp.SLA.ShipWithin)
	}
	if c := sp.Catalog; c != nil {
		for _, it := range c.SKUs {
			price, err := parseFloat(it.Price)
			if err != nil {
				return out, fmt.Errorf("cannot parse the price of SKU %q of Supplier %q: %w", it.SKU, s.Name, err)
			}
			out.Catalog.SKUs = append(out.Catalog.SKUs, config.CatalogItem{
				SKU: it.SKU, SupplierSKU: it.SupplierSKU, Price: price, Stock: it.Stock, LeadTime: dur(it.LeadTime),
			})
		}
		if ref := c.SKUMapRef; ref != nil {
			out.Catalog.SKUMapFile = path.Join(ConfigMapDir(ref.Name), ref.Key)
		}
	}
	if h := sp.Endpoint.HTTP; h != nil {
		ch := &config.HTTPEndpoint{
			URL:     h.URL,
			Auth:    config.HTTPAuth{Type: config.HTTPAuthType(h.Auth.Type), HeaderName: h.Auth.HeaderName},
			Headers: h.Headers,
			Shipments: config.Shipments{
				Mode: config.ShipmentMode(h.Shipments.Mode), PollURL: h.Shipments.PollURL,
				PollInterval: dur(h.Shipments.PollInterval), ShippedWhen: h.Shipments.ShippedWhen,
				TrackingNumberPath: h.Shipments.TrackingNumberPath, CarrierPath: h.Shipments.CarrierPath,
			},
		}
		if ref := h.Auth.SecretRef; ref != nil && h.Auth.Type != dropshipv1.HTTPAuthNone {
			ch.Auth.SecretDir = secretDir(*ref)
		}
		if ref := h.Shipments.CallbackSecretRef; ref != nil {
			ch.Shipments.CallbackSecretDir = secretDir(*ref)
		}
		if r := h.Request; r != nil {
			ch.Request = config.HTTPRequest{Method: r.Method, Template: r.Template}
			if r.TemplateRef != nil {
				ch.Request.Template = template
			}
		}
		if r := h.Response; r != nil {
			ch.Response = config.HTTPResponse{OrderIDPath: r.OrderIDPath, AcceptedWhen: r.AcceptedWhen, MessagePath: r.MessagePath}
		}
		out.HTTP = ch
	}
	if k := sp.Endpoint.K3Cloud; k != nil {
		out.K3Cloud = &config.K3CloudEndpoint{
			K3CloudConnection: connection(k.K3CloudConnection, secretDir),
			CustomerNumber:    k.CustomerNumber, SaleOrgNumber: k.SaleOrgNumber, BillTypeNumber: k.BillTypeNumber,
			TrackingNumberField: k.TrackingNumberField, CarrierField: k.CarrierField, PollInterval: dur(k.PollInterval),
		}
	}
	return out, nil
}

func dur(d *metav1.Duration) config.Duration {
	if d == nil {
		return config.Duration{}
	}
	return config.D(d.Duration)
}

func parseFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}
