package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/matthan/matthan/api"
)

func TestThrottle(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	th := api.NewThrottle(api.ThrottleOptions{Limit: 3, Window: time.Minute, Now: clk.now})
	if wait, _ := th.Check("a"); wait != 0 {
		t.Fatalf("a client never seen waits %v", wait)
	}
	reports := []api.Report{th.Fail("a"), th.Fail("a"), th.Fail("a")}
	if want := []api.Report{{Log: true, Failures: 1}, {}, {}}; fmt.Sprint(reports) != fmt.Sprint(want) {
		t.Errorf("reports = %v, want %v", reports, want)
	}
	clk.advance(20 * time.Second)
	if wait, rep := th.Check("a"); wait != 40*time.Second || rep.Log {
		t.Errorf("after the limit: wait %v, report %+v; want 40s and no line", wait, rep)
	}
	if wait, _ := th.Check("b"); wait != 0 {
		t.Errorf("another client waits %v", wait)
	}
	clk.advance(40 * time.Second)
	if wait, _ := th.Check("a"); wait != 0 {
		t.Errorf("after the window: wait %v", wait)
	}
	if rep := th.Fail("a"); !rep.Log || rep.Failures != 4 {
		t.Errorf("first failure of the next window: %+v; want a line for 2 failures, 1 refusal and this one", rep)
	}
	// A client untouched for a window is forgotten.
	clk.advance(time.Minute)
	th.Check("z")
	if n := th.Clients(); n != 0 {
		t.Errorf("%d clients tracked a window after the last failure", n)
	}
}

// TestThrottleBounded: however many addresses fail, at most MaxClients
// are tracked; the least recently seen go first.
func TestThrottleBounded(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	th := api.NewThrottle(api.ThrottleOptions{Limit: 2, MaxClients: 100, Now: clk.now})
	th.Fail("keep")
	for i := range 10_000 {
		th.Fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		if i%50 == 0 {
			th.Fail("keep") // seen often: stays
		}
	}
	if n := th.Clients(); n != 100 {
		t.Errorf("%d clients tracked, want 100", n)
	}
	if wait, _ := th.Check("keep"); wait == 0 {
		t.Errorf("a client seen recently was evicted")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"", ""},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tt := range tests {
		if got := api.ClientKey(tt.in); got != tt.want {
			t.Errorf("ClientKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
