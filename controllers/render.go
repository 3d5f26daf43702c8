package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Paths and names inside a dispatcher pod. The dispatcher reads its config from
// ConfigPath; every referenced Secret is mounted read-only at SecretMountRoot/<secret>.
const (
	ConfigDir       = "/etc/dropship"
	ConfigKey       = "dispatcher.yaml"
	ConfigPath      = ConfigDir + "/" + ConfigKey
	SecretMountRoot = "/var/run/dropship/secrets"
	DataDir         = "/var/lib/dropship"
	SQLitePath      = DataDir + "/dispatcher.db"
	HTTPPort        = 8080
	HTTPPortName    = "http"
	ContainerName   = "dispatcher"
	// dispatcherUID is the non-root user of the distroless image.
	dispatcherUID int64 = 65532
)

// Labels and annotations the operator puts on what it renders.
const (
	LabelName          = "app.kubernetes.io/name"
	LabelInstance      = "app.kubernetes.io/instance"
	LabelComponent     = "app.kubernetes.io/component"
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	LabelPartOf        = "app.kubernetes.io/part-of"
	LabelPolicy        = "dropship.dev/policy"
	AnnotationConfig   = "dropship.dev/config-hash"
	AnnotationRendered = "dropship.dev/rendered-hash"

	managerName     = "dropship-operator"
	dispatcherName  = "dropship-dispatcher"
	defaultDataSize = "1Gi"
)

// SecretDir is where the Secret named name is mounted in a dispatcher pod.
func SecretDir(name string) string { return path.Join(SecretMountRoot, name) }

// dispatcherInput is everything the render functions need to build one policy's
// dispatcher workload. Reconcilers fill it from the API objects; render functions are pure.
type dispatcherInput struct {
	// Namespace and Name of the RoutingPolicy; UID for owner references.
	Namespace string
	Name      string
	UID       types.UID
	// Config is the DispatcherConfig with secrets already turned into mounted paths.
	Config *config.DispatcherConfig
	// Secrets are the names of every Secret the config refers to (mounted read-only).
	Secrets []string
	// ConfigMaps are the names of every ConfigMap the config refers to (mounted read-only).
	ConfigMaps []string
	// Suspend scales the dispatcher to zero.
	Suspend  bool
	Replicas int32
	Image    string
	// ImagePullPolicy defaults to IfNotPresent.
	ImagePullPolicy corev1.PullPolicy
	// DSNSecret holds key "dsn" for the Postgres store.
	DSNSecret string
	// Storage is the SQLite PVC: size and optional storage class.
	StorageSize      resource.Quantity
	StorageClassName *string
	Resources        corev1.ResourceRequirements
	NodeSelector     map[string]string
	Tolerations      []corev1.Toleration
	PodAnnotations   map[string]string
}

func (in *dispatcherInput) sqlite() bool {
	return in.Config == nil || in.Config.Store.Type != config.StorePostgres
}

// dispatcherResourceName is the name of every object rendered for a policy. It stays a
// valid DNS-1035 label (Services need one): long names are cut and suffixed with a hash.
func dispatcherResourceName(policy string) string {
	return shortName(policy+"-dispatcher", 63)
}

func dataPVCName(policy string) string { return shortName(policy+"-dispatcher-data", 63) }

func shortName(s string, max int) string {
	if len(s) <= max {
		return s
	}
	h := shortHash(s, 8)
	return s[:max-len(h)-1] + "-" + h
}

func shortHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// selectorLabels select the dispatcher pods of one policy; they never change.
func selectorLabels(policy string) map[string]string {
	return map[string]string{LabelName: dispatcherName, LabelInstance: shortName(policy, 63)}
}

// commonLabels go on every rendered object.
func commonLabels(policy string) map[string]string {
	l := selectorLabels(policy)
	l[LabelComponent] = "dispatcher"
	l[LabelManagedBy] = managerName
	l[LabelPartOf] = managerName
	l[LabelPolicy] = shortName(policy, 63)
	return l
}

// The RoutingPolicy's group, version and kind, for owner references and Roles.
const (
	apiGroup         = "dropship.dev"
	policyAPIVersion = apiGroup + "/v1alpha1"
	policyKind       = "RoutingPolicy"
)

// renderedWorkload is every object one policy's dispatcher consists of, in apply order.
type renderedWorkload struct {
	ConfigHash string
	ConfigMap  *corev1.ConfigMap
	Objects    []client.Object
}

// renderWorkload renders every object of a policy's dispatcher.
func renderWorkload(in *dispatcherInput) (renderedWorkload, error) {
	rc, err := encodeConfig(in.Config)
	if err != nil {
		return renderedWorkload{}, err
	}
	cm := renderConfigMap(in, rc)
	objs := []client.Object{
		renderServiceAccount(in),
		renderRole(in),
		renderRoleBinding(in),
		cm,
	}
	if pvc := renderPVC(in); pvc != nil {
		objs = append(objs, pvc)
	}
	objs = append(objs, renderService(in), renderDeployment(in, rc.Hash))
	return renderedWorkload{ConfigHash: rc.Hash, ConfigMap: cm, Objects: objs}, nil
}
