package camera_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/matthan/matthan/camera"
)

func prefixes(t *testing.T, ss ...string) []netip.Prefix {
	t.Helper()
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		p, err := camera.ParseNetwork(s)
		if err != nil {
			t.Fatalf("ParseNetwork(%q): %v", s, err)
		}
		out[i] = p
	}
	return out
}

func TestNetPolicyCheck(t *testing.T) {
	def := &camera.NetPolicy{Deny: camera.DefaultDenyNetworks()}
	cams := &camera.NetPolicy{Allow: prefixes(t, "10.20.0.0/16", "192.168.1.64"), Deny: append(camera.DefaultDenyNetworks(), prefixes(t, "10.20.99.0/24")...)}
	tests := []struct {
		name   string
		policy *camera.NetPolicy
		addr   string
		want   string // "" allowed, else the error
	}{
		{"metadata service", def, "169.254.169.254", "169.254.169.254 is in the denied network 169.254.0.0/16"},
		{"metadata in IPv6 form", def, "::ffff:169.254.169.254", "169.254.169.254 is in the denied network 169.254.0.0/16"},
		{"IPv6 link-local with a zone", def, "fe80::1%eth0", "fe80::1 is in the denied network fe80::/10"},
		{"AWS IPv6 metadata", def, "fd00:ec2::254", "fd00:ec2::254 is in the denied network fd00:ec2::254/128"},
		{"Alibaba metadata", def, "100.100.100.200", "100.100.100.200 is in the denied network 100.100.100.200/32"},
		{"Azure wire server", def, "168.63.129.16", "168.63.129.16 is in the denied network 168.63.129.16/32"},
		{"unspecified IPv4", def, "0.0.0.0", "0.0.0.0 is in the denied network 0.0.0.0/8"},
		{"unspecified IPv6", def, "::", ":: is in the denied network ::/128"},
		{"loopback, for the demo", def, "127.0.0.1", ""},
		{"a camera", def, "192.0.2.10", ""},
		{"a camera on IPv6", def, "2001:db8::10", ""},
		{"nil policy", nil, "169.254.169.254", ""},
		{"in an allowed network", cams, "10.20.3.4", ""},
		{"an allowed address", cams, "192.168.1.64", ""},
		{"outside the allowed networks", cams, "192.168.1.65", "192.168.1.65 is outside the allowed networks"},
		{"loopback outside the allowed networks", cams, "127.0.0.1", "127.0.0.1 is outside the allowed networks"},
		{"deny wins over allow", cams, "10.20.99.7", "10.20.99.7 is in the denied network 10.20.99.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Check(netip.MustParseAddr(tt.addr))
			got := ""
			if err != nil {
				got = err.Error()
				var de *camera.DeniedError
				if !errors.As(err, &de) {
					t.Errorf("error %T is not a *camera.DeniedError", err)
				}
			}
			if got != tt.want {
				t.Errorf("Check(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestNetPolicyHostAndControl(t *testing.T) {
	p := &camera.NetPolicy{Deny: prefixes(t, "127.0.0.0/8", "::1")}
	for _, tt := range []struct {
		host   string
		denied bool
	}{
		{"127.0.0.1", true},
		{"::1", true},
		{"192.0.2.1", false},
		{"localhost", false}, // a name: checked when dialled
		{"cam-01.example.vn", false},
	} {
		if err := p.CheckHost(tt.host); (err != nil) != tt.denied {
			t.Errorf("CheckHost(%q) = %v, want denied %v", tt.host, err, tt.denied)
		}
	}
	for _, tt := range []struct {
		address string
		denied  bool
	}{
		{"127.0.0.1:554", true},
		{"[::1]:554", true},
		{"192.0.2.1:554", false},
		{"[2001:db8::1]:554", false},
		{"not-an-address", true},
	} {
		if err := p.Control("tcp", tt.address, nil); (err != nil) != tt.denied {
			t.Errorf("Control(%q) = %v, want denied %v", tt.address, err, tt.denied)
		}
	}
}

func TestParseNetwork(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"10.20.0.0/16", "10.20.0.0/16", ""},
		{"10.20.30.40/16", "10.20.0.0/16", ""},
		{"169.254.169.254", "169.254.169.254/32", ""},
		{"fe80::/10", "fe80::/10", ""},
		{"::1", "::1/128", ""},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", ""},
		{"::ffff:10.0.0.1", "10.0.0.1/32", ""},
		{"cameras.lan", "", `"cameras.lan" is not a CIDR range or an IP address`},
		{"10.0.0.0/33", "", `"10.0.0.0/33" is not a CIDR range or an IP address`},
		{"fe80::1%eth0", "", `"fe80::1%eth0" is not a CIDR range or an IP address`},
		{"", "", `"" is not a CIDR range or an IP address`},
	} {
		p, err := camera.ParseNetwork(tt.in)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseNetwork(%q) = %v, %v, want error %q", tt.in, p, err, tt.err)
			}
		case err != nil || p.String() != tt.want:
			t.Errorf("ParseNetwork(%q) = %v, %v, want %s", tt.in, p, err, tt.want)
		}
	}
}
