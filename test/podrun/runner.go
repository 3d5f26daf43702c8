package podrun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Runner runs one Deployment's pod as a local process.
type Runner struct {
	Client    client.Client
	Namespace string
	Name      string
	// BinDir holds the local builds of the container's binaries (bin/).
	BinDir string
	// Root is where the pod's volumes are laid out.
	Root string
	// Port is the local port the process serves on (passed as --listen 127.0.0.1:Port); the
	// readiness probe is sent there.
	Port int
	// ExtraArgs and ExtraEnv are added to the container's.
	ExtraArgs []string
	ExtraEnv  []string
	// Output receives the process's stdout and stderr.
	Output io.Writer
	Log    logr.Logger

	cmd      *exec.Cmd
	done     chan struct{}
	hash     string
	ready    bool
	restarts int
}

// Run keeps the process in step with the Deployment until ctx ends, then stops it.
func (r *Runner) Run(ctx context.Context) error {
	defer r.stop()
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := r.step(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error(err, "pod runner step failed", "deployment", r.Name)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Restarts is how many times the process was started after the first time.
func (r *Runner) Restarts() int { return r.restarts }

func (r *Runner) step(ctx context.Context) error {
	d := &appsv1.Deployment{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: r.Name}, d); err != nil {
		return client.IgnoreNotFound(err)
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = min(*d.Spec.Replicas, 1)
	}
	hash := templateHash(d)
	if want == 0 || hash != r.hash || r.exited() {
		if r.cmd != nil {
			r.stop()
			r.ready = false
		}
	}
	if want == 1 && r.cmd == nil {
		if err := r.start(ctx, d, hash); err != nil {
			return err
		}
	}
	ready := want == 1 && r.cmd != nil && r.probe(ctx, d)
	if ready != r.ready || d.Status.ObservedGeneration != d.Generation {
		r.ready = ready
		return r.writeStatus(ctx, d, want, ready)
	}
	return nil
}

func (r *Runner) start(ctx context.Context, d *appsv1.Deployment, hash string) error {
	env, err := layout(ctx, r.Client, d, r.Root, d.Name+"-local")
	if err != nil {
		return fmt.Errorf("cannot lay out pod of deployment %q: %w", d.Name, err)
	}
	ctr := d.Spec.Template.Spec.Containers[0]
	argv := append(append([]string{}, ctr.Command...), ctr.Args...)
	if len(argv) == 0 {
		return fmt.Errorf("deployment %q: container has no command", d.Name)
	}
	bin := filepath.Join(r.BinDir, filepath.Base(argv[0]))
	args := append(argv[1:], "--root", r.Root, "--listen", fmt.Sprintf("127.0.0.1:%d", r.Port))
	args = append(args, r.ExtraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), env...), r.ExtraEnv...)
	cmd.Stdout, cmd.Stderr = r.Output, r.Output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start %s: %w", bin, err)
	}
	if r.hash != "" {
		r.restarts++
	}
	r.cmd, r.hash, r.done = cmd, hash, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(r.done)
	r.Log.Info("started pod process", "deployment", d.Name, "pid", cmd.Process.Pid, "templateHash", hash[:12])
	return nil
}

func (r *Runner) exited() bool {
	if r.cmd == nil {
		return false
	}
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after 15 s.
func (r *Runner) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.done
	}
	r.cmd = nil
}

func (r *Runner) probe(ctx context.Context, d *appsv1.Deployment) bool {
	path := "/readyz"
	if p := d.Spec.Template.Spec.Containers[0].ReadinessProbe; p != nil && p.HTTPGet != nil {
		path = p.HTTPGet.Path
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", r.Port, path), nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// writeStatus does what the deployment controller would.
func (r *Runner) writeStatus(ctx context.Context, d *appsv1.Deployment, want int32, ready bool) error {
	var n int32
	avail := corev1.ConditionFalse
	reason := "MinimumReplicasUnavailable"
	if ready {
		n, avail, reason = want, corev1.ConditionTrue, "MinimumReplicasAvailable"
	}
	if want == 0 {
		avail, reason = corev1.ConditionTrue, "MinimumReplicasAvailable"
	}
	base := d.DeepCopy()
	now := metav1.Now()
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation,
		Replicas:           want, UpdatedReplicas: want, ReadyReplicas: n, AvailableReplicas: n,
		UnavailableReplicas: want - n,
		Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentAvailable, Status: avail, Reason: reason,
			LastUpdateTime: now, LastTransitionTime: now,
		}},
	}
	if err := r.Client.Status().Patch(ctx, d, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("cannot write status of deployment %q: %w", d.Name, err)
	}
	return nil
}

func templateHash(d *appsv1.Deployment) string {
	b, err := json.Marshal(d.Spec.Template)
	if err != nil {
		panic(errors.Join(errors.New("pod template does not marshal"), err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
