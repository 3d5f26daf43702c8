package controllers

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// policyScope is what one RoutingPolicy reconcile gathers, phase by phase.
type policyScope struct {
	policy    *dropshipv1.RoutingPolicy
	source    *dropshipv1.OrderSource
	suppliers []*dropshipv1.Supplier
	templates map[string]string

	sourceResolved    bool
	sourceFacts       sourceFacts
	suppliersResolved bool
	supplierFacts     suppliersFacts
	observed          bool
	dispatcher        dispatcherFacts
	heartbeat         heartbeatFacts
	configHash        string
	// invalid says why the spec cannot be rendered (terminal until the spec changes).
	invalid string
}

// blocked is true when a reference is missing: nothing is rendered until it appears.
func (s *policyScope) blocked() bool {
	f := s.supplierFacts
	if !s.sourceFacts.Found || !s.sourceFacts.Credentials.ok() || len(f.Missing) > 0 || len(f.MissingConfigMaps) > 0 {
		return true
	}
	for _, c := range f.Credentials {
		if !c.ok() {
			return true
		}
	}
	return false
}

// resolveSource reads the OrderSource and checks its Secrets.
func (r *RoutingPolicyReconciler) resolveSource(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	p := s.policy
	s.sourceResolved = true
	s.sourceFacts = sourceFacts{Name: p.Spec.SourceRef.Name}
	src := &dropshipv1.OrderSource{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Spec.SourceRef.Name}, src)
	if apierrors.IsNotFound(err) {
		return ctrl.Result{}, nil
	}
	if err != nil {
		s.sourceFacts.Err = err
		return ctrl.Result{}, fmt.Errorf("cannot get OrderSource %q: %w", p.Spec.SourceRef.Name, err)
	}
	s.source = src
	s.sourceFacts.Found = true
	s.sourceFacts.Credentials = resolveSecrets(ctx, r.APIReader, p.Namespace, orderSourceSecrets(src))
	return ctrl.Result{}, s.sourceFacts.Credentials.Err
}

// resolveSuppliers reads every Supplier the rules name, checks their Secrets and the
// ConfigMaps they refer to.
func (r *RoutingPolicyReconciler) resolveSuppliers(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	p := s.policy
	s.suppliersResolved = true
	f := suppliersFacts{Names: policySupplierNames(p), Credentials: map[string]credentials{}}
	defer func() { s.supplierFacts = f }()
	s.templates = map[string]string{}
	var res ctrl.Result
	for _, name := range f.Names {
		sup := &dropshipv1.Supplier{}
		err := r.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: name}, sup)
		if apierrors.IsNotFound(err) {
			f.Missing = append(f.Missing, name)
			continue
		}
		if err != nil {
			f.Err = err
			return ctrl.Result{}, fmt.Errorf("cannot get Supplier %q: %w", name, err)
		}
		s.suppliers = append(s.suppliers, sup)
		c := resolveSecrets(ctx, r.APIReader, p.Namespace, supplierSecrets(sup))
		f.Credentials[name] = c
		if c.Err != nil {
			return ctrl.Result{}, c.Err
		}
		problem, err := r.resolveConfigMaps(ctx, sup, s.templates)
		if err != nil {
			f.Err = err
			return ctrl.Result{}, err
		}
		if problem != nil {
			if f.MissingConfigMaps == nil {
				f.MissingConfigMaps = map[string]configMapProblem{}
			}
			f.MissingConfigMaps[name] = *problem
			res.RequeueAfter = configMapRecheck
		}
	}
	return res, nil
}

// resolveConfigMaps checks the request template and catalog SKU map ConfigMaps of a
// supplier exist with their keys, and reads the template (it is inlined in the config).
func (r *RoutingPolicyReconciler) resolveConfigMaps(ctx context.Context, sup *dropshipv1.Supplier, templates map[string]string) (*configMapProblem, error) {
	var refs []dropshipv1.ConfigMapKeyReference
	var templateRef *dropshipv1.ConfigMapKeyReference
	if h := sup.Spec.Endpoint.HTTP; h != nil && h.Request != nil && h.Request.TemplateRef != nil {
		templateRef = h.Request.TemplateRef
		refs = append(refs, *templateRef)
	}
	if ref := catalogMapRef(sup); ref != nil {
		refs = append(refs, *ref)
	}
	for _, ref := range refs {
		cm := &corev1.ConfigMap{}
		err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: sup.Namespace, Name: ref.Name}, cm)
		if apierrors.IsNotFound(err) {
			return &configMapProblem{Reason: dropshipv1.ConfigMapNotFoundReason,
				Message: fmt.Sprintf("ConfigMap %q not found", ref.Name)}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot get ConfigMap %q: %w", ref.Name, err)
		}
		v, ok := cm.Data[ref.Key]
		if !ok {
			return &configMapProblem{Reason: dropshipv1.ConfigMapKeyMissingReason,
				Message: fmt.Sprintf("ConfigMap %q lacks key %q", ref.Name, ref.Key)}, nil
		}
		if templateRef != nil && ref == *templateRef {
			templates[sup.Name] = v
		}
	}
	return nil, nil
}

// applyWorkload renders the dispatcher and applies every object that changed.
func (r *RoutingPolicyReconciler) applyWorkload(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	if s.blocked() {
		return ctrl.Result{}, nil
	}
	p := s.policy
	cfg, secrets, configMaps, err := buildConfig(configInput{Policy: p, Source: s.source, Suppliers: s.suppliers, Templates: s.templates})
	if err != nil {
		s.invalid = err.Error()
		return ctrl.Result{}, nil
	}
	r.setReporting(cfg)
	if err := cfg.Validate(); err != nil {
		// The last line of defence: a config the dispatcher would refuse is never rolled out.
		s.invalid = err.Error()
		return ctrl.Result{}, nil
	}
	in := dispatcherInputFor(p, r.DispatcherImage)
	in.Config, in.Secrets, in.ConfigMaps = cfg, secrets, configMaps
	w, err := renderWorkload(in)
	if err != nil {
		return ctrl.Result{}, err
	}
	a := &applier{client: r.Client, scheme: r.Scheme}
	for _, obj := range w.Objects {
		wrote, err := a.apply(ctx, obj)
		if err != nil {
			return ctrl.Result{}, err
		}
		if wrote {
			ctrl.LoggerFrom(ctx).Info("applied", "kind", obj.GetObjectKind().GroupVersionKind().Kind, "name", obj.GetName())
		}
	}
	s.configHash = w.ConfigHash
	return ctrl.Result{}, nil
}

// dispatcherInputFor takes the workload settings from the policy's spec.
func dispatcherInputFor(p *dropshipv1.RoutingPolicy, defaultImage string) *dispatcherInput {
	d := p.Spec.Dispatcher
	in := &dispatcherInput{
		Namespace: p.Namespace, Name: p.Name, UID: p.UID,
		Suspend: p.Spec.Suspend, Replicas: d.Replicas, Image: d.Image, ImagePullPolicy: d.ImagePullPolicy,
		NodeSelector: d.NodeSelector, Tolerations: d.Tolerations, PodAnnotations: d.PodAnnotations,
		StorageClassName: d.Store.StorageClassName,
	}
	if in.Image == "" {
		in.Image = defaultImage
	}
	if d.Resources != nil {
		in.Resources = *d.Resources
	}
	if d.Store.Size != nil {
		in.StorageSize = *d.Store.Size
	}
	if d.Store.DSNSecretRef != nil {
		in.DSNSecret = d.Store.DSNSecretRef.Name
	}
	return in
}

// observeDispatcher reads the Deployment's availability.
func (r *RoutingPolicyReconciler) observeDispatcher(ctx context.Context, s *policyScope) (ctrl.Result, error) {
	d := &appsv1.Deployment{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: s.policy.Namespace, Name: s.dispatcher.Name}, d)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("cannot get Deployment %q: %w", s.dispatcher.Name, err)
	default:
		if metaControlledBy(d, s.policy.UID) {
			s.dispatcher.Deployment = d
		}
	}
	s.observed = true
	return ctrl.Result{}, nil
}

// suspend scales the dispatcher to zero and touches nothing else. The rendered-hash
// annotation is cleared so the next reconcile after resuming applies the Deployment again.
func (r *RoutingPolicyReconciler) suspend(ctx context.Context, s *policyScope) error {
	s.dispatcher.Suspended = true
	s.observed = true
	d := &appsv1.Deployment{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: s.policy.Namespace, Name: s.dispatcher.Name}, d)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot get Deployment %q: %w", s.dispatcher.Name, err)
	}
	s.dispatcher.Deployment = d
	if d.Spec.Replicas != nil && *d.Spec.Replicas == 0 {
		return nil
	}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:"suspended"}},"spec":{"replicas":0}}`, AnnotationRendered)
	if err := r.Client.Patch(ctx, d, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("cannot scale Deployment %q to zero: %w", s.dispatcher.Name, err)
	}
	ctrl.LoggerFrom(ctx).Info("suspended: dispatcher scaled to zero", "deployment", s.dispatcher.Name)
	return nil
}

func metaControlledBy(o client.Object, uid types.UID) bool {
	return slices.ContainsFunc(o.GetOwnerReferences(), func(ref metav1.OwnerReference) bool {
		return ref.UID == uid && ref.Controller != nil && *ref.Controller
	})
}
