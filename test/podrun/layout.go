package podrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// layout writes the pod's volumes under root at their mount paths and returns the container's
// resolved environment.
func layout(ctx context.Context, c client.Reader, d *appsv1.Deployment, root, podName string) ([]string, error) {
	spec := d.Spec.Template.Spec
	if len(spec.Containers) == 0 {
		return nil, fmt.Errorf("deployment %s/%s has no containers", d.Namespace, d.Name)
	}
	ctr := spec.Containers[0]
	vols := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		vols[v.Name] = v
	}
	for _, m := range ctr.VolumeMounts {
		v, ok := vols[m.Name]
		if !ok {
			return nil, fmt.Errorf("volume mount %q names no volume", m.Name)
		}
		dir := filepath.Join(root, m.MountPath)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		files, err := volumeFiles(ctx, c, d.Namespace, v)
		if err != nil {
			return nil, err
		}
		if m.SubPath != "" {
			// A single key mounted as a file: the mount path is the file.
			data, ok := files[m.SubPath]
			if !ok {
				return nil, fmt.Errorf("volume %q has no key %q", m.Name, m.SubPath)
			}
			if err := os.Remove(dir); err != nil {
				return nil, err
			}
			if err := os.WriteFile(dir, data, 0o600); err != nil {
				return nil, err
			}
			continue
		}
		for k, data := range files {
			if err := os.WriteFile(filepath.Join(dir, k), data, 0o600); err != nil {
				return nil, err
			}
		}
	}
	return env(ctx, c, d.Namespace, podName, ctr)
}

// volumeFiles returns the files a volume holds (nil for emptyDir and PVC: an empty directory).
func volumeFiles(ctx context.Context, c client.Reader, ns string, v corev1.Volume) (map[string][]byte, error) {
	switch {
	case v.ConfigMap != nil:
		cm := &corev1.ConfigMap{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: v.ConfigMap.Name}, cm); err != nil {
			return nil, fmt.Errorf("cannot read ConfigMap %q: %w", v.ConfigMap.Name, err)
		}
		out := map[string][]byte{}
		for k, s := range cm.Data {
			out[k] = []byte(s)
		}
		for k, b := range cm.BinaryData {
			out[k] = b
		}
		return pick(out, v.ConfigMap.Items)
	case v.Secret != nil:
		s := &corev1.Secret{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: v.Secret.SecretName}, s); err != nil {
			return nil, fmt.Errorf("cannot read Secret %q: %w", v.Secret.SecretName, err)
		}
		out := map[string][]byte{}
		for k, b := range s.Data {
			out[k] = b
		}
		for k, str := range s.StringData {
			out[k] = []byte(str)
		}
		return pick(out, v.Secret.Items)
	case v.EmptyDir != nil, v.PersistentVolumeClaim != nil:
		return nil, nil
	}
	return nil, fmt.Errorf("volume %q: only configMap, secret, emptyDir and persistentVolumeClaim volumes run locally", v.Name)
}

// pick applies a volume's items list (key → path), if any.
func pick(all map[string][]byte, items []corev1.KeyToPath) (map[string][]byte, error) {
	if len(items) == 0 {
		return all, nil
	}
	out := map[string][]byte{}
	for _, it := range items {
		b, ok := all[it.Key]
		if !ok {
			return nil, fmt.Errorf("key %q not found", it.Key)
		}
		out[it.Path] = b
	}
	return out, nil
}

// env resolves the container's environment.
func env(ctx context.Context, c client.Reader, ns, podName string, ctr corev1.Container) ([]string, error) {
	var out []string
	for _, e := range ctr.Env {
		val := e.Value
		if f := e.ValueFrom; f != nil {
			switch {
			case f.FieldRef != nil && f.FieldRef.FieldPath == "metadata.name":
				val = podName
			case f.FieldRef != nil && f.FieldRef.FieldPath == "metadata.namespace":
				val = ns
			case f.SecretKeyRef != nil:
				s := &corev1.Secret{}
				if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: f.SecretKeyRef.Name}, s); err != nil {
					return nil, fmt.Errorf("env %s: cannot read Secret %q: %w", e.Name, f.SecretKeyRef.Name, err)
				}
				val = string(s.Data[f.SecretKeyRef.Key])
			case f.ConfigMapKeyRef != nil:
				cm := &corev1.ConfigMap{}
				if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: f.ConfigMapKeyRef.Name}, cm); err != nil {
					return nil, fmt.Errorf("env %s: cannot read ConfigMap %q: %w", e.Name, f.ConfigMapKeyRef.Name, err)
				}
				val = cm.Data[f.ConfigMapKeyRef.Key]
			default:
				return nil, fmt.Errorf("env %s: this valueFrom does not run locally", e.Name)
			}
		}
		out = append(out, e.Name+"="+val)
	}
	return out, nil
}
