package harness

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// object is one manifest document.
type object map[string]any

func (o object) kind() string { s, _ := o["kind"].(string); return s }

func (o object) name() string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// field walks nested maps; nil when a step is missing.
func (o object) field(path ...string) any {
	var cur any = map[string]any(o)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func (o object) str(path ...string) string { s, _ := o.field(path...).(string); return s }

// manifests is the demo set: config/demo built by kubectl's kustomize.
type manifests struct {
	objs []object
	// secrets holds the values generated for every Secret key, by Secret name.
	secrets map[string]map[string]string
}

// buildManifests runs `kubectl kustomize dir` and replaces every Secret value with a fresh
// random one, so no placeholder or shared credential is ever used.
func buildManifests(kubectl, dir string) (*manifests, error) {
	out, err := exec.Command(kubectl, "kustomize", dir).Output()
	if err != nil {
		var stderr string
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("cannot build %s: %w: %s", dir, err, stderr)
	}
	m := &manifests{secrets: map[string]map[string]string{}}
	for _, doc := range strings.Split(string(out), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		o := object{}
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("cannot parse the output of kustomize %s: %w", dir, err)
		}
		if o.kind() == "Secret" {
			vals := map[string]string{}
			sd, _ := o["stringData"].(map[string]any)
			for k := range sd {
				vals[k] = secretValue(k)
				sd[k] = vals[k]
			}
			m.secrets[o.name()] = vals
		}
		m.objs = append(m.objs, o)
	}
	return m, nil
}

// secretValue is a random credential; an AppID has the "<clientId>_<32 chars>" shape
// Kingdee issues.
func secretValue(key string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	if key == "appID" {
		return fmt.Sprintf("%d_%s", 200000+int(b[0])<<8|int(b[1]), base64.StdEncoding.EncodeToString(b))
	}
	if key == "username" {
		return "demo-" + hex.EncodeToString(b[:4])
	}
	return hex.EncodeToString(b)
}

// get returns the object of a kind and name.
func (m *manifests) get(kind, name string) object {
	for _, o := range m.objs {
		if o.kind() == kind && o.name() == name {
			return o
		}
	}
	return nil
}

// of returns every object of a kind.
func (m *manifests) of(kind string) []object {
	var out []object
	for _, o := range m.objs {
		if o.kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// render returns the documents with the DEMO_URL_* placeholders replaced.
func (m *manifests) render(urls map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	for _, o := range m.objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("cannot encode %s %s: %w", o.kind(), o.name(), err)
		}
		s := string(b)
		// Longest first: DEMO_URL_E is a prefix of DEMO_URL_ERP.
		keys := slices.SortedFunc(maps.Keys(urls), func(a, b string) int { return len(b) - len(a) })
		for _, k := range keys {
			s = strings.ReplaceAll(s, k, urls[k])
		}
		if strings.Contains(s, "DEMO_URL_") {
			return nil, fmt.Errorf("%s %s has a DEMO_URL_ placeholder the harness does not know", o.kind(), o.name())
		}
		buf.WriteString("---\n")
		buf.WriteString(s)
	}
	return buf.Bytes(), nil
}
