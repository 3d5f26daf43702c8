package controllers

import (
	"maps"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

const (
	volConfig = "config"
	volTmp    = "tmp"
	volData   = "data"
)

// renderDeployment is the dispatcher workload. The config hash in the pod template rolls
// the pods whenever the rendered config changes. The SQLite store runs exactly one replica
// with the Recreate strategy (one writer of the journal at a time); the Postgres store runs
// the requested replicas with rolling updates. A suspended policy runs zero replicas.
func renderDeployment(in *dispatcherInput, configHash string) *appsv1.Deployment {
	name := dispatcherResourceName(in.Name)
	replicas := in.Replicas
	strategy := appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}
	if in.sqlite() {
		replicas = 1
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	if replicas < 1 {
		replicas = 1
	}
	if in.Suspend {
		replicas = 0
	}
	annotations := maps.Clone(in.PodAnnotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationConfig] = configHash
	labels := commonLabels(in.Name)

	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(in, name),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: selectorLabels(in.Name)},
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations},
				Spec: corev1.PodSpec{
					ServiceAccountName:           name,
					AutomountServiceAccountToken: ptr.To(true),
					NodeSelector:                 in.NodeSelector,
					Tolerations:                  in.Tolerations,
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr.To(true),
						RunAsUser:      ptr.To(dispatcherUID),
						RunAsGroup:     ptr.To(dispatcherUID),
						FSGroup:        ptr.To(dispatcherUID),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					TerminationGracePeriodSeconds: ptr.To[int64](30),
					Containers:                    []corev1.Container{dispatcherContainer(in)},
					Volumes:                       dispatcherVolumes(in),
				},
			},
		},
	}
	return d
}

func dispatcherContainer(in *dispatcherInput) corev1.Container {
	probe := func(path string, period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: path, Port: intstr.FromString(HTTPPortName),
			}},
			PeriodSeconds:    period,
			TimeoutSeconds:   2,
			FailureThreshold: 3,
		}
	}
	fieldEnv := func(name, path string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path},
		}}
	}
	return corev1.Container{
		Name:            ContainerName,
		Image:           in.Image,
		ImagePullPolicy: pullPolicy(in.ImagePullPolicy),
		Command:         []string{"dispatcher", "--config", ConfigPath},
		Env: []corev1.EnvVar{
			fieldEnv("POD_NAME", "metadata.name"),
			fieldEnv("POD_NAMESPACE", "metadata.namespace"),
		},
		Ports: []corev1.ContainerPort{{
			Name: HTTPPortName, ContainerPort: HTTPPort, Protocol: corev1.ProtocolTCP,
		}},
		LivenessProbe:  probe("/healthz", 20),
		ReadinessProbe: probe("/readyz", 10),
		Resources:      in.Resources,
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr.To(true),
			ReadOnlyRootFilesystem:   ptr.To(true),
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		VolumeMounts:             dispatcherMounts(in),
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
}

// secretVolumeName is a valid volume name (a DNS-1123 label) for a Secret name.
func secretVolumeName(secret string) string { return "secret-" + shortHash(secret, 12) }

// configMapVolumeName is a valid volume name for a ConfigMap name.
func configMapVolumeName(cm string) string { return "configmap-" + shortHash(cm, 12) }

func sortedConfigMaps(in *dispatcherInput) []string {
	s := slices.Clone(in.ConfigMaps)
	slices.Sort(s)
	return slices.Compact(s)
}

func pullPolicy(p corev1.PullPolicy) corev1.PullPolicy {
	if p == "" {
		return corev1.PullIfNotPresent
	}
	return p
}

func sortedSecrets(in *dispatcherInput) []string {
	s := slices.Clone(in.Secrets)
	if in.DSNSecret != "" && !in.sqlite() {
		s = append(s, in.DSNSecret)
	}
	slices.Sort(s)
	return slices.Compact(s)
}

func dispatcherMounts(in *dispatcherInput) []corev1.VolumeMount {
	m := []corev1.VolumeMount{
		{Name: volConfig, MountPath: ConfigDir, ReadOnly: true},
		{Name: volTmp, MountPath: "/tmp"},
	}
	if in.sqlite() {
		m = append(m, corev1.VolumeMount{Name: volData, MountPath: DataDir})
	}
	for _, c := range sortedConfigMaps(in) {
		m = append(m, corev1.VolumeMount{Name: configMapVolumeName(c), MountPath: ConfigMapDir(c), ReadOnly: true})
	}
	for _, s := range sortedSecrets(in) {
		m = append(m, corev1.VolumeMount{Name: secretVolumeName(s), MountPath: SecretDir(s), ReadOnly: true})
	}
	return m
}

func dispatcherVolumes(in *dispatcherInput) []corev1.Volume {
	name := dispatcherResourceName(in.Name)
	v := []corev1.Volume{
		{Name: volConfig, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
			DefaultMode:          ptr.To[int32](0o444),
		}}},
		{Name: volTmp, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	if in.sqlite() {
		v = append(v, corev1.Volume{Name: volData, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: dataPVCName(in.Name)},
		}})
	}
	for _, c := range sortedConfigMaps(in) {
		v = append(v, corev1.Volume{Name: configMapVolumeName(c), VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: c},
				DefaultMode:          ptr.To[int32](0o444),
			},
		}})
	}
	for _, s := range sortedSecrets(in) {
		v = append(v, corev1.Volume{Name: secretVolumeName(s), VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: s, DefaultMode: ptr.To[int32](0o440)},
		}})
	}
	return v
}
