package camera

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ReasonDenied is the probe reason of a camera whose address the network
// policy forbids: the daemon did not connect to it. Its state is down —
// the daemon cannot watch that camera — and its detail names the address
// and the rule, so that the operator can fix the URL or the policy.
const ReasonDenied = "denied"

// NetPolicy says which addresses the daemon may open a connection to on a
// camera's behalf: the poller's probes and clip captures. A camera URL is
// chosen by whoever holds a police token; without a policy it could make
// the daemon connect anywhere — the cloud's metadata service, the
// daemon's own host — and read back from the probe's reason (refused,
// reset, not_rtsp) whether something listens there.
//
// An address is allowed when it is in none of Deny and, if Allow is not
// empty, in one of Allow: deny wins. IPv4 addresses written in IPv6
// (::ffff:169.254.169.254) are judged as IPv4, and an IPv6 zone is
// ignored. The zero value allows everything.
type NetPolicy struct {
	Allow []netip.Prefix // empty: every address that is not denied
	Deny  []netip.Prefix
}

// DefaultDenyNetworks are the networks no camera is in and where a cloud
// machine keeps services that must not be reached from it: link-local
// addresses, which hold the metadata service of AWS, Azure, Google Cloud,
// Oracle and others (169.254.169.254) with the machine's credentials;
// the metadata addresses of Alibaba Cloud (100.100.100.200) and of AWS
// over IPv6 (fd00:ec2::254); Azure's wire server (168.63.129.16); and the
// unspecified addresses, which reach the local host. Loopback is not
// here: the demo's simulated cameras live there.
func DefaultDenyNetworks() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("100.100.100.200/32"),
		netip.MustParsePrefix("168.63.129.16/32"),
		netip.MustParsePrefix("::/128"),
		netip.MustParsePrefix("fe80::/10"),
		netip.MustParsePrefix("fd00:ec2::254/128"),
	}
}

// ParseNetwork reads one entry of a policy list: a CIDR range
// (10.20.0.0/16, fd00::/8) or a single address, which stands for itself
// (169.254.169.254 is 169.254.169.254/32). The range is masked, so
// 10.20.30.40/16 is 10.20.0.0/16.
func ParseNetwork(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q has an IPv6 zone", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked(), nil
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR range or an IP address", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// DeniedError is the error of an address the policy forbids. It names the
// address and the rule, never a URL (which may carry credentials).
type DeniedError struct {
	Addr netip.Addr
	// Network is the denied network the address is in; invalid when the
	// address is denied for being outside every allowed network.
	Network netip.Prefix
}

// Error implements error.
func (e *DeniedError) Error() string {
	if e.Network.IsValid() {
		return fmt.Sprintf("%s is in the denied network %s", e.Addr, e.Network)
	}
	return fmt.Sprintf("%s is outside the allowed networks", e.Addr)
}

// Check returns nil when the policy allows a, a *DeniedError otherwise.
func (p *NetPolicy) Check(a netip.Addr) error {
	if p == nil {
		return nil
	}
	a = a.WithZone("").Unmap()
	for _, n := range p.Deny {
		if n.Contains(a) {
			return &DeniedError{Addr: a, Network: n}
		}
	}
	if len(p.Allow) == 0 {
		return nil
	}
	for _, n := range p.Allow {
		if n.Contains(a) {
			return nil
		}
	}
	return &DeniedError{Addr: a}
}

// CheckHost checks the host of a camera URL when it is an IP address. A
// host name says nothing until it is resolved, and what it resolves to
// may change: it is checked when it is dialled (Control), so CheckHost
// returns nil for it.
func (p *NetPolicy) CheckHost(host string) error {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return nil
	}
	return p.Check(a)
}

// Control is a net.Dialer Control function that enforces the policy. It
// runs after the host name is resolved and before connect(2), with the
// very address about to be connected to, so that a name resolving into a
// denied network — or re-pointed there after registration (DNS
// rebinding) — is never connected to. A dialer trying a name's several
// addresses calls it for each.
func (p *NetPolicy) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("network policy: %w", err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("network policy: %q is not an IP address", host)
	}
	return p.Check(a)
}
