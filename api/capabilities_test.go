package api_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// allCapabilities gives every capability from the one store, as the
// daemon wires them: the tests serve every route of the daemon.
func allCapabilities(store *registry.Store) api.Capabilities {
	return api.Capabilities{
		Health: store, History: store, Uptime: store, Costs: store, Layers: store,
		Incidents: store, Donations: store, Statements: store, Sessions: store, Users: store,
	}
}

// mustNew is api.New, failing tb when it refuses the options.
func mustNew(tb testing.TB, o api.Options) *api.Server {
	tb.Helper()
	a, err := api.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestNewRefusesMissingCapability: a capability left out is an error at
// start naming it, never a server without its routes. Each field of
// api.Capabilities is cleared in turn, so a capability added later is
// covered too.
func TestNewRefusesMissingCapability(t *testing.T) {
	store := registrytest.Open(t)
	typ := reflect.TypeFor[api.Capabilities]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			caps := allCapabilities(store)
			reflect.ValueOf(&caps).Elem().Field(i).SetZero()
			a, err := api.New(api.Options{Store: store, Capabilities: caps})
			if err == nil || a != nil {
				t.Fatalf("New without %s: got a server (err %v), want an error", f.Name, err)
			}
			want := f.Name + " (" + f.Type.Name() + ")"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("New without %s: got %q, want it to name %q", f.Name, err, want)
			}
		})
	}
	t.Run("all", func(t *testing.T) {
		_, err := api.New(api.Options{Store: store})
		if err == nil {
			t.Fatal("New without capabilities: got a server, want an error")
		}
		for i := range typ.NumField() {
			if name := typ.Field(i).Name; !strings.Contains(err.Error(), name) {
				t.Errorf("got %q, want it to name %s", err, name)
			}
		}
	})
	t.Run("store", func(t *testing.T) {
		_, err := api.New(api.Options{Capabilities: allCapabilities(store)})
		if err == nil || !strings.Contains(err.Error(), "Options.Store") {
			t.Errorf("New without a store: got %v, want an error naming Options.Store", err)
		}
	})
}
