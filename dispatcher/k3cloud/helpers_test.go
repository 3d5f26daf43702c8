package k3cloud_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

func startSim(t testing.TB, opts k3cloudtest.Options) (*k3cloudtest.Server, string) {
	t.Helper()
	srv := k3cloudtest.NewServer(opts)
	u, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, u
}

// credDir writes a mounted-Secret directory the way Kubernetes does (one file per key).
func credDir(t testing.TB, creds map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for k, v := range creds {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func defaultCreds() map[string]string {
	return map[string]string{
		config.SecretKeyUsername:  k3cloudtest.DefaultUsername,
		config.SecretKeyPassword:  k3cloudtest.DefaultPassword,
		config.SecretKeyAppID:     k3cloudtest.DefaultAppID,
		config.SecretKeyAppSecret: k3cloudtest.DefaultAppSecret,
	}
}

func connFor(t testing.TB, url string, mode config.K3CloudAuthMode, creds map[string]string) config.K3CloudConnection {
	t.Helper()
	return config.K3CloudConnection{
		URL: url, AcctID: k3cloudtest.DefaultAcctID, LCID: 2052,
		Auth:          config.K3CloudAuth{Mode: mode, CredentialsDir: credDir(t, creds)},
		MaxConcurrent: 8, RatePerSecond: 10000,
	}
}

func newClient(t testing.TB, url string, mode config.K3CloudAuthMode) *k3cloud.Client {
	t.Helper()
	c, err := k3cloud.New(connFor(t, url, mode, defaultCreds()), k3cloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
