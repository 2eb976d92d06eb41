package main

import (
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/ingest"
)

// env returns a getenv over a fixed map, so that config tests do not
// depend on (or change) the process environment.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// webhookSecret is the MATTHAN_WEBHOOK_SECRET of the tests: good.yml has
// webhooks, and every webhook is signed.
const webhookSecret = "wh-s3cret-for-the-tests"

// goodEnv is the environment good.yml needs.
var goodEnv = env(map[string]string{envWebhookSecret: webhookSecret})

func TestConfigDefaults(t *testing.T) {
	got, err := loadConfig(configSource{})
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loadConfig() = %+v, want defaults %+v", got, want)
	}
	if got.Listen != "127.0.0.1:8080" || got.DB != "./data/matthan.db" || got.LogLevel != "info" || got.Timezone != "Asia/Ho_Chi_Minh" {
		t.Errorf("defaults listen %q db %q log_level %q timezone %q", got.Listen, got.DB, got.LogLevel, got.Timezone)
	}
	if got.Limits.BodyBytes != 1<<20 || got.Limits.ImportBytes != 256<<20 {
		t.Errorf("default limits %d, %d", got.Limits.BodyBytes, got.Limits.ImportBytes)
	}
}

// TestExampleConfig loads configs/matthan.yaml. Its values are documented
// as the defaults, so it must also equal them: the example and the code
// cannot drift apart.
func TestExampleConfig(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "matthan.yaml")
	got, err := loadConfig(configSource{File: path})
	if err != nil {
		t.Fatalf("loadConfig(%s): %v", path, err)
	}
	want := defaultConfig()
	if !reflect.DeepEqual(withoutOrigins(got), withoutOrigins(want)) {
		t.Errorf("%s = %+v, want the defaults %+v", path, got, want)
	}
	// Every key of the example is one the decoder knows (KnownFields would
	// have failed otherwise); check it sets every key there is, so that a
	// new key cannot be added without documenting it.
	for _, s := range settings {
		if _, ok := got.origins[s.key]; !ok {
			t.Errorf("%s does not document key %s", path, s.key)
		}
	}
	for _, key := range yamlKeys(reflect.TypeFor[config](), "") {
		if _, ok := got.origins[key]; !ok {
			t.Errorf("%s does not document key %s", path, key)
		}
	}
}

func withoutOrigins(c *config) config {
	cp := *c
	cp.origins = nil
	return cp
}

func TestConfigFile(t *testing.T) {
	got, err := loadConfig(configSource{File: "testdata/good.yml", Getenv: goodEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	want.Listen = "0.0.0.0:9090"
	want.DB = "/var/lib/matthan/matthan.db"
	want.LogLevel = "debug"
	want.Timezone = "Asia/Bangkok"
	want.Limits = limitsConfig{BodyBytes: 64 << 10, ImportBytes: 1_000_000_000}
	want.HTTP = httpConfig{ShutdownTimeout: duration(90 * time.Second), ReadHeaderTimeout: duration(5 * time.Second),
		BodyTimeout: duration(5 * time.Second), MinUploadRate: 64 << 10, UploadGrace: duration(3 * time.Second),
		TrustedProxies: []string{"127.0.0.1", "10.0.0.0/8"}}
	want.TLS = tlsConfig{CertFile: "/etc/matthan/cert.pem", KeyFile: "/etc/matthan/key.pem"}
	want.Metrics.Runtime = false
	want.Poller = pollerConfig{
		Enabled:         false,
		Interval:        duration(30 * time.Second),
		Intervals:       map[string]duration{"CG-0001": duration(5 * time.Minute), "CG 0002": duration(15 * time.Second)},
		Timeout:         duration(4 * time.Second),
		Concurrency:     64,
		SlowConcurrency: 16,
		SlowAfter:       duration(3 * time.Second),
		Confirm:         3,
		Retry:           duration(2 * time.Second),
		Jitter:          0,
		Tick:            0,
		DeepEvery:       0,
		FlushInterval:   duration(500 * time.Millisecond),
		FlushMax:        100,
		PerCameraMetric: true,
		Webhooks:        []string{"https://alerts.example.vn/matthan?token=abc", "http://127.0.0.1:9000/hook"},
		WebhookQueue:    10,
		WebhookTimeout:  duration(2 * time.Second),
		WebhookAttempts: 3,
		WebhookBackoff:  duration(250 * time.Millisecond),
		WebhookSecret:   webhookSecret,
	}
	want.Probe = probeConfig{AllowNetworks: []string{"10.20.0.0/16", "192.168.1.64"}, DenyNetworks: []string{"169.254.0.0/16", "10.20.99.0/24"}}
	want.Clips = clipsConfig{Dir: "/srv/evidence/clips", MaxBytes: 500 << 20}
	want.Incidents = incidentsConfig{Retention: 0, RetentionInterval: duration(15 * time.Minute)}
	want.Console = consoleConfig{Enabled: false, TileURL: "https://{s}.tile.example.vn/{z}/{x}/{y}.png", TileAttribution: "© bản đồ ví dụ",
		SessionIdleTimeout: duration(2 * time.Hour), SessionMaxAge: duration(72 * time.Hour)}
	want.Layers = layersConfig{MaxFeatures: 1000, MaxPositions: 50_000, MaxPolygonPositions: 20_000, MaxJunctions: 500}
	want.Cluster = clusterConfig{Name: "tien-giang", EtcdEndpoints: []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"},
		NodeID: "cho-gao-1", AdvertiseURL: "https://10.0.0.11:8443", LeaseTTL: duration(6 * time.Second), LogRetention: duration(3 * time.Hour),
		TLS: clusterTLSConfig{CAFile: "/etc/matthan/etcd-ca.pem", CertFile: "/etc/matthan/etcd-client.pem", KeyFile: "/etc/matthan/etcd-client-key.pem"}}
	want.Tips = tipsConfig{Enabled: true, Recipients: []string{"age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"}}
	if !reflect.DeepEqual(withoutOrigins(got), withoutOrigins(want)) {
		t.Errorf("loadConfig(good.yml) =\n%+v\nwant\n%+v", withoutOrigins(got), withoutOrigins(want))
	}
	// Every key of the file was read: good.yml sets each one.
	for _, key := range yamlKeys(reflect.TypeFor[config](), "") {
		if _, ok := got.origins[key]; !ok {
			t.Errorf("good.yml does not set key %s", key)
		}
	}
}

// TestPollerConfig checks how the poller: section becomes ingest.Config:
// the defaults are ingest's own, and the zeros that mean something in the
// file (jitter 0s, tick 0s, deep_every 0) keep their meaning.
func TestPollerConfig(t *testing.T) {
	def := defaultPollerConfig().ingestConfig()
	want := ingest.Config{
		Interval: ingest.DefaultInterval, Timeout: ingest.DefaultTimeout,
		Concurrency: ingest.DefaultConcurrency, SlowConcurrency: ingest.DefaultConcurrency,
		Confirm: ingest.DefaultConfirm, Retry: ingest.DefaultRetry, Jitter: ingest.DefaultJitter, Tick: ingest.DefaultTick,
		DeepEvery: ingest.DefaultDeepEvery, FlushInterval: ingest.DefaultFlushInterval, FlushMax: ingest.DefaultFlushMax,
		Webhooks: []string{}, WebhookQueue: ingest.DefaultWebhookQueue, WebhookTimeout: ingest.DefaultWebhookTimeout,
		WebhookAttempts: ingest.DefaultWebhookAttempts, WebhookBackoff: ingest.DefaultWebhookBackoff,
	}
	if !reflect.DeepEqual(def, want) {
		t.Errorf("default poller config = %+v\nwant ingest's defaults %+v", def, want)
	}
	got, err := loadConfig(configSource{File: "testdata/good.yml", Getenv: goodEnv})
	if err != nil {
		t.Fatal(err)
	}
	ic := got.Poller.ingestConfig()
	if ic.Jitter != time.Nanosecond || ic.Tick != time.Nanosecond || ic.DeepEvery != -1 {
		t.Errorf("jitter 0s, tick 0s, deep_every 0 = %v, %v, %d; want 1ns (no jitter), 1ns (no tick) and -1 (never)", ic.Jitter, ic.Tick, ic.DeepEvery)
	}
	if ic.Intervals["CG-0001"] != 5*time.Minute || ic.Timeout != 4*time.Second || !ic.PerCameraMetric {
		t.Errorf("ingest config %+v", ic)
	}
}

// yamlKeys lists the dotted YAML keys of a config struct type, sections
// included.
func yamlKeys(typ reflect.Type, prefix string) []string {
	var keys []string
	for f := range typ.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		keys = append(keys, prefix+tag)
		if f.Type.Kind() == reflect.Struct {
			keys = append(keys, yamlKeys(f.Type, prefix+tag+".")...)
		}
	}
	return keys
}

func TestConfigEmptyFile(t *testing.T) {
	got, err := loadConfig(configSource{File: "testdata/empty.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutOrigins(got), withoutOrigins(defaultConfig())) {
		t.Errorf("an empty file changed the defaults: %+v", got)
	}
}

func TestConfigMissingFile(t *testing.T) {
	_, err := loadConfig(configSource{File: "testdata/no-such-file.yml"})
	if err == nil || !strings.Contains(err.Error(), "no-such-file.yml") {
		t.Errorf("err = %v, want one naming the file", err)
	}
}

// TestConfigLayers checks the order: defaults < file < environment < flags.
func TestConfigLayers(t *testing.T) {
	environment := map[string]string{
		"MATTHAN_LISTEN":               "127.0.0.1:7070",
		"MATTHAN_LOG_LEVEL":            "warn",
		"MATTHAN_IMPORT_LIMIT":         "2MiB",
		"MATTHAN_SHUTDOWN_TIMEOUT":     "3s",
		"MATTHAN_METRICS_RUNTIME":      "true",
		"MATTHAN_ADMIN_TOKEN":          "an-admin-token-for-tests",
		"MATTHAN_DB":                   "", // empty = unset: the file's value stands
		"MATTHAN_POLL_INTERVAL":        "20s",
		"MATTHAN_POLLER_ENABLED":       "true",
		"MATTHAN_LAYERS_MAX_JUNCTIONS": "300_000",
		"MATTHAN_WEBHOOK_SECRET":       webhookSecret,
	}
	flags := map[string]string{"listen": "127.0.0.1:6060", "poll-interval": "300ms"}
	got, err := loadConfig(configSource{File: "testdata/good.yml", Getenv: env(environment), Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"listen (flag over env over file)", got.Listen, "127.0.0.1:6060"},
		{"db (file)", got.DB, "/var/lib/matthan/matthan.db"},
		{"log_level (env over file)", got.LogLevel, "warn"},
		{"limits.body_bytes (file)", got.Limits.BodyBytes, byteSize(64 << 10)},
		{"limits.import_bytes (env)", got.Limits.ImportBytes, byteSize(2 << 20)},
		{"http.shutdown_timeout (env)", got.HTTP.ShutdownTimeout, duration(3 * time.Second)},
		{"http.read_header_timeout (file)", got.HTTP.ReadHeaderTimeout, duration(5 * time.Second)},
		{"metrics.runtime (env over file)", got.Metrics.Runtime, true},
		{"admin token (env)", got.AdminToken, "an-admin-token-for-tests"},
		{"poller.interval (flag over env over file)", got.Poller.Interval, duration(300 * time.Millisecond)},
		{"poller.enabled (env over file)", got.Poller.Enabled, true},
		{"poller.timeout (file)", got.Poller.Timeout, duration(4 * time.Second)},
		{"layers.max_junctions (env over file)", got.Layers.MaxJunctions, 300_000},
		{"layers.max_features (file)", got.Layers.MaxFeatures, 1000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.key, c.got, c.want)
		}
	}
}

// TestConfigClipsDir: the clips live next to the database unless
// clips.dir says otherwise, at whatever layer.
func TestConfigClipsDir(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags map[string]string
		want  string
	}{
		{"defaults", nil, nil, "./data/clips"},
		{"db flag", nil, map[string]string{"db": "/var/lib/matthan/m.db"}, "/var/lib/matthan/clips"},
		{"db env", map[string]string{"MATTHAN_DB": "data/demo/matthan.db"}, nil, "data/demo/clips"},
		{"db and clips dir", map[string]string{"MATTHAN_CLIPS_DIR": "/srv/clips"}, map[string]string{"db": "/var/lib/m.db"}, "/srv/clips"},
		{"clips dir flag over env", map[string]string{"MATTHAN_CLIPS_DIR": "/srv/clips"}, map[string]string{"clips-dir": "/mnt/evidence"}, "/mnt/evidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(configSource{Getenv: env(tt.env), Flags: tt.flags})
			if err != nil {
				t.Fatal(err)
			}
			if got.Clips.Dir != tt.want {
				t.Errorf("clips.dir = %q, want %q", got.Clips.Dir, tt.want)
			}
		})
	}
	// good.yml sets both: its clips.dir stands.
	got, err := loadConfig(configSource{File: "testdata/good.yml", Getenv: goodEnv})
	if err != nil || got.Clips.Dir != "/srv/evidence/clips" {
		t.Errorf("good.yml: clips.dir %q, %v", got.Clips.Dir, err)
	}
}

func TestConfigFlagsOverDefaults(t *testing.T) {
	got, err := loadConfig(configSource{Flags: map[string]string{"db": "x.db", "listen": ":0", "log-level": "ERROR"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.DB != "x.db" || got.Listen != ":0" || got.LogLevel != "ERROR" {
		t.Errorf("got db %q listen %q log_level %q", got.DB, got.Listen, got.LogLevel)
	}
}

// TestConfigInvalidFiles is the table of invalid configuration files and
// their exact errors: each names the key and where it was set.
func TestConfigInvalidFiles(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"invalid-unknown-key.yml", `config: unknown key "limits.body_byte" (from testdata/invalid-unknown-key.yml line 3)`},
		{"invalid-admin-token-key.yml", `config: unknown key "admin_token" (from testdata/invalid-admin-token-key.yml line 2): secrets are not read from the config file: set MATTHAN_ADMIN_TOKEN in the environment`},
		{"invalid-bool.yml", `config: metrics.runtime: must be true or false, got "maybe" (from testdata/invalid-bool.yml line 2)`},
		{"invalid-duplicate-key.yml", `config: db: is set twice (first at line 1) (from testdata/invalid-duplicate-key.yml line 2)`},
		{"invalid-duration.yml", `config: http.shutdown_timeout: must be a duration with its unit such as 15s or 2m, got "15" (from testdata/invalid-duration.yml line 2)`},
		{"invalid-zero-duration.yml", `config: http.read_header_timeout: must be more than 0, got 0s (from testdata/invalid-zero-duration.yml line 2)`},
		{"invalid-empty-db.yml", `config: db: must be the path of the database file (from testdata/invalid-empty-db.yml line 1)`},
		{"invalid-list.yml", `config: must be a section of keys, got a list (from testdata/invalid-list.yml line 1)`},
		{"invalid-section.yml", `config: limits: must be a section of keys, got "5" (from testdata/invalid-section.yml line 1)`},
		{"invalid-listen.yml", `config: listen: must be HOST:PORT such as 127.0.0.1:8080, got "8080" (from testdata/invalid-listen.yml line 1)`},
		{"invalid-port.yml", `config: listen: port must be a number from 0 to 65535, got "99999" (from testdata/invalid-port.yml line 1)`},
		{"invalid-console-tile-url.yml", `config: console.tile_url: must be an http(s) URL template with {z}, {x} and {y}, got "ftp://tiles.example.vn/{z}/{x}/{y}.png" (from testdata/invalid-console-tile-url.yml line 2)`},
		{"invalid-console-session-max-age.yml", `config: console.session_max_age: must be at least session_idle_timeout (8h0m0s), got 1h0m0s (from testdata/invalid-console-session-max-age.yml line 3)`},
		{"invalid-timezone.yml", `config: timezone: must be an IANA time zone such as Asia/Ho_Chi_Minh, got "Asia/Hanoi" (from testdata/invalid-timezone.yml line 2)`},
		{"invalid-log-level.yml", `config: log_level: must be one of debug, info, warn, error, got "verbose" (from testdata/invalid-log-level.yml line 1)`},
		{"invalid-negative-size.yml", `config: limits.body_bytes: must be more than 0, got -1 (from testdata/invalid-negative-size.yml line 2)`},
		{"invalid-size.yml", `config: limits.import_bytes: must be a number of bytes such as 1048576 or 1MiB, got "lots" (from testdata/invalid-size.yml line 2)`},
		{"invalid-size-overflow.yml", `config: limits.import_bytes: "9999999999999GiB" is too large (from testdata/invalid-size-overflow.yml line 3)`},
		{"invalid-syntax.yml", `config: invalid YAML: did not find expected ',' or ']' (from testdata/invalid-syntax.yml line 1)`},
		{"invalid-two-documents.yml", `config: more than one YAML document in testdata/invalid-two-documents.yml`},
		{"invalid-poller-unknown-key.yml", `config: unknown key "poller.intreval" (from testdata/invalid-poller-unknown-key.yml line 2)`},
		{"invalid-poller-section.yml", `config: poller: must be a section of keys, got a list (from testdata/invalid-poller-section.yml line 2)`},
		{"invalid-poller-enabled.yml", `config: poller.enabled: must be true or false, got "yes please" (from testdata/invalid-poller-enabled.yml line 2)`},
		{"invalid-poller-interval.yml", `config: poller.interval: must be a duration with its unit such as 15s or 2m, got "60" (from testdata/invalid-poller-interval.yml line 2)`},
		{"invalid-poller-zero-interval.yml", `config: poller.interval: must be more than 0, got 0s (from testdata/invalid-poller-zero-interval.yml line 2)`},
		{"invalid-poller-negative-timeout.yml", `config: poller.timeout: must be more than 0, got -1s (from testdata/invalid-poller-negative-timeout.yml line 2)`},
		{"invalid-poller-negative-jitter.yml", `config: poller.jitter: must not be negative, got -1s (from testdata/invalid-poller-negative-jitter.yml line 2)`},
		{"invalid-poller-zero-confirm.yml", `config: poller.confirm: must be at least 1, got 0 (from testdata/invalid-poller-zero-confirm.yml line 3)`},
		{"invalid-poller-negative-concurrency.yml", `config: poller.slow_concurrency: must be at least 1, got -4 (from testdata/invalid-poller-negative-concurrency.yml line 3)`},
		{"invalid-poller-confirm-type.yml", `config: poller.confirm: must be a whole number, got "two" (from testdata/invalid-poller-confirm-type.yml line 2)`},
		{"invalid-poller-tick.yml", `config: poller.tick: must be between 0s and 1s, got 2s (from testdata/invalid-poller-tick.yml line 2)`},
		{"invalid-poller-deep-every.yml", `config: poller.deep_every: must be 0 (never) or more, got -1 (from testdata/invalid-poller-deep-every.yml line 2)`},
		{"invalid-poller-camera-interval.yml", `config: poller.intervals["CG-0002"]: must be more than 0, got -5m0s (from testdata/invalid-poller-camera-interval.yml line 4)`},
		{"invalid-poller-camera-interval-type.yml", `config: poller.intervals.CG-0001: must be a duration with its unit such as 15s or 2m, got "often" (from testdata/invalid-poller-camera-interval-type.yml line 3)`},
		{"invalid-poller-intervals-type.yml", `config: poller.intervals: must be a section of keys, got "5m" (from testdata/invalid-poller-intervals-type.yml line 2)`},
		{"invalid-poller-webhook.yml", `config: poller.webhooks[1]: must be an http:// or https:// URL with a host (from testdata/invalid-poller-webhook.yml line 4)`},
		{"invalid-poller-webhooks-type.yml", `config: poller.webhooks: must be a list (one "- " line per item), got a single value (from testdata/invalid-poller-webhooks-type.yml line 2)`},
		{"invalid-tips-no-recipients.yml", `config: tips.recipients: must list at least one age public key (age1…) of a police chief when tips.enabled is true: informants are sealed to them before anything is written`},
		{"invalid-tips-recipient.yml", `config: tips.recipients[1]: is an age private key (AGE-SECRET-KEY-1…), which must never be on the server: list its public key (age1…) instead, and make a new key pair, since this one has been exposed (from testdata/invalid-tips-recipient.yml line 5)`},
		{"invalid-tips-recipient-typo.yml", `config: tips.recipients[0]: is not an age public key (age1… as age-keygen prints it) (from testdata/invalid-tips-recipient-typo.yml line 4)`},
		{"invalid-tips-retention.yml", `config: tips.retention: must be 0s (keep forever) or at least 24h0m0s, got 30m0s (from testdata/invalid-tips-retention.yml line 2)`},
		{"invalid-clips-dir.yml", `config: clips.dir: must be the path of the directory for evidence clips (from testdata/invalid-clips-dir.yml line 2)`},
		{"invalid-clips-max-bytes.yml", `config: clips.max_bytes: must be more than 0, got 0 (from testdata/invalid-clips-max-bytes.yml line 2)`},
		{"invalid-clips-max-bytes-type.yml", `config: clips.max_bytes: must be a number of bytes such as 1048576 or 1MiB, got "2 gigs" (from testdata/invalid-clips-max-bytes-type.yml line 2)`},
		{"invalid-clips-unknown-key.yml", `config: unknown key "clips.directory" (from testdata/invalid-clips-unknown-key.yml line 2)`},
		{"invalid-incidents-retention-short.yml", `config: incidents.retention: must be 0s (keep forever) or at least 24h0m0s, got 12h10m0s (from testdata/invalid-incidents-retention-short.yml line 3)`},
		{"invalid-incidents-retention-negative.yml", `config: incidents.retention: must be 0s (keep forever) or at least 24h0m0s, got -1h0m0s (from testdata/invalid-incidents-retention-negative.yml line 2)`},
		{"invalid-incidents-retention-unit.yml", `config: incidents.retention: must be a duration with its unit such as 15s or 2m, got "730" (from testdata/invalid-incidents-retention-unit.yml line 2)`},
		{"invalid-incidents-retention-interval.yml", `config: incidents.retention_interval: must be more than 0, got 0s (from testdata/invalid-incidents-retention-interval.yml line 2)`},
		{"invalid-http-body-timeout.yml", `config: http.body_timeout: must be more than 0, got 0s (from testdata/invalid-http-body-timeout.yml line 2)`},
		{"invalid-http-min-upload-rate.yml", `config: http.min_upload_rate: must be more than 0 bytes a second, got 0 (from testdata/invalid-http-min-upload-rate.yml line 2)`},
		{"invalid-http-upload-grace.yml", `config: http.upload_grace: must be a duration with its unit such as 15s or 2m, got "10" (from testdata/invalid-http-upload-grace.yml line 2)`},
		{"invalid-probe-deny-network.yml", `config: probe.deny_networks[1]: must be a CIDR range or an IP address such as 10.20.0.0/16 or 10.20.0.5, got "metadata.google.internal" (from testdata/invalid-probe-deny-network.yml line 4)`},
		{"invalid-probe-allow-network.yml", `config: probe.allow_networks[1]: must be a CIDR range or an IP address such as 10.20.0.0/16 or 10.20.0.5, got "10.30.0.0/33" (from testdata/invalid-probe-allow-network.yml line 5)`},
		{"invalid-probe-networks-type.yml", `config: probe.allow_networks: must be a list (one "- " line per item), got a single value (from testdata/invalid-probe-networks-type.yml line 2)`},
		{"invalid-poller-webhook-secret-key.yml", `config: unknown key "poller.webhook_secret" (from testdata/invalid-poller-webhook-secret-key.yml line 4): secrets are not read from the config file: set MATTHAN_WEBHOOK_SECRET in the environment`},
		{"invalid-poller-webhooks-unsigned.yml", `config: poller.webhooks: every webhook is signed: set MATTHAN_WEBHOOK_SECRET (at least 16 random characters) in the environment (from testdata/invalid-poller-webhooks-unsigned.yml line 2)`},
		{"invalid-http-trusted-proxy.yml", `config: http.trusted_proxies[1]: must be an IP address or a CIDR range such as 10.0.0.1 or 10.0.0.0/8, got "proxy.lan" (from testdata/invalid-http-trusted-proxy.yml line 4)`},
		{"invalid-http-trusted-proxies-type.yml", `config: http.trusted_proxies: must be a list (one "- " line per item), got a single value (from testdata/invalid-http-trusted-proxies-type.yml line 2)`},
		{"invalid-tls-cert-only.yml", `config: tls.cert_file: is set but tls.key_file is not: HTTPS needs both (from testdata/invalid-tls-cert-only.yml line 2)`},
		{"invalid-tls-key-only.yml", `config: tls.key_file: is set but tls.cert_file is not: HTTPS needs both (from testdata/invalid-tls-key-only.yml line 2)`},
		{"invalid-tls-unknown-key.yml", `config: unknown key "tls.cert" (from testdata/invalid-tls-unknown-key.yml line 2)`},
		{"invalid-layers-zero.yml", `config: layers.max_junctions: must be at least 1, got 0 (from testdata/invalid-layers-zero.yml line 2)`},
		{"invalid-layers-type.yml", `config: layers.max_features: must be a whole number, got "many" (from testdata/invalid-layers-type.yml line 2)`},
		{"invalid-layers-polygon-positions.yml", `config: layers.max_polygon_positions: must be at most layers.max_positions (1000), got 5000 (from testdata/invalid-layers-polygon-positions.yml line 3)`},
		{"invalid-layers-unknown-key.yml", `config: unknown key "layers.max_junction" (from testdata/invalid-layers-unknown-key.yml line 2)`},
		{"invalid-cluster-advertise-url.yml", `config: cluster.advertise_url: must be the http(s) URL of this node's API, such as http://10.0.0.11:8080: got "10.0.0.11:8080" (from testdata/invalid-cluster-advertise-url.yml line 5)`},
		{"invalid-cluster-endpoint.yml", `config: cluster.etcd_endpoints[1]: must be an etcd client URL such as http://10.0.0.1:2379: the scheme must be http or https, got "etcd2:2379" (from testdata/invalid-cluster-endpoint.yml line 4)`},
		{"invalid-cluster-log-retention.yml", `config: cluster.log_retention: must be at least 1s, got 500ms (from testdata/invalid-cluster-log-retention.yml line 6)`},
		{"invalid-cluster-lease-ttl.yml", `config: cluster.lease_ttl: must be whole seconds, at least 2s (etcd leases count in seconds), got 1.5s (from testdata/invalid-cluster-lease-ttl.yml line 6)`},
		{"invalid-cluster-name.yml", `config: cluster.name: must not contain '/', spaces or control characters, got "tien-giang/1" (from testdata/invalid-cluster-name.yml line 2)`},
		{"invalid-cluster-no-advertise-url.yml", `config: cluster.advertise_url: is required in cluster mode: the URL the other nodes and load balancers reach this node's API on, such as http://10.0.0.11:8080`},
		{"invalid-cluster-no-node-id.yml", `config: cluster.node_id: is required in cluster mode: a name for this node, unique in the cluster, such as node-1`},
		{"invalid-cluster-node-id.yml", `config: cluster.node_id: must not contain '/', spaces or control characters, got "node 1" (from testdata/invalid-cluster-node-id.yml line 3)`},
		{"invalid-cluster-tls-cert-only.yml", `config: cluster.tls.cert_file: is set but cluster.tls.key_file is not: a client certificate needs both (from testdata/invalid-cluster-tls-cert-only.yml line 7)`},
		{"invalid-cluster-without-endpoints.yml", `config: cluster.node_id: is set but cluster.etcd_endpoints is not: cluster mode needs the etcd members' URLs (from testdata/invalid-cluster-without-endpoints.yml line 2)`},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/" + tt.file
			_, err := loadConfig(configSource{File: path})
			if err == nil || err.Error() != tt.want {
				t.Errorf("loadConfig(%s) = %v\nwant %s", path, err, tt.want)
			}
		})
	}
	// Every invalid-*.yml is in the table.
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no expected error in the table", f)
		}
	}
}

func TestConfigInvalidEnvAndFlags(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags map[string]string
		want  string
	}{
		{"size", map[string]string{"MATTHAN_BODY_LIMIT": "1 lorry"}, nil,
			`config: limits.body_bytes: must be a number of bytes such as 1048576 or 1MiB, got "1 lorry" (from MATTHAN_BODY_LIMIT)`},
		{"zero size", map[string]string{"MATTHAN_IMPORT_LIMIT": "0"}, nil,
			`config: limits.import_bytes: must be more than 0, got 0 (from MATTHAN_IMPORT_LIMIT)`},
		{"duration", map[string]string{"MATTHAN_SHUTDOWN_TIMEOUT": "soon"}, nil,
			`config: http.shutdown_timeout: must be a duration with its unit such as 15s or 2m, got "soon" (from MATTHAN_SHUTDOWN_TIMEOUT)`},
		{"bool", map[string]string{"MATTHAN_METRICS_RUNTIME": "sometimes"}, nil,
			`config: metrics.runtime: must be true or false, got "sometimes" (from MATTHAN_METRICS_RUNTIME)`},
		{"listen env", map[string]string{"MATTHAN_LISTEN": "localhost"}, nil,
			`config: listen: must be HOST:PORT such as 127.0.0.1:8080, got "localhost" (from MATTHAN_LISTEN)`},
		{"timezone env", map[string]string{"MATTHAN_TIMEZONE": "ICT"}, nil,
			`config: timezone: must be an IANA time zone such as Asia/Ho_Chi_Minh, got "ICT" (from MATTHAN_TIMEZONE)`},
		{"timezone flag", nil, map[string]string{"timezone": "+07:00"},
			`config: timezone: must be an IANA time zone such as Asia/Ho_Chi_Minh, got "+07:00" (from flag --timezone)`},
		{"log level flag", nil, map[string]string{"log-level": "loud"},
			`config: log_level: must be one of debug, info, warn, error, got "loud" (from flag --log-level)`},
		{"listen flag over a good env", map[string]string{"MATTHAN_LISTEN": "127.0.0.1:1"}, map[string]string{"listen": "127.0.0.1:http"},
			`config: listen: port must be a number from 0 to 65535, got "http" (from flag --listen)`},
		{"short admin token", map[string]string{"MATTHAN_ADMIN_TOKEN": "s3cret"}, nil,
			`config: MATTHAN_ADMIN_TOKEN: must be at least 16 characters (it grants the admin role)`},
		{"admin token with a space", map[string]string{"MATTHAN_ADMIN_TOKEN": "0123456789 abcdef"}, nil,
			`config: MATTHAN_ADMIN_TOKEN: must not contain spaces or control characters`},
		{"poll interval env", map[string]string{"MATTHAN_POLL_INTERVAL": "1 minute"}, nil,
			`config: poller.interval: must be a duration with its unit such as 15s or 2m, got "1 minute" (from MATTHAN_POLL_INTERVAL)`},
		{"zero poll interval flag", nil, map[string]string{"poll-interval": "0s"},
			`config: poller.interval: must be more than 0, got 0s (from flag --poll-interval)`},
		{"negative poll interval flag", map[string]string{"MATTHAN_POLL_INTERVAL": "10s"}, map[string]string{"poll-interval": "-10s"},
			`config: poller.interval: must be more than 0, got -10s (from flag --poll-interval)`},
		{"poller enabled env", map[string]string{"MATTHAN_POLLER_ENABLED": "off"}, nil,
			`config: poller.enabled: must be true or false, got "off" (from MATTHAN_POLLER_ENABLED)`},
		{"clip limit env", map[string]string{"MATTHAN_CLIPS_MAX_BYTES": "-5"}, nil,
			`config: clips.max_bytes: must be more than 0, got -5 (from MATTHAN_CLIPS_MAX_BYTES)`},
		{"retention env", map[string]string{"MATTHAN_INCIDENTS_RETENTION": "2 years"}, nil,
			`config: incidents.retention: must be a duration with its unit such as 15s or 2m, got "2 years" (from MATTHAN_INCIDENTS_RETENTION)`},
		{"upload rate env", map[string]string{"MATTHAN_MIN_UPLOAD_RATE": "fast"}, nil,
			`config: http.min_upload_rate: must be a number of bytes such as 1048576 or 1MiB, got "fast" (from MATTHAN_MIN_UPLOAD_RATE)`},
		{"trusted proxies env", map[string]string{"MATTHAN_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.0/33"}, nil,
			`config: http.trusted_proxies[1]: must be an IP address or a CIDR range such as 10.0.0.1 or 10.0.0.0/8, got "10.0.0.0/33" (from MATTHAN_TRUSTED_PROXIES)`},
		{"probe deny networks env", map[string]string{"MATTHAN_PROBE_DENY_NETWORKS": "169.254.0.0/16, fe80::/10, metadata"}, nil,
			`config: probe.deny_networks[2]: must be a CIDR range or an IP address such as 10.20.0.0/16 or 10.20.0.5, got "metadata" (from MATTHAN_PROBE_DENY_NETWORKS)`},
		{"probe allow networks env", map[string]string{"MATTHAN_PROBE_ALLOW_NETWORKS": "10.20.0.0/16,cameras.lan"}, nil,
			`config: probe.allow_networks[1]: must be a CIDR range or an IP address such as 10.20.0.0/16 or 10.20.0.5, got "cameras.lan" (from MATTHAN_PROBE_ALLOW_NETWORKS)`},
		{"tls key env without cert", map[string]string{"MATTHAN_TLS_KEY_FILE": "/etc/matthan/key.pem"}, nil,
			`config: tls.key_file: is set but tls.cert_file is not: HTTPS needs both (from MATTHAN_TLS_KEY_FILE)`},
		{"cluster endpoints env", map[string]string{"MATTHAN_CLUSTER_ETCD_ENDPOINTS": "http://10.0.0.1:2379, http://user:pw@10.0.0.2:2379"}, nil,
			`config: cluster.etcd_endpoints[1]: must be an etcd client URL such as http://10.0.0.1:2379: it must not carry a user or password (got one in http://10.0.0.2:2379) (from MATTHAN_CLUSTER_ETCD_ENDPOINTS)`},
		{"cluster node id env", map[string]string{"MATTHAN_CLUSTER_ETCD_ENDPOINTS": "http://10.0.0.1:2379", "MATTHAN_CLUSTER_NODE_ID": "cho-gao/1", "MATTHAN_CLUSTER_ADVERTISE_URL": "http://10.0.0.11:8080"}, nil,
			`config: cluster.node_id: must not contain '/', spaces or control characters, got "cho-gao/1" (from MATTHAN_CLUSTER_NODE_ID)`},
		{"cluster advertise url env", map[string]string{"MATTHAN_CLUSTER_ETCD_ENDPOINTS": "http://10.0.0.1:2379", "MATTHAN_CLUSTER_NODE_ID": "n1", "MATTHAN_CLUSTER_ADVERTISE_URL": "rtsp://10.0.0.11:8080"}, nil,
			`config: cluster.advertise_url: must be the http(s) URL of this node's API, such as http://10.0.0.11:8080: the scheme must be http or https, got "rtsp://10.0.0.11:8080" (from MATTHAN_CLUSTER_ADVERTISE_URL)`},
		{"cluster lease ttl env", map[string]string{"MATTHAN_CLUSTER_LEASE_TTL": "10"}, nil,
			`config: cluster.lease_ttl: must be a duration with its unit such as 15s or 2m, got "10" (from MATTHAN_CLUSTER_LEASE_TTL)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(configSource{Getenv: env(tt.env), Flags: tt.flags})
			if err == nil || err.Error() != tt.want {
				t.Errorf("loadConfig = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestConfigErrorsHideAdminToken: the token's value must not appear in any
// message, even one about the token.
func TestConfigErrorsHideAdminToken(t *testing.T) {
	for _, tok := range []string{"short-secret", "long enough but spaced"} {
		_, err := loadConfig(configSource{Getenv: env(map[string]string{"MATTHAN_ADMIN_TOKEN": tok})})
		if err == nil || strings.Contains(err.Error(), tok) {
			t.Errorf("error %v for a bad admin token must exist and not repeat it", err)
		}
	}
}

// TestConfigWebhookSecret: webhooks need MATTHAN_WEBHOOK_SECRET, long
// enough, and no message repeats it.
func TestConfigWebhookSecret(t *testing.T) {
	const file = "testdata/invalid-poller-webhooks-unsigned.yml"
	_, err := loadConfig(configSource{File: file, Getenv: env(map[string]string{envWebhookSecret: "short-s3cret"})})
	if want := "config: MATTHAN_WEBHOOK_SECRET: must be at least 16 characters, got 12"; err == nil || err.Error() != want {
		t.Errorf("short secret: %v, want %s", err, want)
	}
	got, err := loadConfig(configSource{File: file, Getenv: goodEnv})
	if err != nil {
		t.Fatal(err)
	}
	if ic := got.Poller.ingestConfig(); ic.WebhookSecret != webhookSecret {
		t.Errorf("ingest config's secret = %q, want the environment's", ic.WebhookSecret)
	}
	// Without webhooks, no secret is needed.
	if _, err := loadConfig(configSource{}); err != nil {
		t.Errorf("no webhooks, no secret: %v", err)
	}
}

// TestConfigProbeNetworks: the probe: section's lists, from the
// environment too, become the daemon's network policy.
func TestConfigProbeNetworks(t *testing.T) {
	def, err := loadConfig(configSource{})
	if err != nil {
		t.Fatal(err)
	}
	if p := def.netPolicy(); len(p.Allow) != 0 || !reflect.DeepEqual(p.Deny, camera.DefaultDenyNetworks()) {
		t.Errorf("default policy %+v, want no allow list and the default deny list", p)
	}
	got, err := loadConfig(configSource{Getenv: env(map[string]string{
		"MATTHAN_PROBE_ALLOW_NETWORKS": "10.20.0.0/16, 192.168.1.64",
		"MATTHAN_PROBE_DENY_NETWORKS":  "169.254.0.0/16,10.20.99.0/24",
	})})
	if err != nil {
		t.Fatal(err)
	}
	p := got.netPolicy()
	for addr, allowed := range map[string]bool{"10.20.1.1": true, "192.168.1.64": true, "192.168.1.65": false, "10.20.99.1": false, "127.0.0.1": false} {
		if err := p.Check(netip.MustParseAddr(addr)); (err == nil) != allowed {
			t.Errorf("%s: %v, want allowed %v", addr, err, allowed)
		}
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want byteSize
	}{
		{"0", 0}, {"1048576", 1 << 20}, {"1MiB", 1 << 20}, {"1 MiB", 1 << 20}, {"64KiB", 64 << 10},
		{"2GiB", 2 << 30}, {"1KB", 1000}, {"5MB", 5_000_000}, {"3GB", 3_000_000_000}, {"12B", 12}, {"-1", -1},
	}
	for _, tt := range tests {
		var got byteSize
		if err := got.parse(tt.in); err != nil || got != tt.want {
			t.Errorf("parse(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "MiB", "1.5MiB", "1 mib", "ten", "1e6", "9223372036854775807KiB"} {
		var got byteSize
		if err := got.parse(in); err == nil {
			t.Errorf("parse(%q) = %d, want an error", in, got)
		}
	}
}
