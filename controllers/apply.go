package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applier creates or updates rendered objects with server-side apply. Each object carries
// the hash of what was rendered; when the live object (from the cache) carries the same
// hash nothing is sent, so a reconcile with nothing new writes nothing.
type applier struct {
	client client.Client
	scheme *runtime.Scheme
}

// drifted tells whether someone changed what matters most in a rendered object since the
// operator applied it: a Deployment's replicas, image or config hash, a ConfigMap's data,
// a Role's rules or a RoleBinding's subjects. Other edits to fields the operator owns are
// put right with the next change the operator renders.
func drifted(want, live client.Object) bool {
	switch w := want.(type) {
	case *appsv1.Deployment:
		l := live.(*appsv1.Deployment)
		wc, lc := w.Spec.Template.Spec.Containers, l.Spec.Template.Spec.Containers
		return !equality.Semantic.DeepEqual(w.Spec.Replicas, l.Spec.Replicas) ||
			w.Spec.Template.Annotations[AnnotationConfig] != l.Spec.Template.Annotations[AnnotationConfig] ||
			len(lc) != len(wc) || (len(wc) > 0 && wc[0].Image != lc[0].Image)
	case *corev1.ConfigMap:
		return !equality.Semantic.DeepEqual(w.Data, live.(*corev1.ConfigMap).Data)
	case *rbacv1.Role:
		return !equality.Semantic.DeepEqual(w.Rules, live.(*rbacv1.Role).Rules)
	case *rbacv1.RoleBinding:
		l := live.(*rbacv1.RoleBinding)
		return !equality.Semantic.DeepEqual(w.Subjects, l.Subjects) || w.RoleRef != l.RoleRef
	}
	return false
}

// toRecreate clears spec.strategy.rollingUpdate before a Deployment moves to the Recreate
// strategy (Postgres to SQLite): the API server defaulted it, no field manager owns it, so
// server-side apply would keep it and the Deployment would be refused.
func (a *applier) toRecreate(ctx context.Context, obj, live client.Object) error {
	want, ok := obj.(*appsv1.Deployment)
	if !ok || want.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		return nil
	}
	have := live.(*appsv1.Deployment)
	if have.Spec.Strategy.RollingUpdate == nil {
		return nil
	}
	patch := []byte(`{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}`)
	if err := a.client.Patch(ctx, have, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("cannot switch Deployment %q to the Recreate strategy: %w", have.Name, err)
	}
	return nil
}

// renderedHash hashes the object as rendered, before the hash annotation is added.
func renderedHash(obj client.Object) (string, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// apply writes obj unless the live object already holds this rendering. It reports
// whether it wrote.
func (a *applier) apply(ctx context.Context, obj client.Object) (bool, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	hash, err := renderedHash(obj)
	if err != nil {
		return false, fmt.Errorf("cannot hash %s %q: %w", gvk.Kind, obj.GetName(), err)
	}
	ann := maps.Clone(obj.GetAnnotations())
	if ann == nil {
		ann = map[string]string{}
	}
	ann[AnnotationRendered] = hash
	obj.SetAnnotations(ann)

	live, err := a.scheme.New(gvk)
	if err != nil {
		return false, fmt.Errorf("cannot make %s %q: %w", gvk.Kind, obj.GetName(), err)
	}
	liveObj := live.(client.Object)
	err = a.client.Get(ctx, client.ObjectKeyFromObject(obj), liveObj)
	switch {
	case err == nil:
		if liveObj.GetAnnotations()[AnnotationRendered] == hash && liveObj.GetDeletionTimestamp() == nil && !drifted(obj, liveObj) {
			return false, nil
		}
		if err := a.toRecreate(ctx, obj, liveObj); err != nil {
			return false, err
		}
	case !apierrors.IsNotFound(err):
		return false, fmt.Errorf("cannot get %s %q: %w", gvk.Kind, obj.GetName(), err)
	}

	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return false, fmt.Errorf("cannot convert %s %q: %w", gvk.Kind, obj.GetName(), err)
	}
	delete(m, "status")
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(m, "spec", "template", "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: m}
	if err := a.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return false, fmt.Errorf("cannot apply %s %q: %w", gvk.Kind, obj.GetName(), err)
	}
	return true, nil
}
