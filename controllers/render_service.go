package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// renderService exposes the dispatcher's HTTP port: intake webhook, shipment callbacks,
// explain, /metrics.
func renderService(in *dispatcherInput) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(in, dispatcherResourceName(in.Name)),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selectorLabels(in.Name),
			Ports: []corev1.ServicePort{{
				Name:       HTTPPortName,
				Port:       HTTPPort,
				TargetPort: intstr.FromString(HTTPPortName),
				Protocol:   corev1.ProtocolTCP,
			}},
		},
	}
}

// renderPVC is the SQLite journal's volume; nil for the Postgres store.
func renderPVC(in *dispatcherInput) *corev1.PersistentVolumeClaim {
	if !in.sqlite() {
		return nil
	}
	size := in.StorageSize
	if size.IsZero() {
		size = resource.MustParse(defaultDataSize)
	}
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: objectMeta(in, dataPVCName(in.Name)),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: in.StorageClassName,
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: size},
			},
		},
	}
}
