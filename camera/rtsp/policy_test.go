package rtsp_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
)

// watchedPort is a TCP listener that records every connection made to it,
// to prove that a probe never connected.
type watchedPort struct {
	ln    net.Listener
	conns chan net.Conn
}

func watchPort(t *testing.T) *watchedPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &watchedPort{ln: ln, conns: make(chan net.Conn, 64)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(w.conns)
				return
			}
			w.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for c := range w.conns {
			c.Close()
		}
	})
	return w
}

func (w *watchedPort) port() string {
	_, port, _ := net.SplitHostPort(w.ln.Addr().String())
	return port
}

// connections returns how many connections were made so far. It connects
// once itself and counts those accepted before its own: the kernel queues
// accepted connections in order, so any connection a probe made before
// returning is counted, without waiting for a time.
func (w *watchedPort) connections(t *testing.T) int {
	t.Helper()
	mark, err := net.Dial("tcp", w.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mark.Close()
	n := 0
	timeout := time.After(5 * time.Second)
	for {
		select {
		case c := <-w.conns:
			c.Close()
			if c.RemoteAddr().String() == mark.LocalAddr().String() {
				return n
			}
			n++
		case <-timeout:
			t.Fatal("the marking connection was not accepted within 5s")
		}
	}
}

func policy(t *testing.T, allow, deny []string) *camera.NetPolicy {
	t.Helper()
	p := &camera.NetPolicy{}
	for _, s := range allow {
		p.Allow = append(p.Allow, netip.MustParsePrefix(s))
	}
	for _, s := range deny {
		p.Deny = append(p.Deny, netip.MustParsePrefix(s))
	}
	return p
}

// TestProbeNetworkPolicy checks that a camera outside the network policy
// is never connected to, whether its URL names an address or a host name
// that resolves into a denied network, and that the result says why.
func TestProbeNetworkPolicy(t *testing.T) {
	t.Parallel()
	noLoopback := policy(t, nil, []string{"127.0.0.0/8", "::1/128"})
	camerasOnly := policy(t, []string{"10.20.0.0/16"}, nil)
	tests := []struct {
		name       string
		networks   *camera.NetPolicy
		host       string
		deep       bool
		wantDetail string
	}{
		{"an address in a denied network", noLoopback, "127.0.0.1", false, "127.0.0.1 is in the denied network 127.0.0.0/8"},
		{"the same, deep", noLoopback, "127.0.0.1", true, "127.0.0.1 is in the denied network 127.0.0.0/8"},
		{"a name resolving into a denied network", noLoopback, "localhost", false, "is in the denied network"},
		{"an address outside the allowed networks", camerasOnly, "127.0.0.1", false, "127.0.0.1 is outside the allowed networks"},
		{"a name resolving outside the allowed networks", camerasOnly, "localhost", true, "is outside the allowed networks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := watchPort(t)
			url := "rtsp://admin:s3cret@" + net.JoinHostPort(tt.host, w.port()) + "/Streaming/Channels/101"
			p := &rtsp.Prober{Timeout: 2 * time.Second, Networks: tt.networks}
			got := p.Probe(context.Background(), url, tt.deep)
			if got.State != camera.StateDown || got.Reason != camera.ReasonDenied {
				t.Errorf("state, reason = %s, %s, want down, denied (%s)", got.State, got.Reason, got.Detail)
			}
			if !strings.Contains(got.Detail, "the network policy forbids connecting to "+tt.host+":"+w.port()) || !strings.Contains(got.Detail, tt.wantDetail) {
				t.Errorf("detail = %q, want the host and %q", got.Detail, tt.wantDetail)
			}
			checkNoSecrets(t, got, "s3cret")
			if n := w.connections(t); n != 0 {
				t.Errorf("the probe connected %d times to a camera the policy forbids", n)
			}
		})
	}
}

// TestProbeNetworkPolicyCallersDialer checks that an address in the URL is
// refused before a caller's DialContext is even called.
func TestProbeNetworkPolicyCallersDialer(t *testing.T) {
	t.Parallel()
	w := watchPort(t)
	var dials atomic.Int32
	p := &rtsp.Prober{
		Timeout:  2 * time.Second,
		Networks: policy(t, nil, []string{"127.0.0.0/8"}),
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	got := p.Probe(context.Background(), "rtsp://127.0.0.1:"+w.port()+"/", false)
	if got.Reason != camera.ReasonDenied {
		t.Errorf("reason = %s, want denied (%s)", got.Reason, got.Detail)
	}
	if n := dials.Load(); n != 0 {
		t.Errorf("DialContext was called %d times", n)
	}
	if n := w.connections(t); n != 0 {
		t.Errorf("%d connections", n)
	}
}

// TestProbeNetworkPolicyAllows checks that a policy lets through what it
// does not forbid: the default deny list leaves loopback (the demo's
// cameras) alone, and a name is followed to an allowed address.
func TestProbeNetworkPolicyAllows(t *testing.T) {
	t.Parallel()
	cam := startCamera(t, rtsptest.Options{})
	p := &rtsp.Prober{Timeout: 5 * time.Second, Networks: &camera.NetPolicy{Deny: camera.DefaultDenyNetworks()}}
	for _, url := range []string{cam.URL(), strings.Replace(cam.URL(), "127.0.0.1", "localhost", 1)} {
		if got := p.Probe(context.Background(), url, true); got.State != camera.StateUp {
			t.Errorf("probe of %s: state, reason = %s, %s (%s), want up", url, got.State, got.Reason, got.Detail)
		}
	}
}

// TestCaptureNetworkPolicy checks that clip capture, which dials cameras
// too, is held to the same policy.
func TestCaptureNetworkPolicy(t *testing.T) {
	t.Parallel()
	w := watchPort(t)
	p := &rtsp.Prober{Timeout: 2 * time.Second, Networks: policy(t, nil, []string{"127.0.0.0/8", "::1/128"})}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		called := false
		err := p.Capture(context.Background(), "rtsp://"+host+":"+w.port()+"/", func(camera.VideoTrack, camera.AccessUnit) (bool, error) {
			called = true
			return false, nil
		})
		var ce *rtsp.CaptureError
		if !errors.As(err, &ce) || ce.Reason != camera.ReasonDenied || ce.State != camera.StateDown {
			t.Errorf("capture from %s: %v, want a CaptureError down, denied", host, err)
		}
		if called {
			t.Errorf("capture from %s delivered pictures", host)
		}
	}
	if n := w.connections(t); n != 0 {
		t.Errorf("the capture connected %d times to a camera the policy forbids", n)
	}
}
