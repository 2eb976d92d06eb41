package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// TestProbeNetworkPolicy: "matthan probe" connects anywhere, unless it is
// given the daemon's configuration; then it answers denied where the
// daemon may not connect, and connects nowhere.
func TestProbeNetworkPolicy(t *testing.T) {
	cam := startCamera(t, rtsptest.Options{})
	url := cam.URLWithCredentials(probeUser, probePassword)
	cfg := filepath.Join(t.TempDir(), "matthan.yaml")
	if err := os.WriteFile(cfg, []byte("probe:\n  deny_networks:\n    - 127.0.0.0/8\n    - ::1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"no configuration", nil, []string{url}, 0, []string{"✔ up"}},
		{"--config", nil, []string{"--config", cfg, url}, 1, []string{
			"✘ down: denied — the daemon's network policy (probe.allow_networks, probe.deny_networks) forbids connecting to that address",
			"what happened: the network policy forbids connecting to " + cam.Addr() + ": 127.0.0.1 is in the denied network 127.0.0.0/8",
		}},
		{"MATTHAN_CONFIG", map[string]string{envConfig: cfg}, []string{url}, 1, []string{"✘ down: denied"}},
		{"MATTHAN_CONFIG and an environment variable over it", map[string]string{envConfig: cfg, "MATTHAN_PROBE_DENY_NETWORKS": "169.254.0.0/16"}, []string{url}, 0, []string{"✔ up"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cam.Describes()
			out, errOut, code := runCLI(t, tt.env, append([]string{"probe"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out+errOut, probePassword) {
				t.Errorf("the output shows the password:\n%s%s", out, errOut)
			}
			if denied := tt.code != 0; denied && cam.Describes() != before {
				t.Errorf("the camera was asked DESCRIBE %d times by a denied probe", cam.Describes()-before)
			}
		})
	}

	// A configuration that does not load is an error, not a probe
	// without a policy.
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("probe:\n  deny_networks:\n    - metadata\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, nil, "probe", "--config", bad, url)
	if code != 1 || !strings.Contains(errOut, `probe.deny_networks[0]: must be a CIDR range or an IP address`) {
		t.Errorf("bad configuration: exit %d, stderr %q", code, errOut)
	}
}
