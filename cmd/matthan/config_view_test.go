package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// planted marks every secret the tests put in a configuration: it must
// never come out.
const planted = "pl4nted"

// TestSettingsViewClassifiesEveryKey: every key of the configuration
// that holds text is listed in settingShown, so that its author decided
// whether it may carry a credential; and settingShown lists no key that
// is gone.
func TestSettingsViewClassifiesEveryKey(t *testing.T) {
	var text []string
	walkSettings(reflect.ValueOf(defaultConfig()).Elem(), "", func(key string, v reflect.Value) {
		if holdsText(v.Type()) {
			text = append(text, key)
		}
	})
	for _, k := range text {
		if settingShown[k] == 0 {
			t.Errorf("config key %s holds text but is not in settingShown: add it, as shownHost if it may carry a credential (a URL), shownAsIs otherwise; a secret gets no YAML key at all", k)
		}
	}
	for k := range settingShown {
		if !slices.Contains(text, k) {
			t.Errorf("settingShown lists %s, which is no config key holding text", k)
		}
	}
}

// plantSecrets fills every field of v without a YAML key that holds a
// string (the secrets from the environment) with a planted secret, and
// every key shown as a host with URLs carrying planted credentials in
// each of their parts.
func plantSecrets(t *testing.T, v reflect.Value, prefix string) (n int) {
	t.Helper()
	url := "https://ops:" + planted + "-pw@hooks.example:8443/" + planted + "-path/x?token=" + planted + "-q#" + planted + "-frag"
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		fv := v.Field(i)
		switch {
		case name == "-" && f.Type.Kind() == reflect.String:
			fv.SetString(fmt.Sprintf("%s-%s%s", planted, prefix, f.Name))
			n++
		case name == "" || name == "-":
		case f.Type.Kind() == reflect.Struct:
			n += plantSecrets(t, fv, prefix+name+".")
		case settingShown[prefix+name] == shownHost:
			switch f.Type.Kind() {
			case reflect.String:
				fv.SetString(url)
			case reflect.Slice:
				fv.Set(reflect.ValueOf([]string{url, "http://" + planted + "@10.0.0.5/" + planted}))
			default:
				t.Fatalf("%s%s: cannot plant a URL in a %s", prefix, name, f.Type)
			}
			n++
		}
	}
	return n
}

// TestSettingsViewHasNoSecret: with a secret planted in every secret
// field and in every part of every URL, the settings' JSON holds none of
// them, says which secrets are set, and still shows each URL's host.
func TestSettingsViewHasNoSecret(t *testing.T) {
	c := defaultConfig()
	if n := plantSecrets(t, reflect.ValueOf(c).Elem(), ""); n < 4 {
		t.Fatalf("planted %d secrets, want at least the admin token, the webhook secret, the webhooks and the tile URL", n)
	}
	if c.AdminToken == "" || c.Poller.WebhookSecret == "" || len(c.Poller.Webhooks) == 0 || c.Console.TileURL == "" {
		t.Fatalf("secrets not planted: %+v", c)
	}
	raw, err := json.Marshal(newSettingsAnswer(c))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(string(raw)), planted) {
		t.Errorf("the settings answer carries a planted secret:\n%s", raw)
	}
	for _, want := range []string{
		`{"key":"poller.webhooks","value":["https://hooks.example:8443/…","http://10.0.0.5/…"],"from":"default","redacted":true}`,
		`{"key":"console.tile_url","value":"https://hooks.example:8443/…","from":"default","redacted":true}`,
		`"secrets":[{"env":"MATTHAN_ADMIN_TOKEN","set":true},{"env":"MATTHAN_WEBHOOK_SECRET","set":true}]`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the settings answer lacks %s:\n%s", want, raw)
		}
	}
}

// TestSettingsViewLeavesUnlistedTextOut: a key holding text that the
// table does not list (a key added without deciding how it is shown) is
// not answered at all, whatever it holds.
func TestSettingsViewLeavesUnlistedTextOut(t *testing.T) {
	type section struct {
		Token string `yaml:"token"`
		Port  int    `yaml:"port"`
	}
	type cfg struct {
		Name    string            `yaml:"name"`
		Headers map[string]string `yaml:"headers"`
		Extra   section           `yaml:"extra"`
		Hidden  string            `yaml:"-"`
	}
	v := cfg{Name: "Chợ Gạo", Headers: map[string]string{"Authorization": planted}, Extra: section{Token: planted, Port: 554}, Hidden: planted}
	got := settingValues(reflect.ValueOf(&v).Elem(), map[string]shown{"name": shownAsIs}, map[string]string{"name": "f.yml line 1"})
	want := []settingValue{{Key: "name", Value: "Chợ Gạo", From: "f.yml line 1"}, {Key: "extra.port", Value: 554, From: "default"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings %+v, want %+v", got, want)
	}
}

// TestSettingsViewValues: the answer of a loaded configuration shows
// each value as the file would write it and where it was set.
func TestSettingsViewValues(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yml")
	yml := "db: " + filepath.Join(dir, "m.db") + "\nlimits:\n  import_bytes: 64MiB\npoller:\n  intervals:\n    CG-0311: 24h\n  webhooks:\n    - https://hooks.example/services/T000/" + planted + "\n"
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(configSource{File: file, Getenv: env(map[string]string{
		"MATTHAN_LISTEN": "127.0.0.1:9090", envAdminToken: planted + "-admin-token", envWebhookSecret: planted + "-webhook-secret",
	}), Flags: map[string]string{"poll-interval": "30s"}})
	if err != nil {
		t.Fatal(err)
	}
	a := newSettingsAnswer(c)
	got := map[string]settingValue{}
	for _, s := range a.Settings {
		got[s.Key] = s
	}
	for _, want := range []settingValue{
		{Key: "listen", Value: "127.0.0.1:9090", From: "MATTHAN_LISTEN"},
		{Key: "db", Value: filepath.Join(dir, "m.db"), From: file + " line 1"},
		{Key: "limits.body_bytes", Value: "1MiB", From: "default"},
		{Key: "limits.import_bytes", Value: "64MiB", From: file + " line 3"},
		{Key: "poller.interval", Value: "30s", From: "flag --poll-interval"},
		{Key: "poller.intervals", Value: map[string]any{"CG-0311": "24h0m0s"}, From: file + " line 5"},
		{Key: "poller.webhooks", Value: []string{"https://hooks.example/…"}, From: file + " line 7", Redacted: true},
		{Key: "console.enabled", Value: true, From: "default"},
		{Key: "layers.max_features", Value: 250000, From: "default"},
	} {
		if g := got[want.Key]; !reflect.DeepEqual(g, want) {
			t.Errorf("%s: %#v, want %#v", want.Key, g, want)
		}
	}
	raw, _ := json.Marshal(a)
	if strings.Contains(string(raw), planted) {
		t.Errorf("the answer carries a secret:\n%s", raw)
	}
	// Every key of the file is answered.
	if n := len(a.Settings); n != len(got) || n < 40 {
		t.Errorf("%d settings answered", n)
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"https://hooks.example", "https://hooks.example"},
		{"https://hooks.example/", "https://hooks.example"},
		{"https://hooks.example/services/T0/B0/XXXX", "https://hooks.example/…"},
		{"https://user:pass@hooks.example:8443", "https://hooks.example:8443"},
		{"https://hooks.example?token=x", "https://hooks.example/…"},
		{"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://{s}.tile.openstreetmap.org/…"},
		{"https://tile.example/{z}/{x}/{y}.png?apikey=k", "https://tile.example/…"},
		{"http://[::1]:9000/hook", "http://[::1]:9000/…"},
		{"hooks.example/token", "…"},
		{"mailto:ops@example.org", "…"},
		{"https://bad host/x", "…"},
	} {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
