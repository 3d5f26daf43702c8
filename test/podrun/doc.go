// Package podrun runs a Deployment's pod as a local process, for the demo and the e2e tests
// only: the local control plane (kube-apiserver + etcd) has no kubelet and no
// controller-manager, so nothing would ever run the dispatcher the operator rendered.
//
// It reads the Deployment, lays its volumes out as files under a root directory (ConfigMap
// and Secret keys as files, emptyDir and PVC as directories) at the same paths the container
// would see them (prefixed by the root), resolves the container's environment (values,
// downward-API pod name and namespace, Secret and ConfigMap keys), and starts the local build
// of the container's command with its arguments plus `--root ROOT`, so the binary reads its
// files from there. When the process answers its readiness probe, podrun writes the
// Deployment's status the way the controller-manager would (Available, replicas ready), and
// when the pod template changes (a new config hash) it restarts the process: a rollout.
package podrun
