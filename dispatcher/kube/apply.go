package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

var (
	suppliersGVR    = dropshipv1.GroupVersion.WithResource("suppliers")
	policiesGVR     = dropshipv1.GroupVersion.WithResource("routingpolicies")
	ordersourcesGVR = dropshipv1.GroupVersion.WithResource("ordersources")
)

// applyDoc is a server-side-apply request body for the status subresource: only the
// fields the dispatcher owns.
type applyDoc struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Metadata   applyMeta `json:"metadata"`
	Status     any       `json:"status"`
}

type applyMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// get reads one object of the policy's namespace into out; found is false when it does
// not exist.
func (r *Reporter) get(ctx context.Context, gvr schema.GroupVersionResource, name string, out any) (bool, error) {
	u, err := r.clients.dyn.Resource(gvr).Namespace(r.opts.Policy.Namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cannot get %s %q: %w", gvr.Resource, name, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return false, fmt.Errorf("cannot decode %s %q: %w", gvr.Resource, name, err)
	}
	return true, nil
}

// apply writes status with server-side apply under the policy's field manager, forcing
// ownership of the fields named.
func (r *Reporter) apply(ctx context.Context, gvr schema.GroupVersionResource, kind, name string, status any) error {
	body, err := json.Marshal(applyDoc{APIVersion: dropshipv1.GroupVersion.String(), Kind: kind,
		Metadata: applyMeta{Name: name, Namespace: r.opts.Policy.Namespace}, Status: status})
	if err != nil {
		return fmt.Errorf("cannot encode status of %s %q: %w", kind, name, err)
	}
	_, err = r.clients.dyn.Resource(gvr).Namespace(r.opts.Policy.Namespace).Patch(ctx, name, types.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: r.manager, Force: ptr.To(true)}, "status")
	if err != nil {
		return fmt.Errorf("cannot apply status of %s %q: %w", kind, name, err)
	}
	r.writes.Add(1)
	return nil
}

// condition builds a condition from a verdict, keeping the last transition time of the
// existing condition when the status did not change.
func condition(t string, v verdict, existing []metav1.Condition, gen int64, now time.Time) metav1.Condition {
	c := metav1.Condition{Type: t, Status: v.Status, Reason: v.Reason, Message: truncate(v.Message, 32768),
		ObservedGeneration: gen, LastTransitionTime: metav1.NewTime(now.Truncate(time.Second))}
	if old := meta.FindStatusCondition(existing, t); old != nil && old.Status == v.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	return c
}
