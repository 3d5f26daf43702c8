package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

type conditioned interface {
	client.Object
	GetConditions() []metav1.Condition
}

// expectCondition waits until obj has the condition with this status and reason, and
// returns the object as read then.
func expectCondition(t *testing.T, obj conditioned, typ string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s %s=%s/%s", obj.GetName(), typ, status, reason), func() error {
		if err := k8sClient.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		c := meta.FindStatusCondition(obj.GetConditions(), typ)
		if c == nil {
			return fmt.Errorf("no %s condition in %+v", typ, obj.GetConditions())
		}
		if c.Status != status || c.Reason != reason {
			return fmt.Errorf("%s is %s/%s: %s", typ, c.Status, c.Reason, c.Message)
		}
		if c.ObservedGeneration != obj.GetGeneration() {
			return fmt.Errorf("%s observedGeneration %d, generation %d", typ, c.ObservedGeneration, obj.GetGeneration())
		}
		return nil
	})
}

func TestSupplierCredentialsRecover(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	ns := newNamespace(t)
	sup := httpSupplier(ns, "supplier-a", "supplier-a-cred")
	create(t, sup)

	// The Secret is missing: not an error of the operator, a condition that says what is missing.
	expectCondition(t, sup, dropshipv1.CredentialsResolvedCondition, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason)
	expectCondition(t, sup, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason)
	expectCondition(t, sup, dropshipv1.StalledCondition, metav1.ConditionTrue, dropshipv1.SecretNotFoundReason)
	if sup.Status.ObservedGeneration != sup.Generation {
		t.Errorf("observedGeneration = %d, want %d", sup.Status.ObservedGeneration, sup.Generation)
	}

	// The Secret appears without the key HMAC needs.
	sec := secret(ns, "supplier-a-cred", map[string]string{"token": "s3cr3t-value"})
	create(t, sec)
	expectCondition(t, sup, dropshipv1.CredentialsResolvedCondition, metav1.ConditionFalse, dropshipv1.SecretKeyMissingReason)

	// The key is added: the Supplier recovers by itself.
	sec.Data[config.SecretKeyHMACSecret] = []byte("s3cr3t-value")
	if err := k8sClient.Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, sup, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	for _, c := range []string{dropshipv1.StalledCondition, dropshipv1.ReconcilingCondition} {
		if meta.FindStatusCondition(sup.Status.Conditions, c) != nil {
			t.Errorf("%s still present on a Ready supplier", c)
		}
	}
	assertNoSecretData(t, sup.Status.Conditions)

	// One Event per change of Ready, reason = condition reason, no Secret data.
	eventually(t, "events", func() error {
		var list eventsv1.EventList
		if err := k8sClient.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		got := map[string]int{}
		for _, e := range list.Items {
			if e.Regarding.Name != sup.Name || e.Regarding.Kind != "Supplier" {
				continue
			}
			got[e.Type+"/"+e.Reason]++
			if strings.Contains(e.Note, secretValue) {
				t.Errorf("event %s holds Secret data", e.Reason)
			}
		}
		want := map[string]int{"Warning/SecretNotFound": 1, "Warning/SecretKeyMissing": 1, "Normal/Succeeded": 1}
		if d := cmp.Diff(want, got); d != "" {
			return fmt.Errorf("events (-want +got):\n%s", d)
		}
		return nil
	})
}

func TestOrderSourceCredentialsByMode(t *testing.T) {
	needEnvtest(t)
	ns := newNamespace(t)
	// Password mode needs username and password, not appID/appSecret.
	create(t, secret(ns, "kingdee-cred", map[string]string{"username": "api", "appID": "x", "appSecret": "s3cr3t-value"}))
	src := k3cloudSource(ns, "kingdee-main", "kingdee-cred")
	create(t, src)
	expectCondition(t, src, dropshipv1.CredentialsResolvedCondition, metav1.ConditionFalse, dropshipv1.SecretKeyMissingReason)
	c := meta.FindStatusCondition(src.Status.Conditions, dropshipv1.CredentialsResolvedCondition)
	if want := `Secret "kingdee-cred" lacks key "password"`; c.Message != want {
		t.Errorf("message = %q, want %q", c.Message, want)
	}

	web := webhookSource(ns, "intake", "intake-hmac")
	create(t, web)
	expectCondition(t, web, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason)
	// Either of hmacSecret or bearerToken is enough for the webhook.
	create(t, secret(ns, "intake-hmac", map[string]string{"bearerToken": "s3cr3t-value"}))
	expectCondition(t, web, dropshipv1.ReadyCondition, metav1.ConditionTrue, dropshipv1.SucceededReason)
	assertNoSecretData(t, src.Status.Conditions)
}

func TestSuspendedSupplierIsNotReconciled(t *testing.T) {
	needEnvtest(t)
	ctx := context.Background()
	ns := newNamespace(t)
	sup := httpSupplier(ns, "supplier-s", "missing-cred")
	sup.Spec.Suspend = true
	create(t, sup)
	expectCondition(t, sup, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SuspendedReason)
	if c := meta.FindStatusCondition(sup.Status.Conditions, dropshipv1.CredentialsResolvedCondition); c != nil {
		t.Errorf("a suspended supplier's credentials were resolved: %+v", c)
	}
	sup.Spec.Suspend = false
	if err := k8sClient.Update(ctx, sup); err != nil {
		t.Fatal(err)
	}
	expectCondition(t, sup, dropshipv1.ReadyCondition, metav1.ConditionFalse, dropshipv1.SecretNotFoundReason)
}
