package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// renderedConfig is the encoded DispatcherConfig and the hash the Deployment carries.
type renderedConfig struct {
	YAML []byte
	Hash string
}

// encodeConfig marshals the config with stable key order and hashes the bytes. The config
// holds Secret mount paths only, never Secret data.
func encodeConfig(c *config.DispatcherConfig) (renderedConfig, error) {
	b, err := config.Marshal(c)
	if err != nil {
		return renderedConfig{}, fmt.Errorf("cannot encode dispatcher config %q: %w", c.Policy.String(), err)
	}
	sum := sha256.Sum256(b)
	return renderedConfig{YAML: b, Hash: hex.EncodeToString(sum[:])}, nil
}

// renderConfigMap is the ConfigMap holding the dispatcher's config file.
func renderConfigMap(in *dispatcherInput, rc renderedConfig) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(in, dispatcherResourceName(in.Name)),
		Data:       map[string]string{ConfigKey: string(rc.YAML)},
	}
	cm.Annotations = map[string]string{AnnotationConfig: rc.Hash}
	return cm
}

// objectMeta is the name, namespace, labels and controller owner reference of a rendered object.
func objectMeta(in *dispatcherInput, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: in.Namespace,
		Labels:    commonLabels(in.Name),
		OwnerReferences: []metav1.OwnerReference{{
			APIVersion:         policyAPIVersion,
			Kind:               policyKind,
			Name:               in.Name,
			UID:                in.UID,
			Controller:         ptr.To(true),
			BlockOwnerDeletion: ptr.To(true),
		}},
	}
}
