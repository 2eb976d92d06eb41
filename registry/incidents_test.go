package registry_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

func TestIncidentLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := registrytest.OpenAt(t, t.TempDir()+"/m.db", func() time.Time { return now })
	mkCamera(t, s, "CG-0001", 10.35, 106.46, "Thị trấn Chợ Gạo")
	mkCamera(t, s, "CG-0002", 10.36, 106.47, "Song Bình")

	in := mkIncident(incT0.Add(21*time.Hour+40*time.Minute), "CG-0001", "CG-0002")
	in.CaseRef = "HS-12/2026"
	if err := s.CreateIncident(ctx, in, officer); err != nil {
		t.Fatalf("create: %v", err)
	}
	if !strings.HasPrefix(in.ID, "INC-20261128-") || len(in.ID) != len("INC-20261128-000001") {
		t.Errorf("generated id %q, want INC-20261128-NNNNNN", in.ID)
	}
	if !in.HasPlace() || *in.Lat != 10.35 || *in.Lon != 106.46 {
		t.Errorf("place: got %v,%v, want the first camera's 10.35,106.46", in.Lat, in.Lon)
	}
	if in.CreatedBy != officer || !in.CreatedAt.Equal(now) {
		t.Errorf("created by %v at %v", in.CreatedBy, in.CreatedAt)
	}
	got, err := s.GetIncident(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("get:\n got %+v\nwant %+v", got, in)
	}

	t.Run("given id and conflict", func(t *testing.T) {
		x := mkIncident(incT0, "CG-0001")
		x.ID = "CA-CG/2026-7"
		if err := s.CreateIncident(ctx, x, officer); camera.ErrorField(err) != "id" {
			t.Errorf("id with '/': got %v, want invalid id", err)
		}
		x.ID = "CA-CG-2026-7"
		if err := s.CreateIncident(ctx, x, officer); err != nil {
			t.Fatal(err)
		}
		y := mkIncident(incT0, "CG-0001")
		y.ID = "CA-CG-2026-7"
		if err := s.CreateIncident(ctx, y, officer); camera.ErrorCode(err) != camera.ECONFLICT {
			t.Errorf("same id: got %v, want conflict", err)
		}
	})

	t.Run("unknown camera", func(t *testing.T) {
		x := mkIncident(incT0, "CG-0001", "CG-9999")
		err := s.CreateIncident(ctx, x, officer)
		if camera.ErrorField(err) != "camera_ids" || !strings.Contains(err.Error(), "CG-9999") {
			t.Errorf("got %v, want camera_ids naming CG-9999", err)
		}
		if x.ID != "" || x.HasPlace() {
			t.Errorf("a failed create changed the incident: id %q, place %v", x.ID, x.HasPlace())
		}
	})

	t.Run("update", func(t *testing.T) {
		now = now.Add(time.Hour)
		up, err := s.UpdateIncident(ctx, in.ID, officer, func(x *camera.Incident) error {
			x.Hold = true
			x.Subjects = 3
			x.CameraIDs = []string{"CG-0002"}
			x.Lat, x.Lon = nil, nil
			x.Clips = []string{strings.Repeat("a", 64)}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !up.Hold || up.Subjects != 3 || *up.Lat != 10.36 || len(up.Clips) != 0 || !up.UpdatedAt.Equal(now) || !up.CreatedAt.Equal(in.CreatedAt) {
			t.Errorf("updated: %+v", up)
		}
		// The camera index follows the change.
		items, _, err := s.ListIncidents(ctx, registry.IncidentQuery{CameraID: "CG-0001"})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range items {
			if x.ID == in.ID {
				t.Errorf("incident still listed under its old camera")
			}
		}
		items, _, _ = s.ListIncidents(ctx, registry.IncidentQuery{CameraID: "CG-0002"})
		if len(items) != 1 || items[0].ID != in.ID {
			t.Errorf("new camera lists %v", ids(items))
		}
		if _, err := s.UpdateIncident(ctx, in.ID, officer, func(x *camera.Incident) error { x.ID = "other"; return nil }); camera.ErrorField(err) != "id" {
			t.Errorf("changing the id: %v", err)
		}
		if _, err := s.UpdateIncident(ctx, in.ID, officer, func(x *camera.Incident) error { x.End = x.Start; return nil }); camera.ErrorField(err) != "end" {
			t.Errorf("invalid update: %v", err)
		}
		if _, err := s.UpdateIncident(ctx, "nope", officer, func(*camera.Incident) error { return nil }); camera.ErrorCode(err) != camera.ENOTFOUND {
			t.Errorf("unknown id: %v", err)
		}
	})

	t.Run("camera deleted since", func(t *testing.T) {
		mkCamera(t, s, "CG-0009", 10.1, 106.1, "X")
		x := mkIncident(incT0, "CG-0009", "CG-0001")
		if err := s.CreateIncident(ctx, x, officer); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCamera(ctx, "CG-0009", camera.SystemActor); err != nil {
			t.Fatal(err)
		}
		up, err := s.UpdateIncident(ctx, x.ID, officer, func(in *camera.Incident) error { in.Hold = true; return nil })
		if err != nil || !up.Hold {
			t.Fatalf("hold on an incident of a deleted camera: %v", err)
		}
		if _, err := s.UpdateIncident(ctx, x.ID, officer, func(in *camera.Incident) error {
			in.CameraIDs = append(in.CameraIDs, "CG-0404")
			return nil
		}); camera.ErrorField(err) != "camera_ids" {
			t.Errorf("adding an unknown camera: %v", err)
		}
	})

	audit, _, err := s.ListAudit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "incident.") {
			actions = append(actions, a.Action+" "+strings.Join(a.Changes, ","))
		}
	}
	want := []string{"incident.update hold", "incident.create ", "incident.update camera_ids,subjects,hold,lat,lon", "incident.create ", "incident.create "}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("audit: got %q, want %q", actions, want)
	}
}

func TestCreateIncidentsBulk(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	mkCamera(t, s, "A", 10, 106, "X")
	var ins []*camera.Incident
	for i := range 5 {
		ins = append(ins, mkIncident(incT0.Add(time.Duration(i)*time.Hour), "A"))
	}
	ins[3].Category = "arson"
	n, err := s.CreateIncidents(ctx, ins, officer)
	if n != 0 || camera.ErrorField(err) != "incidents[3].category" {
		t.Fatalf("invalid item: created %d, err %v; want 0 and field incidents[3].category", n, err)
	}
	ins[3].Category = camera.CategoryRobbery
	if n, err = s.CreateIncidents(ctx, ins, officer); n != 5 || err != nil {
		t.Fatalf("created %d, %v", n, err)
	}
	seen := map[string]bool{}
	for _, in := range ins {
		if in.ID == "" || seen[in.ID] {
			t.Errorf("id %q missing or repeated", in.ID)
		}
		seen[in.ID] = true
	}
	if c, _ := s.CountIncidents(ctx); c != 5 {
		t.Errorf("count %d, want 5", c)
	}
}
