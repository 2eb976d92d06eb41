package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/matthan/matthan/cluster"
)

// clusterConfig is the cluster: section. Cluster mode is on when
// etcd_endpoints lists the etcd members; without them the daemon is a
// single node and the other keys must stay unset (name, lease_ttl and
// log_retention have defaults, and are then unused).
type clusterConfig struct {
	// Name keys the cluster in etcd (/matthan/<name>/...), so that
	// several clusters can share one etcd.
	Name string `yaml:"name"`
	// EtcdEndpoints are the client URLs of the etcd members.
	EtcdEndpoints []string `yaml:"etcd_endpoints"`
	// NodeID names this node among the others: unique, stable across
	// restarts.
	NodeID string `yaml:"node_id"`
	// AdvertiseURL is where the other nodes and load balancers reach this
	// node's API.
	AdvertiseURL string `yaml:"advertise_url"`
	// LeaseTTL is how long the node stays live after etcd last heard
	// from it: the time its cameras wait before another node polls them
	// after it dies.
	LeaseTTL duration `yaml:"lease_ttl"`
	// LogRetention is how long the command log keeps what every live
	// node has applied: a node down for less replays what it missed
	// when it comes back; one down longer copies a peer's registry.
	LogRetention duration         `yaml:"log_retention"`
	TLS          clusterTLSConfig `yaml:"tls"`
}

// clusterTLSConfig is the cluster.tls: section: TLS for the connections
// to etcd, as etcd's own --trusted-ca-file, --cert-file and --key-file.
type clusterTLSConfig struct {
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Defaults of the section.
const (
	defaultClusterName  = "matthan"
	defaultLogRetention = time.Hour
)

func defaultClusterConfig() clusterConfig {
	return clusterConfig{Name: defaultClusterName, EtcdEndpoints: []string{}, LeaseTTL: duration(cluster.DefaultTTL), LogRetention: duration(defaultLogRetention)}
}

// clustered reports whether the daemon runs in cluster mode.
func (c *config) clustered() bool { return len(c.Cluster.EtcdEndpoints) > 0 }

// validateCluster checks the cluster: section.
func (c *config) validateCluster(bad func(key, format string, args ...any) error) error {
	cc := &c.Cluster
	if !c.clustered() {
		// A node id or a certificate without etcd is a half-done cluster
		// setup: starting alone would split the cluster silently.
		for _, k := range []struct{ key, v string }{
			{"cluster.node_id", cc.NodeID}, {"cluster.advertise_url", cc.AdvertiseURL},
			{"cluster.tls.ca_file", cc.TLS.CAFile}, {"cluster.tls.cert_file", cc.TLS.CertFile}, {"cluster.tls.key_file", cc.TLS.KeyFile},
		} {
			if k.v != "" {
				return bad(k.key, "is set but cluster.etcd_endpoints is not: cluster mode needs the etcd members' URLs")
			}
		}
		return nil
	}
	if err := checkClusterName(cc.Name); err != nil {
		return bad("cluster.name", "%v", err)
	}
	for i, ep := range cc.EtcdEndpoints {
		if err := checkHTTPURL(ep, false); err != nil {
			key := fmt.Sprintf("cluster.etcd_endpoints[%d]", i)
			if c.origins[key] == "" {
				c.origins[key] = c.origins["cluster.etcd_endpoints"] // from the environment: the list's origin
			}
			return bad(key, "must be an etcd client URL such as http://10.0.0.1:2379: %v", err)
		}
	}
	switch id := cc.NodeID; {
	case id == "":
		return bad("cluster.node_id", "is required in cluster mode: a name for this node, unique in the cluster, such as node-1")
	case strings.ContainsFunc(id, func(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return bad("cluster.node_id", "must not contain '/', spaces or control characters, got %q", id)
	case len(id) > 128:
		return bad("cluster.node_id", "must be at most 128 bytes, got %d", len(id))
	}
	if cc.AdvertiseURL == "" {
		return bad("cluster.advertise_url", "is required in cluster mode: the URL the other nodes and load balancers reach this node's API on, such as http://10.0.0.11:8080")
	}
	if err := checkHTTPURL(cc.AdvertiseURL, true); err != nil {
		return bad("cluster.advertise_url", "must be the http(s) URL of this node's API, such as http://10.0.0.11:8080: %v", err)
	}
	if ttl := time.Duration(cc.LeaseTTL); ttl < 2*time.Second || ttl%time.Second != 0 {
		return bad("cluster.lease_ttl", "must be whole seconds, at least 2s (etcd leases count in seconds), got %s", cc.LeaseTTL)
	}
	if time.Duration(cc.LogRetention) < time.Second {
		return bad("cluster.log_retention", "must be at least 1s, got %s", cc.LogRetention)
	}
	switch t := cc.TLS; {
	case t.CertFile != "" && t.KeyFile == "":
		return bad("cluster.tls.cert_file", "is set but cluster.tls.key_file is not: a client certificate needs both")
	case t.KeyFile != "" && t.CertFile == "":
		return bad("cluster.tls.key_file", "is set but cluster.tls.cert_file is not: a client certificate needs both")
	}
	return nil
}

// checkClusterName accepts what may be one segment of an etcd key.
func checkClusterName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("must not be empty")
	case strings.ContainsFunc(name, func(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Errorf("must not contain '/', spaces or control characters, got %q", name)
	}
	return nil
}

// checkHTTPURL accepts an http:// or https:// URL with a host and no
// credentials, query or fragment; a path only when path is true.
func checkHTTPURL(s string, path bool) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("got %q", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("the scheme must be http or https, got %q", s)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("there is no host in %q", s)
	case u.User != nil:
		return fmt.Errorf("it must not carry a user or password (got one in %s://%s)", u.Scheme, u.Host)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("it must not have a query or fragment, got %q", s)
	case !path && u.Path != "" && u.Path != "/":
		return fmt.Errorf("it must not have a path, got %q", s)
	}
	return nil
}

// etcdTLS loads the cluster.tls: files; nil when none is set (plain
// connections, or https:// endpoints checked against the system's
// roots). Errors name the key at fault.
func (c *config) etcdTLS() (*tls.Config, error) {
	t := c.Cluster.TLS
	if t.CAFile == "" && t.CertFile == "" {
		if c.etcdHTTPS() {
			return &tls.Config{MinVersion: tls.VersionTLS12}, nil
		}
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, c.errorAt("cluster.tls.ca_file", "cannot be read: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, c.errorAt("cluster.tls.ca_file", "%s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		certPEM, err := os.ReadFile(t.CertFile)
		if err != nil {
			return nil, c.errorAt("cluster.tls.cert_file", "cannot be read: %v", err)
		}
		keyPEM, err := os.ReadFile(t.KeyFile)
		if err != nil {
			return nil, c.errorAt("cluster.tls.key_file", "cannot be read: %v", err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("config: cluster.tls.cert_file, cluster.tls.key_file: %s and %s are not a PEM certificate and its private key: %w", t.CertFile, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// etcdHTTPS reports whether an endpoint is https://.
func (c *config) etcdHTTPS() bool {
	for _, ep := range c.Cluster.EtcdEndpoints {
		if strings.HasPrefix(ep, "https://") {
			return true
		}
	}
	return false
}
