package rtsp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// TestMain fails the package if any test leaves a goroutine behind: a probe
// must close its client, and fake servers must stop, whatever happened.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// slack is how late a probe may end after its timeout: the time to close
// the client and hand back the result, on a loaded 2-core machine under
// -race.
const slack = 300 * time.Millisecond

// probeTimed probes url with a fresh context and checks that the probe ended
// within timeout plus slack.
func probeTimed(t *testing.T, p *rtsp.Prober, url string, deep bool) camera.ProbeResult {
	t.Helper()
	start := time.Now()
	res := p.Probe(context.Background(), url, deep)
	if took := time.Since(start); took > p.Timeout+slack {
		t.Errorf("probe took %v, want at most %v (timeout %v)", took, p.Timeout+slack, p.Timeout)
	}
	return res
}

// startCamera starts a fake camera that is closed when the test ends.
func startCamera(t *testing.T, opts rtsptest.Options) *rtsptest.Camera {
	t.Helper()
	c, err := rtsptest.Start(opts)
	if err != nil {
		t.Fatalf("rtsptest.Start: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// startBroken starts a broken server that is closed when the test ends.
func startBroken(t *testing.T, f rtsptest.Fault, opts rtsptest.BrokenOptions) *rtsptest.Broken {
	t.Helper()
	b, err := rtsptest.StartBroken(f, opts)
	if err != nil {
		t.Fatalf("rtsptest.StartBroken(%v): %v", f, err)
	}
	t.Cleanup(b.Close)
	return b
}

// checkNoSecrets fails the test if any secret appears in the result.
func checkNoSecrets(t *testing.T, res camera.ProbeResult, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for field, v := range map[string]string{"Detail": res.Detail, "Server": res.Server, "Codec": res.Codec, "Reason": res.Reason} {
			if strings.Contains(v, s) {
				t.Errorf("%s = %q contains the secret %q", field, v, s)
			}
		}
	}
}
