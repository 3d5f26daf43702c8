package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// Load reads, decodes, defaults and validates a DispatcherConfig file.
func Load(path string) (*DispatcherConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read dispatcher config %q: %w", path, err)
	}
	c, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("cannot load dispatcher config %q: %w", path, err)
	}
	return c, nil
}

// Decode parses YAML or JSON, rejects unknown fields, applies defaults and validates.
func Decode(b []byte) (*DispatcherConfig, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("cannot parse YAML: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	c := &DispatcherConfig{}
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("cannot decode: %w", err)
	}
	c.Default()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Marshal encodes the document as YAML with stable key order, so the same input always
// renders the same bytes (the operator hashes them to roll out changes).
func Marshal(c *DispatcherConfig) ([]byte, error) {
	j, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("cannot encode dispatcher config: %w", err)
	}
	return yaml.JSONToYAML(j)
}
