package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/matthan/matthan/api"
)

// config is the daemon's configuration. The YAML keys are the names
// operators see everywhere: in the file, in validation errors, and in the
// table of environment variables and flags (settings, below).
//
// Sections are nested so that later parts (the poller, webhooks, clips,
// retention, geo) each add their own without crowding the top level.
type config struct {
	Listen   string        `yaml:"listen"`
	DB       string        `yaml:"db"`
	LogLevel string        `yaml:"log_level"`
	Timezone string        `yaml:"timezone"`
	Limits   limitsConfig  `yaml:"limits"`
	HTTP     httpConfig    `yaml:"http"`
	Metrics  metricsConfig `yaml:"metrics"`
	Poller   pollerConfig  `yaml:"poller"`
	Probe    probeConfig   `yaml:"probe"`

	Clips     clipsConfig     `yaml:"clips"`
	Incidents incidentsConfig `yaml:"incidents"`
	Console   consoleConfig   `yaml:"console"`
	TLS       tlsConfig       `yaml:"tls"`
	Layers    layersConfig    `yaml:"layers"`
	Cluster   clusterConfig   `yaml:"cluster"`
	Tips      tipsConfig      `yaml:"tips"`

	// AdminToken comes from MATTHAN_ADMIN_TOKEN only: a secret does not
	// belong in a file that gets copied into tickets and repositories, so
	// the YAML key does not exist (and is rejected as unknown).
	AdminToken string `yaml:"-"`

	// origins records where each key that is not a default was set, so
	// that an error about a value says which of the four layers to fix.
	origins map[string]string
}

// limitsConfig bounds request bodies.
type limitsConfig struct {
	BodyBytes   byteSize `yaml:"body_bytes"`
	ImportBytes byteSize `yaml:"import_bytes"`
}

// httpConfig tunes the HTTP server. The keys from body_timeout on guard
// the edge (config_edge.go).
type httpConfig struct {
	ShutdownTimeout   duration `yaml:"shutdown_timeout"`
	ReadHeaderTimeout duration `yaml:"read_header_timeout"`
	BodyTimeout       duration `yaml:"body_timeout"`
	MinUploadRate     byteSize `yaml:"min_upload_rate"`
	UploadGrace       duration `yaml:"upload_grace"`
	TrustedProxies    []string `yaml:"trusted_proxies"`
}

// metricsConfig tunes what /metrics exposes besides the daemon's own
// metrics.
type metricsConfig struct {
	Runtime bool `yaml:"runtime"`
}

// Defaults.
const (
	defaultListen = "127.0.0.1:8080"
	defaultDB     = "./data/matthan.db"
	// defaultTimezone is where the people who use the system live: the
	// report's window, "today" for a donation's date and the months of the
	// incident counts are theirs, whatever zone the server runs in.
	defaultTimezone = "Asia/Ho_Chi_Minh"
)

// defaultConfig returns the built-in defaults: a daemon that listens on
// loopback only (exposing it is a decision), with its database under
// ./data as docs/design.md says.
func defaultConfig() *config {
	return &config{
		Listen:   defaultListen,
		DB:       defaultDB,
		LogLevel: "info",
		Timezone: defaultTimezone,
		Limits: limitsConfig{
			BodyBytes:   api.DefaultBodyLimit,
			ImportBytes: api.DefaultImportLimit,
		},
		HTTP: httpConfig{
			ShutdownTimeout:   duration(15 * time.Second),
			ReadHeaderTimeout: duration(10 * time.Second),
			BodyTimeout:       duration(api.DefaultBodyTimeout),
			MinUploadRate:     api.DefaultMinUploadRate,
			UploadGrace:       duration(api.DefaultUploadGrace),
			TrustedProxies:    []string{},
		},
		Metrics: metricsConfig{Runtime: true},
		Poller:  defaultPollerConfig(),
		Probe:   defaultProbeConfig(),

		Clips:     defaultClipsConfig(),
		Incidents: defaultIncidentsConfig(),
		Console:   defaultConsoleConfig(),
		Layers:    defaultLayersConfig(),
		Cluster:   defaultClusterConfig(),
		Tips:      defaultTipsConfig(),

		origins: map[string]string{},
	}
}

// setting is one key that the environment or a flag may override. One
// table, so that the env variables, the flags and the error messages can
// never disagree on a key's name.
type setting struct {
	key  string // YAML path
	env  string // environment variable, "" = none
	flag string // serve flag, "" = none
	set  func(c *config, v string) error
}

var settings = []setting{
	{"listen", "MATTHAN_LISTEN", "listen", func(c *config, v string) error { c.Listen = v; return nil }},
	{"db", "MATTHAN_DB", "db", func(c *config, v string) error { c.DB = v; return nil }},
	{"log_level", "MATTHAN_LOG_LEVEL", "log-level", func(c *config, v string) error { c.LogLevel = v; return nil }},
	{"timezone", envTimezone, "timezone", func(c *config, v string) error { c.Timezone = v; return nil }},
	{"limits.body_bytes", "MATTHAN_BODY_LIMIT", "", func(c *config, v string) error { return c.Limits.BodyBytes.parse(v) }},
	{"limits.import_bytes", "MATTHAN_IMPORT_LIMIT", "", func(c *config, v string) error { return c.Limits.ImportBytes.parse(v) }},
	{"http.shutdown_timeout", "MATTHAN_SHUTDOWN_TIMEOUT", "", func(c *config, v string) error { return c.HTTP.ShutdownTimeout.parse(v) }},
	{"http.read_header_timeout", "MATTHAN_READ_HEADER_TIMEOUT", "", func(c *config, v string) error { return c.HTTP.ReadHeaderTimeout.parse(v) }},
	{"http.body_timeout", "MATTHAN_BODY_TIMEOUT", "", func(c *config, v string) error { return c.HTTP.BodyTimeout.parse(v) }},
	{"http.min_upload_rate", "MATTHAN_MIN_UPLOAD_RATE", "", func(c *config, v string) error { return c.HTTP.MinUploadRate.parse(v) }},
	{"http.upload_grace", "MATTHAN_UPLOAD_GRACE", "", func(c *config, v string) error { return c.HTTP.UploadGrace.parse(v) }},
	{"http.trusted_proxies", "MATTHAN_TRUSTED_PROXIES", "", func(c *config, v string) error {
		c.HTTP.TrustedProxies = splitList(v)
		return nil
	}},
	{"tls.cert_file", "MATTHAN_TLS_CERT_FILE", "", func(c *config, v string) error { c.TLS.CertFile = v; return nil }},
	{"tls.key_file", "MATTHAN_TLS_KEY_FILE", "", func(c *config, v string) error { c.TLS.KeyFile = v; return nil }},
	{"metrics.runtime", "MATTHAN_METRICS_RUNTIME", "", func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		c.Metrics.Runtime = b
		return nil
	}},
	{"poller.enabled", "MATTHAN_POLLER_ENABLED", "", func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		c.Poller.Enabled = b
		return nil
	}},
	{"poller.interval", "MATTHAN_POLL_INTERVAL", "poll-interval", func(c *config, v string) error { return c.Poller.Interval.parse(v) }},
	{"probe.allow_networks", "MATTHAN_PROBE_ALLOW_NETWORKS", "", func(c *config, v string) error {
		c.Probe.AllowNetworks = splitList(v)
		return nil
	}},
	{"probe.deny_networks", "MATTHAN_PROBE_DENY_NETWORKS", "", func(c *config, v string) error {
		c.Probe.DenyNetworks = splitList(v)
		return nil
	}},

	{"clips.dir", "MATTHAN_CLIPS_DIR", "clips-dir", func(c *config, v string) error { c.Clips.Dir = v; return nil }},
	{"clips.max_bytes", "MATTHAN_CLIPS_MAX_BYTES", "", func(c *config, v string) error { return c.Clips.MaxBytes.parse(v) }},
	{"incidents.retention", "MATTHAN_INCIDENTS_RETENTION", "", func(c *config, v string) error { return c.Incidents.Retention.parse(v) }},
	{"incidents.retention_interval", "MATTHAN_INCIDENTS_RETENTION_INTERVAL", "", func(c *config, v string) error {
		return c.Incidents.RetentionInterval.parse(v)
	}},
	{"console.enabled", "MATTHAN_CONSOLE_ENABLED", "", setConsoleEnabled},
	{"console.tile_url", "MATTHAN_CONSOLE_TILE_URL", "", setTileURL},

	{"tips.enabled", "MATTHAN_TIPS_ENABLED", "", func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		c.Tips.Enabled = b
		return nil
	}},
	{"tips.recipients", "MATTHAN_TIPS_RECIPIENTS", "", func(c *config, v string) error {
		c.Tips.Recipients = splitList(v)
		return nil
	}},
	{"tips.retention", "MATTHAN_TIPS_RETENTION", "", func(c *config, v string) error { return c.Tips.Retention.parse(v) }},

	{"layers.max_features", "MATTHAN_LAYERS_MAX_FEATURES", "", func(c *config, v string) error { return parseCount(v, &c.Layers.MaxFeatures) }},
	{"layers.max_positions", "MATTHAN_LAYERS_MAX_POSITIONS", "", func(c *config, v string) error { return parseCount(v, &c.Layers.MaxPositions) }},
	{"layers.max_polygon_positions", "MATTHAN_LAYERS_MAX_POLYGON_POSITIONS", "", func(c *config, v string) error {
		return parseCount(v, &c.Layers.MaxPolygonPositions)
	}},
	{"layers.max_junctions", "MATTHAN_LAYERS_MAX_JUNCTIONS", "", func(c *config, v string) error { return parseCount(v, &c.Layers.MaxJunctions) }},

	{"cluster.name", "MATTHAN_CLUSTER_NAME", "", func(c *config, v string) error { c.Cluster.Name = v; return nil }},
	{"cluster.etcd_endpoints", "MATTHAN_CLUSTER_ETCD_ENDPOINTS", "", func(c *config, v string) error {
		c.Cluster.EtcdEndpoints = splitList(v)
		return nil
	}},
	{"cluster.node_id", "MATTHAN_CLUSTER_NODE_ID", "", func(c *config, v string) error { c.Cluster.NodeID = v; return nil }},
	{"cluster.advertise_url", "MATTHAN_CLUSTER_ADVERTISE_URL", "", func(c *config, v string) error { c.Cluster.AdvertiseURL = v; return nil }},
	{"cluster.lease_ttl", "MATTHAN_CLUSTER_LEASE_TTL", "", func(c *config, v string) error { return c.Cluster.LeaseTTL.parse(v) }},
	{"cluster.log_retention", "MATTHAN_CLUSTER_LOG_RETENTION", "", func(c *config, v string) error { return c.Cluster.LogRetention.parse(v) }},
	{"cluster.tls.ca_file", "MATTHAN_CLUSTER_TLS_CA_FILE", "", func(c *config, v string) error { c.Cluster.TLS.CAFile = v; return nil }},
	{"cluster.tls.cert_file", "MATTHAN_CLUSTER_TLS_CERT_FILE", "", func(c *config, v string) error { c.Cluster.TLS.CertFile = v; return nil }},
	{"cluster.tls.key_file", "MATTHAN_CLUSTER_TLS_KEY_FILE", "", func(c *config, v string) error { c.Cluster.TLS.KeyFile = v; return nil }},
}

// Environment variables that are not config keys.
const (
	envConfig     = "MATTHAN_CONFIG"      // the config file, when --config is not given
	envAdminToken = "MATTHAN_ADMIN_TOKEN" // a token with the admin role that needs no database
	envToken      = "MATTHAN_TOKEN"       // the token client commands send
	envServer     = "MATTHAN_SERVER"      // the daemon client commands talk to
	envTimezone   = "MATTHAN_TIMEZONE"    // the timezone key, also for the client commands that print times
	envCAFile     = "MATTHAN_CA_FILE"     // the certificate an https:// daemon must present, for client commands
	// envWebhookSecret signs the webhooks (poller.webhooks); a secret, so
	// from the environment only.
	envWebhookSecret = "MATTHAN_WEBHOOK_SECRET"
)

// configSource is where loadConfig reads the layers above the defaults.
type configSource struct {
	// Base, when set, changes the built-in defaults before the other
	// layers apply (the demo's short poll interval).
	Base   func(*config)
	File   string              // YAML file; "" = none
	Getenv func(string) string // environment; nil = none
	Flags  map[string]string   // flags given on the command line, by flag name
}

// loadConfig builds the configuration: defaults, then the YAML file, then
// the environment, then flags, then validation.
func loadConfig(src configSource) (*config, error) {
	c := defaultConfig()
	if src.Base != nil {
		src.Base(c)
	}
	if src.File != "" {
		if err := c.loadFile(src.File); err != nil {
			return nil, err
		}
	}
	if src.Getenv != nil {
		for _, s := range settings {
			if s.env == "" {
				continue
			}
			if v, ok := lookup(src.Getenv, s.env); ok {
				if err := s.set(c, v); err != nil {
					return nil, fmt.Errorf("config: %s: %w (from %s)", s.key, err, s.env)
				}
				c.origins[s.key] = s.env
			}
		}
		c.AdminToken = src.Getenv(envAdminToken)
		c.Poller.WebhookSecret = src.Getenv(envWebhookSecret)
	}
	for _, s := range settings {
		if s.flag == "" {
			continue
		}
		if v, ok := src.Flags[s.flag]; ok {
			if err := s.set(c, v); err != nil {
				return nil, fmt.Errorf("config: %s: %w (from flag --%s)", s.key, err, s.flag)
			}
			c.origins[s.key] = "flag --" + s.flag
		}
	}
	c.placeClipsDir()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// lookup treats an empty variable as unset: "MATTHAN_DB= matthan serve" is
// how people switch a variable off in a shell.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// loadFile decodes the YAML file strictly over c: an unknown key is an
// error (a typo must not silently leave a default in place), and every
// error names the key and its line.
func (c *config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// A lenient first pass maps lines to keys, to name the key in errors
	// that yaml reports by line only.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		// "yaml: line 3: did not find expected key"
		line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
		return fmt.Errorf("config: invalid YAML: %s (from %s line %d)", msg, path, line)
	}
	keys := map[int]string{}
	keyLines(&root, "", keys, c.origins, path)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(c)
	if errors.Is(err, io.EOF) {
		return nil // an empty file (or only comments): defaults stand
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, len(te.Errors))
		for i, msg := range te.Errors {
			errs[i] = yamlError(path, msg, keys)
		}
		return errors.Join(errs...)
	}
	if err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: more than one YAML document in %s", path)
	}
	return nil
}

// keyLines walks a YAML document, recording the dotted path of the key on
// each line, and where each key was set.
func keyLines(n *yaml.Node, prefix string, keys map[int]string, origins map[string]string, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			keyLines(c, prefix, keys, origins, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := prefix + k.Value
			if _, ok := keys[k.Line]; !ok {
				keys[k.Line] = p
			}
			if _, ok := keys[v.Line]; !ok && v.Kind == yaml.ScalarNode {
				keys[v.Line] = p
			}
			origins[p] = fmt.Sprintf("%s line %d", path, k.Line)
			keyLines(v, p+".", keys, origins, path)
			if v.Kind == yaml.SequenceNode {
				// A list's items are poller.webhooks[0], [1]...; an error
				// on the line of the list itself (a list where a section
				// belongs) is about the key.
				if _, ok := keys[v.Line]; !ok {
					keys[v.Line] = p
				}
				for j, item := range v.Content {
					ip := fmt.Sprintf("%s[%d]", p, j)
					if _, ok := keys[item.Line]; !ok {
						keys[item.Line] = ip
					}
					origins[ip] = fmt.Sprintf("%s line %d", path, item.Line)
					keyLines(item, ip+".", keys, origins, path)
				}
			}
		}
	}
}

// yamlError rewrites one of yaml's "line N: ..." messages in our terms:
// "config: KEY: what is wrong (from FILE line N)".
func yamlError(path, msg string, keys map[int]string) error {
	line, msg := splitLine(msg)
	where := fmt.Sprintf("(from %s line %d)", path, line)
	key := keys[line]
	// "field X not found in type main.limitsConfig": the key is the path on
	// that line.
	if strings.HasPrefix(msg, "field ") && strings.Contains(msg, " not found in type ") {
		err := fmt.Errorf("config: unknown key %q %s", key, where)
		if hint := unknownKeyHints[key]; hint != "" {
			err = fmt.Errorf("%w: %s", err, hint)
		}
		return err
	}
	if m, ok := strings.CutPrefix(msg, "cannot unmarshal "); ok {
		msg = unmarshalMessage(m)
	}
	// "mapping key "db" already defined at line 1"
	if _, first, ok := strings.Cut(msg, " already defined at line "); ok && strings.HasPrefix(msg, "mapping key ") {
		msg = "is set twice (first at line " + first + ")"
	}
	if key == "" {
		return fmt.Errorf("config: %s %s", msg, where)
	}
	return fmt.Errorf("config: %s: %s %s", key, msg, where)
}

// splitLine splits yaml's "line N: message" into its parts.
func splitLine(msg string) (int, string) {
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return n, text
			}
		}
	}
	return 0, msg
}

// unknownKeyHints say where a key that people look for in the file lives
// instead.
var unknownKeyHints = map[string]string{
	"admin_token":           "secrets are not read from the config file: set " + envAdminToken + " in the environment",
	"poller.webhook_secret": "secrets are not read from the config file: set " + envWebhookSecret + " in the environment",
}

// unmarshalMessage turns yaml's "!!str `abc` into bool" into "must be true
// or false, got "abc"".
func unmarshalMessage(m string) string {
	tag, rest, _ := strings.Cut(m, " ")
	var got string
	if strings.HasPrefix(rest, "`") {
		if end := strings.Index(rest[1:], "`"); end >= 0 {
			got = rest[1 : end+1]
			rest = rest[end+2:]
		}
	}
	target := strings.TrimPrefix(strings.TrimSpace(rest), "into ")
	var want string
	switch {
	case target == "bool":
		want = "true or false"
	case target == "string":
		want = "a text value"
	case strings.HasPrefix(target, "int"), strings.HasPrefix(target, "uint"):
		want = "a whole number"
	case strings.HasPrefix(target, "main."), strings.HasPrefix(target, "map["):
		want = "a section of keys"
	case strings.HasPrefix(target, "[]"):
		// yaml shortens the value it quotes; a list wanted and one
		// value given is the whole story.
		if got != "" {
			return "must be a list (one \"- \" line per item), got a single value"
		}
		want = "a list"
	default:
		want = "a " + target
	}
	switch {
	case got != "":
		return fmt.Sprintf("must be %s, got %q", want, got)
	case tag == "!!map":
		return fmt.Sprintf("must be %s, got a section of keys", want)
	case tag == "!!seq":
		return fmt.Sprintf("must be %s, got a list", want)
	}
	return fmt.Sprintf("must be %s", want)
}

// validate checks the assembled configuration. Messages name the key and,
// when it did not come from the defaults, where it was set.
func (c *config) validate() error {
	bad := func(key, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if o := c.origins[originKey(key)]; o != "" {
			return fmt.Errorf("config: %s: %s (from %s)", key, msg, o)
		}
		return fmt.Errorf("config: %s: %s", key, msg)
	}
	// An empty host ("":8080) means every interface, as net.Listen has it.
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return bad("listen", "must be HOST:PORT such as 127.0.0.1:8080, got %q", c.Listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad("listen", "port must be a number from 0 to 65535, got %q", port)
	}
	if strings.TrimSpace(c.DB) == "" {
		return bad("db", "must be the path of the database file")
	}
	if _, err := parseLogLevel(c.LogLevel); err != nil {
		return bad("log_level", "%v", err)
	}
	if _, err := loadTimezone(c.Timezone); err != nil {
		return bad("timezone", "%v", err)
	}
	if c.Limits.BodyBytes <= 0 {
		return bad("limits.body_bytes", "must be more than 0, got %d", c.Limits.BodyBytes)
	}
	if c.Limits.ImportBytes <= 0 {
		return bad("limits.import_bytes", "must be more than 0, got %d", c.Limits.ImportBytes)
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		return bad("http.shutdown_timeout", "must be more than 0, got %s", c.HTTP.ShutdownTimeout)
	}
	if c.HTTP.ReadHeaderTimeout <= 0 {
		return bad("http.read_header_timeout", "must be more than 0, got %s", c.HTTP.ReadHeaderTimeout)
	}
	if err := c.validateEdge(bad); err != nil {
		return err
	}
	if err := c.validatePoller(bad); err != nil {
		return err
	}
	if err := c.validateProbe(bad); err != nil {
		return err
	}
	if err := c.validateIncidents(bad); err != nil {
		return err
	}
	if err := c.validateConsole(bad); err != nil {
		return err
	}
	if err := c.validateLayers(bad); err != nil {
		return err
	}
	if err := c.validateCluster(bad); err != nil {
		return err
	}
	if err := c.validateTips(bad); err != nil {
		return err
	}
	// The value is never printed: it grants admin.
	if t := c.AdminToken; t != "" {
		if len(t) < minAdminToken {
			return fmt.Errorf("config: %s: must be at least %d characters (it grants the admin role)", envAdminToken, minAdminToken)
		}
		if strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return fmt.Errorf("config: %s: must not contain spaces or control characters", envAdminToken)
		}
	}
	return nil
}

// minAdminToken is the shortest admin token accepted: 16 characters of a
// random token are 80+ bits, beyond guessing over HTTP.
const minAdminToken = 16

// parseLogLevel accepts the four slog level names, in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("must be one of debug, info, warn, error, got %q", s)
}
