package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// BenchmarkQueryAuditScan is one page of an audit query that matches
// nothing in a log of 100,000 entries (an import of as many cameras):
// the cost of examining registry.DefaultAuditScan entries, the most one
// query reads, by actor (each entry decoded) and by action (read from
// the record's bytes).
func BenchmarkQueryAuditScan(b *testing.B) {
	s := registrytest.Open(b)
	ctx := context.Background()
	cams := make([]*camera.Camera, 100_000)
	for i := range cams {
		cams[i] = testCamera(fmt.Sprintf("VN-%07d", i))
	}
	if _, err := s.Import(ctx, cams, registry.ImportOptions{}, camera.Actor{Name: "Sở Công an tỉnh", Role: camera.RolePolice}); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    registry.AuditQuery
	}{
		{"actor", registry.AuditQuery{Actor: "no one", Limit: 100}},
		{"action", registry.AuditQuery{Actions: []string{"user.*"}, Limit: 100}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				items, next, err := s.QueryAudit(ctx, tc.q)
				if err != nil || len(items) != 0 || next == 0 {
					b.Fatalf("%d items, next %d, %v", len(items), next, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/registry.DefaultAuditScan, "ns/entry")
		})
	}
}
