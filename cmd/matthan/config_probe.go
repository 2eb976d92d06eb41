package main

import (
	"fmt"
	"net/netip"

	"github.com/matthan/matthan/camera"
)

// probeConfig is the probe: section, the network policy of every
// connection the daemon makes to a camera — the poller's probes and clip
// captures — and of the addresses a camera may be registered with. A
// camera URL is chosen by whoever holds a police token; without these
// lists it could make the daemon connect anywhere (camera.NetPolicy).
type probeConfig struct {
	AllowNetworks []string `yaml:"allow_networks"`
	DenyNetworks  []string `yaml:"deny_networks"`
}

// defaultProbeConfig allows every address but those of
// camera.DefaultDenyNetworks: link-local, the clouds' metadata services,
// the unspecified addresses. Loopback stays allowed for the demo's
// simulated cameras; a production site lists its cameras' networks in
// allow_networks (configs/matthan.yaml).
func defaultProbeConfig() probeConfig {
	deny := camera.DefaultDenyNetworks()
	p := probeConfig{AllowNetworks: []string{}, DenyNetworks: make([]string, len(deny))}
	for i, n := range deny {
		p.DenyNetworks[i] = n.String()
	}
	return p
}

// validateProbe checks that every entry of both lists is a CIDR range or
// an address, naming the entry at fault and where it was set.
func (c *config) validateProbe(bad func(key, format string, args ...any) error) error {
	for _, l := range []struct {
		key  string
		list []string
	}{
		{"probe.allow_networks", c.Probe.AllowNetworks},
		{"probe.deny_networks", c.Probe.DenyNetworks},
	} {
		for i, s := range l.list {
			if _, err := camera.ParseNetwork(s); err != nil {
				key := fmt.Sprintf("%s[%d]", l.key, i)
				if c.origins[key] == "" {
					c.origins[key] = c.origins[l.key] // from the environment: the list's origin
				}
				return bad(key, "must be a CIDR range or an IP address such as 10.20.0.0/16 or 10.20.0.5, got %q", s)
			}
		}
	}
	return nil
}

// netPolicy returns the probe: section as a camera.NetPolicy, validated
// already.
func (c *config) netPolicy() *camera.NetPolicy {
	parse := func(list []string) []netip.Prefix {
		out := make([]netip.Prefix, 0, len(list))
		for _, s := range list {
			if p, err := camera.ParseNetwork(s); err == nil {
				out = append(out, p)
			}
		}
		return out
	}
	return &camera.NetPolicy{Allow: parse(c.Probe.AllowNetworks), Deny: parse(c.Probe.DenyNetworks)}
}
