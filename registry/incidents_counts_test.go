package registry_test

import (
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestIncidentCounts(t *testing.T) {
	ctx := context.Background()
	f := newQueryFixture(t, 11, 800)
	hcm := time.FixedZone("ICT", 7*3600)
	from := time.Date(2026, 11, 5, 0, 0, 0, 0, hcm)
	to := time.Date(2026, 12, 2, 0, 0, 0, 0, hcm) // the last UTC hours of November are December here
	got, err := f.s.IncidentCounts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}

	communes := f.commune
	type rk struct {
		commune, month string
		cat            camera.Category
	}
	type hk struct {
		commune string
		h       camera.Handling
	}
	rows := map[rk]*registry.IncidentCountRow{}
	hands := map[hk]*registry.HandlingCountRow{}
	want := &registry.IncidentCounts{Rows: []registry.IncidentCountRow{}, ByHandling: []registry.HandlingCountRow{}}
	for _, in := range f.all {
		if in.Start.Before(from) || !in.Start.Before(to) {
			continue
		}
		c, m := communes[in.CameraIDs[0]], in.Start.In(hcm).Format("2006-01")
		r := rows[rk{c, m, in.Category}]
		if r == nil {
			r = &registry.IncidentCountRow{Commune: c, Category: in.Category, Month: m}
			rows[rk{c, m, in.Category}] = r
		}
		r.Incidents++
		r.Subjects += in.Subjects
		h := hands[hk{c, in.Handling}]
		if h == nil {
			h = &registry.HandlingCountRow{Commune: c, Handling: in.Handling}
			hands[hk{c, in.Handling}] = h
		}
		h.Incidents++
		h.Subjects += in.Subjects
		want.Incidents++
		want.Subjects += in.Subjects
	}
	for _, r := range rows {
		want.Rows = append(want.Rows, *r)
	}
	for _, h := range hands {
		want.ByHandling = append(want.ByHandling, *h)
	}
	sort.Slice(want.Rows, func(i, j int) bool {
		a, b := want.Rows[i], want.Rows[j]
		if a.Commune != b.Commune {
			return a.Commune < b.Commune
		}
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.Category < b.Category
	})
	rank := map[camera.Handling]int{}
	for i, h := range camera.Handlings {
		rank[h] = i
	}
	sort.Slice(want.ByHandling, func(i, j int) bool {
		a, b := want.ByHandling[i], want.ByHandling[j]
		if a.Commune != b.Commune {
			return a.Commune < b.Commune
		}
		return rank[a.Handling] < rank[b.Handling]
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts:\n got %+v\nwant %+v", got, want)
	}
	// HandlingCounts is the same without the rows.
	hand, err := f.s.HandlingCounts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want.Rows = []registry.IncidentCountRow{}
	if !reflect.DeepEqual(hand, want) {
		t.Errorf("handling counts:\n got %+v\nwant %+v", hand, want)
	}
	dec := 0
	for _, r := range got.Rows {
		if r.Month == "2026-12" {
			dec += r.Incidents
		}
	}
	if want.Incidents == 0 || dec == 0 {
		t.Fatalf("%d incidents, %d in December: the test checks little", want.Incidents, dec)
	}

	if _, err := f.s.IncidentCounts(ctx, to, from); registry.QueryPartOf(err) != registry.QueryEnd || camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("reversed window: %v", err)
	}
}

// TestIncidentCountsDistrictSummary reproduces the Chợ Gạo figures of
// docs/design.md: 29 criminal cases with 35 suspects.
func TestIncidentCountsDistrictSummary(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	mkCamera(t, s, "CG-0001", 10.35, 106.46, "Thị trấn Chợ Gạo")
	mkCamera(t, s, "CG-0002", 10.33, 106.50, "Song Bình")
	var ins []*camera.Incident
	for i := range 29 {
		in := mkIncident(incT0.Add(time.Duration(i)*24*time.Hour), []string{"CG-0001", "CG-0002"}[i%2])
		in.Subjects = 1
		if i < 6 {
			in.Subjects = 2
		}
		ins = append(ins, in)
	}
	for i := range 5 {
		in := mkIncident(incT0.Add(time.Duration(i)*time.Hour), "CG-0002")
		in.Handling, in.Category, in.Subjects = camera.HandlingAdministrative, camera.CategoryTraffic, 1
		ins = append(ins, in)
	}
	if _, err := s.CreateIncidents(ctx, ins, officer); err != nil {
		t.Fatal(err)
	}
	got, err := s.IncidentCounts(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	criminal, suspects := 0, 0
	for _, h := range got.ByHandling {
		if h.Handling == camera.HandlingCriminal {
			criminal += h.Incidents
			suspects += h.Subjects
		}
	}
	if criminal != 29 || suspects != 35 || got.Incidents != 34 {
		t.Errorf("got %d criminal cases, %d suspects, %d incidents; want 29, 35, 34", criminal, suspects, got.Incidents)
	}
}
