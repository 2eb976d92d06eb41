package main

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// tlsConfig is the tls: section: a certificate and its key make the
// daemon serve HTTPS itself, for a site with no reverse proxy.
type tlsConfig struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// splitList reads a comma-separated list from the environment.
func splitList(v string) []string {
	out := []string{}
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// validateEdge checks the keys that guard the HTTP edge: body deadlines,
// trusted proxies, TLS.
func (c *config) validateEdge(bad func(key, format string, args ...any) error) error {
	if c.HTTP.BodyTimeout <= 0 {
		return bad("http.body_timeout", "must be more than 0, got %s", c.HTTP.BodyTimeout)
	}
	if c.HTTP.MinUploadRate <= 0 {
		return bad("http.min_upload_rate", "must be more than 0 bytes a second, got %d", c.HTTP.MinUploadRate)
	}
	if c.HTTP.UploadGrace <= 0 {
		return bad("http.upload_grace", "must be more than 0, got %s", c.HTTP.UploadGrace)
	}
	for i, p := range c.HTTP.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			key := fmt.Sprintf("http.trusted_proxies[%d]", i)
			if c.origins[key] == "" {
				c.origins[key] = c.origins["http.trusted_proxies"] // from the environment: the list's origin
			}
			return bad(key, "must be an IP address or a CIDR range such as 10.0.0.1 or 10.0.0.0/8, got %q", p)
		}
	}
	switch {
	case c.TLS.CertFile != "" && c.TLS.KeyFile == "":
		return bad("tls.cert_file", "is set but tls.key_file is not: HTTPS needs both")
	case c.TLS.KeyFile != "" && c.TLS.CertFile == "":
		return bad("tls.key_file", "is set but tls.cert_file is not: HTTPS needs both")
	}
	return nil
}

// parseProxy reads a trusted proxy: an address or a CIDR range.
func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// trustedProxies returns http.trusted_proxies, validated already.
func (c *config) trustedProxies() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.HTTP.TrustedProxies))
	for _, s := range c.HTTP.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// serverTLS loads the certificate and key of the tls: section; nil when
// TLS is off. Errors name the key at fault. TLS 1.2 is the oldest
// version offered (RFC 9325).
func (c *config) serverTLS() (*tls.Config, error) {
	if c.TLS.CertFile == "" {
		return nil, nil
	}
	certPEM, err := os.ReadFile(c.TLS.CertFile)
	if err != nil {
		return nil, c.errorAt("tls.cert_file", "cannot be read: %v", err)
	}
	keyPEM, err := os.ReadFile(c.TLS.KeyFile)
	if err != nil {
		return nil, c.errorAt("tls.key_file", "cannot be read: %v", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("config: tls.cert_file, tls.key_file: %s and %s are not a PEM certificate and its private key: %w", c.TLS.CertFile, c.TLS.KeyFile, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// errorAt is an error about a key, saying where it was set.
func (c *config) errorAt(key, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if o := c.origins[key]; o != "" {
		return fmt.Errorf("config: %s: %s (from %s)", key, msg, o)
	}
	return fmt.Errorf("config: %s: %s", key, msg)
}
