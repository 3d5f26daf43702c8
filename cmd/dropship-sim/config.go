package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// simConfig is the --config file. Each top-level key is one section of simulators; the
// K3Cloud ERP simulator will be the `k3cloud` section.
type simConfig struct {
	Suppliers []supplierSim `json:"suppliers"`
	// K3Cloud is the K3Cloud WebAPI simulator (dispatcher/k3cloud/k3cloudtest).
	K3Cloud *k3cloudSim `json:"k3cloud,omitempty"`
}

// supplierSim is one simulated supplier.
type supplierSim struct {
	Name string `json:"name"`
	// Listen is host:port; 127.0.0.1:0 (a free port) by default.
	Listen             string          `json:"listen,omitempty"`
	Latency            config.Duration `json:"latency,omitempty"`
	Jitter             config.Duration `json:"jitter,omitempty"`
	ErrorRate          float64         `json:"errorRate,omitempty"`
	ErrorStatus        int             `json:"errorStatus,omitempty"`
	ThrottleRate       float64         `json:"throttleRate,omitempty"`
	RetryAfter         config.Duration `json:"retryAfter,omitempty"`
	RetryAfterDate     bool            `json:"retryAfterDate,omitempty"`
	TimeoutRate        float64         `json:"timeoutRate,omitempty"`
	TimeoutAfterAccept bool            `json:"timeoutAfterAccept,omitempty"`
	DropRate           float64         `json:"dropRate,omitempty"`
	SoftRejectRate     float64         `json:"softRejectRate,omitempty"`
	// ShipDelay after acceptance; "-1s" (any negative) never ships.
	ShipDelay config.Duration `json:"shipDelay,omitempty"`
	// CallbackSecret signs shipment callbacks; CallbackSecretFile reads it from a file
	// (a mounted Secret's callbackSecret key).
	CallbackSecret     string   `json:"callbackSecret,omitempty"`
	CallbackSecretFile string   `json:"callbackSecretFile,omitempty"`
	KnownSKUs          []string `json:"knownSKUs,omitempty"`
	RejectStatus       int      `json:"rejectStatus,omitempty"`
	Auth               simAuth  `json:"auth,omitempty"`
}

// simAuth is the auth the simulated supplier demands: inline values, or SecretDir holding
// the same keys a dispatcher's supplier Secret holds (token, username, password, apiKey,
// hmacSecret).
type simAuth struct {
	Type       config.HTTPAuthType `json:"type,omitempty"`
	SecretDir  string              `json:"secretDir,omitempty"`
	HeaderName string              `json:"headerName,omitempty"`
	Token      string              `json:"token,omitempty"`
	Username   string              `json:"username,omitempty"`
	Password   string              `json:"password,omitempty"`
	APIKey     string              `json:"apiKey,omitempty"`
	HMACSecret string              `json:"hmacSecret,omitempty"`
}

// loadConfig reads a YAML or JSON file, refusing unknown fields.
func loadConfig(path string) (*simConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read simulator config %q: %w", path, err)
	}
	c, err := decodeConfig(b)
	if err != nil {
		return nil, fmt.Errorf("cannot load simulator config %q: %w", path, err)
	}
	return c, nil
}

func decodeConfig(b []byte) (*simConfig, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("cannot parse YAML: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	c := &simConfig{}
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("cannot decode: %w", err)
	}
	return c, c.validate()
}

func (c *simConfig) validate() error {
	if len(c.Suppliers) == 0 && c.K3Cloud == nil {
		return errors.New("no simulators configured: add suppliers or k3cloud")
	}
	if c.K3Cloud != nil {
		if err := c.K3Cloud.validate(); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for i, s := range c.Suppliers {
		if s.Name == "" {
			return fmt.Errorf("suppliers[%d].name is required", i)
		}
		if seen[s.Name] {
			return fmt.Errorf("suppliers[%d].name %q is used twice", i, s.Name)
		}
		seen[s.Name] = true
		if err := s.profile().Validate(); err != nil {
			return fmt.Errorf("suppliers[%d]: %w", i, err)
		}
	}
	return nil
}

func (s supplierSim) profile() suppliertest.Profile {
	return suppliertest.Profile{
		Latency: s.Latency.Duration, Jitter: s.Jitter.Duration, TimeoutRate: s.TimeoutRate, TimeoutAfterAccept: s.TimeoutAfterAccept, DropRate: s.DropRate,
		ErrorRate: s.ErrorRate, ErrorStatus: s.ErrorStatus, ThrottleRate: s.ThrottleRate, RetryAfter: s.RetryAfter.Duration,
		RetryAfterDate: s.RetryAfterDate, SoftRejectRate: s.SoftRejectRate, ShipDelay: s.ShipDelay.Duration,
	}
}

// options turns the entry into simulator options, reading secret files.
func (s supplierSim) options() (suppliertest.Options, error) {
	o := suppliertest.Options{Name: s.Name, Addr: s.Listen, Profile: s.profile(), KnownSKUs: s.KnownSKUs,
		RejectStatus: s.RejectStatus, CallbackSecret: s.CallbackSecret}
	if s.CallbackSecretFile != "" {
		b, err := os.ReadFile(s.CallbackSecretFile)
		if err != nil {
			return o, fmt.Errorf("cannot read callback secret of supplier %q: %w", s.Name, err)
		}
		o.CallbackSecret = string(bytes.TrimRight(b, "\r\n"))
	}
	a := s.Auth
	o.Auth = suppliertest.Auth{Type: a.Type, HeaderName: a.HeaderName, Token: a.Token, Username: a.Username,
		Password: a.Password, APIKey: a.APIKey, HMACSecret: a.HMACSecret}
	if a.SecretDir != "" {
		for _, k := range config.HTTPSecretKeys(a.Type) {
			v, err := supplier.ReadSecret(a.SecretDir, k)
			if err != nil {
				return o, fmt.Errorf("cannot read auth secret of supplier %q: %w", s.Name, err)
			}
			switch k {
			case config.SecretKeyToken:
				o.Auth.Token = v
			case config.SecretKeyUsername:
				o.Auth.Username = v
			case config.SecretKeyPassword:
				o.Auth.Password = v
			case config.SecretKeyAPIKey:
				o.Auth.APIKey = v
			case config.SecretKeyHMACSecret:
				o.Auth.HMACSecret = v
			}
		}
	}
	return o, nil
}
