package postgres

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Without a DSN the PostgreSQL tests skip, except in CI, where they fail: a CI run must
// never pass by skipping the store it did not reach.
func TestMissingDSN(t *testing.T) {
	if os.Getenv("DROPSHIP_STORE_DSN_CHILD") != "" {
		t.Skip("run by TestMissingDSN as a child")
	}
	cases := map[string]struct {
		ci       string
		wantFail bool
		wantText string
	}{
		"outside CI the tests skip": {"", false, "SKIP: TestConformance"},
		"in CI the tests fail":      {"true", true, "CI is"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConformance$", "-test.v")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, dsnEnv+"=") && !strings.HasPrefix(kv, "CI=") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(env, "DROPSHIP_STORE_DSN_CHILD=1", "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail || !strings.Contains(string(out), tc.wantText) {
				t.Errorf("child failed %v (want %v), output:\n%s\nwant it to contain %q", failed, tc.wantFail, out, tc.wantText)
			}
		})
	}
}
