package controllers

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// secretRef is a Secret an object refers to and the keys it must hold. With AnyOf, one of
// the keys is enough (a webhook intake takes an HMAC secret and/or a bearer token).
type secretRef struct {
	Name  string
	Keys  []string
	AnyOf bool
}

// credentials is what resolving an object's Secret references found. It never holds
// Secret data: only names of Secrets and keys.
type credentials struct {
	// Refs is how many Secret references were checked.
	Refs int
	// Missing are Secrets that do not exist, sorted.
	Missing []string
	// MissingKeys maps a Secret to the keys it lacks (sorted).
	MissingKeys map[string][]string
	// Err is set when a Secret could not be read (a transient error).
	Err error
}

func (c credentials) ok() bool { return c.Err == nil && len(c.Missing) == 0 && len(c.MissingKeys) == 0 }

// resolveSecrets reads each referenced Secret (uncached: the operator does not keep Secret
// data in memory) and checks the keys are present. Only key names are kept.
func resolveSecrets(ctx context.Context, r client.Reader, namespace string, refs []secretRef) credentials {
	out := credentials{Refs: len(refs)}
	for _, ref := range refs {
		var s corev1.Secret
		err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, &s)
		if apierrors.IsNotFound(err) {
			out.Missing = append(out.Missing, ref.Name)
			continue
		}
		if err != nil {
			out.Err = fmt.Errorf("cannot get Secret %q: %w", ref.Name, err)
			return out
		}
		var lacks []string
		for _, k := range ref.Keys {
			_, inData := s.Data[k]
			_, inString := s.StringData[k]
			if !inData && !inString {
				lacks = append(lacks, k)
			}
		}
		if ref.AnyOf && len(lacks) < len(ref.Keys) {
			lacks = nil
		}
		if len(lacks) > 0 {
			if out.MissingKeys == nil {
				out.MissingKeys = map[string][]string{}
			}
			out.MissingKeys[ref.Name] = append(out.MissingKeys[ref.Name], lacks...)
			slices.Sort(out.MissingKeys[ref.Name])
			out.MissingKeys[ref.Name] = slices.Compact(out.MissingKeys[ref.Name])
		}
	}
	slices.Sort(out.Missing)
	out.Missing = slices.Compact(out.Missing)
	return out
}

// orderSourceSecrets are the Secrets an OrderSource refers to.
func orderSourceSecrets(s *dropshipv1.OrderSource) []secretRef {
	var refs []secretRef
	if k := s.Spec.K3Cloud; k != nil {
		refs = append(refs, secretRef{
			Name: k.Auth.CredentialsSecretRef.Name,
			Keys: config.K3CloudSecretKeys(config.K3CloudAuthMode(k.Auth.Mode)),
		})
	}
	if w := s.Spec.Webhook; w != nil {
		refs = append(refs, secretRef{
			Name: w.SecretRef.Name, AnyOf: true,
			Keys: []string{config.SecretKeyHMACSecret, config.SecretKeyBearerToken},
		})
	}
	return refs
}

// supplierSecrets are the Secrets a Supplier refers to.
func supplierSecrets(s *dropshipv1.Supplier) []secretRef {
	var refs []secretRef
	if h := s.Spec.Endpoint.HTTP; h != nil {
		if h.Auth.SecretRef != nil && h.Auth.Type != "" && h.Auth.Type != dropshipv1.HTTPAuthNone {
			refs = append(refs, secretRef{
				Name: h.Auth.SecretRef.Name,
				Keys: config.HTTPSecretKeys(config.HTTPAuthType(h.Auth.Type)),
			})
		}
		if ref := h.Shipments.CallbackSecretRef; ref != nil {
			refs = append(refs, secretRef{Name: ref.Name, Keys: []string{config.SecretKeyCallbackSecret}})
		}
	}
	if k := s.Spec.Endpoint.K3Cloud; k != nil {
		refs = append(refs, secretRef{
			Name: k.Auth.CredentialsSecretRef.Name,
			Keys: config.K3CloudSecretKeys(config.K3CloudAuthMode(k.Auth.Mode)),
		})
	}
	return refs
}

// policySecrets are the Secrets a RoutingPolicy refers to itself (the Postgres DSN).
func policySecrets(p *dropshipv1.RoutingPolicy) []secretRef {
	st := p.Spec.Dispatcher.Store
	if st.Type == dropshipv1.StorePostgres && st.DSNSecretRef != nil {
		return []secretRef{{Name: st.DSNSecretRef.Name, Keys: []string{config.SecretKeyDSN}}}
	}
	return nil
}

func secretNames(refs []secretRef) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
