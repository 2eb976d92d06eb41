package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

var police = camera.Actor{Name: "ca-xa", Role: camera.RolePolice}

func testCamera(id string) *camera.Camera {
	c := &camera.Camera{
		ID: id, Name: "Ngã tư Chợ Gạo " + id, Lat: 10.35, Lon: 106.46,
		Commune: "Thị trấn Chợ Gạo", District: "Chợ Gạo", Province: "Tiền Giang",
		RoadClass: camera.RoadNational, Site: camera.SiteIntersection,
		DirectionDeg: 90, FOVDeg: 100, RangeM: 60, RTSPURL: "rtsp://10.0.0.1/stream",
		InstalledOn: "2021-05-01", CostVND: 4_500_000,
		Credentials: camera.Credentials{Username: "admin", Password: "s3cret"},
	}
	c.ApplyDefaults()
	return c
}

func TestCameraLifecycle(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	c := testCamera("CG-0001")
	if err := s.CreateCamera(ctx, c, police); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := s.CreateCamera(ctx, testCamera("CG-0001"), police); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Fatalf("second create: got %v, want conflict", err)
	}
	got, err := s.GetCamera(ctx, "CG-0001")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Credentials != c.Credentials {
		t.Errorf("credentials: got %+v, want %+v", got.Credentials, c.Credentials)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("get: got %+v, want %+v", got, c)
	}

	// Replace without credentials keeps them.
	r := testCamera("CG-0001")
	r.Credentials = camera.Credentials{}
	r.Name = "Ngã ba Bình Phan"
	created, err := s.ReplaceCamera(ctx, r, true, police)
	if err != nil || created {
		t.Fatalf("replace: created=%v err=%v", created, err)
	}
	got, _ = s.GetCamera(ctx, "CG-0001")
	if got.Name != "Ngã ba Bình Phan" || got.Credentials.Password != "s3cret" {
		t.Errorf("after replace: name %q password kept %v", got.Name, got.Credentials.Password == "s3cret")
	}

	// Update (retire).
	got, err = s.UpdateCamera(ctx, "CG-0001", "camera.retire", police, func(c *camera.Camera) error {
		c.Status = camera.StatusRetired
		return nil
	})
	if err != nil || got.Status != camera.StatusRetired {
		t.Fatalf("retire: %v %v", got, err)
	}
	// A failing update changes nothing.
	_, err = s.UpdateCamera(ctx, "CG-0001", "camera.patch", police, func(c *camera.Camera) error {
		c.Name = "changed"
		return camera.Errorf(camera.EINVALID, "lat", "bad")
	})
	if camera.ErrorField(err) != "lat" {
		t.Fatalf("failing update: %v", err)
	}
	got, _ = s.GetCamera(ctx, "CG-0001")
	if got.Name == "changed" {
		t.Error("a failed update was stored")
	}

	if err := s.DeleteCamera(ctx, "CG-0001", police); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.GetCamera(ctx, "CG-0001"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.DeleteCamera(ctx, "CG-0001", police); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}

	audit, _, err := s.ListAudit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
		if e.Actor != police {
			t.Errorf("audit actor: got %+v, want %+v", e.Actor, police)
		}
	}
	want := []string{"camera.delete", "camera.retire", "camera.replace", "camera.create"}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("audit actions: got %v, want %v", actions, want)
	}
	if got, want := audit[2].Changes, []string{"name", "rtsp_credentials"}; reflect.DeepEqual(got, want) {
		t.Errorf("replace that kept credentials recorded a credential change: %v", got)
	}
}

func TestListPagination(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	var cams []*camera.Camera
	for i := range 25 {
		cams = append(cams, testCamera(fmt.Sprintf("CG-%04d", i)))
	}
	res, err := s.ImportCameras(ctx, cams, false, police)
	if err != nil || res.Created != 25 {
		t.Fatalf("import: %+v %v", res, err)
	}
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		items, next, err := s.ListCameras(ctx, after, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range items {
			seen = append(seen, c.ID)
		}
		if next == "" {
			if pages != 2 {
				t.Errorf("pages: got %d, want 3", pages+1)
			}
			break
		}
		after = next
	}
	if len(seen) != 25 || seen[0] != "CG-0000" || seen[24] != "CG-0024" {
		t.Errorf("paged ids: %v", seen)
	}
	// Filtered.
	items, next, err := s.ListCameras(ctx, "", 100, func(c *camera.Camera) bool { return c.ID[len(c.ID)-1] == '3' })
	if err != nil || len(items) != 3 || next != "" {
		t.Errorf("filtered: %d items next %q err %v", len(items), next, err)
	}
}

func TestImportUpsert(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	if _, err := s.ImportCameras(ctx, []*camera.Camera{testCamera("A"), testCamera("B")}, true, police); err != nil {
		t.Fatal(err)
	}
	b := testCamera("B")
	b.Credentials = camera.Credentials{} // CSV rows carry none
	b.CostVND = 9_000_000
	res, err := s.ImportCameras(ctx, []*camera.Camera{testCamera("A"), b, testCamera("C")}, false, police)
	if err != nil {
		t.Fatal(err)
	}
	if want := (registry.ImportResult{Created: 1, Updated: 1, Unchanged: 1}); res != want {
		t.Errorf("result: got %+v, want %+v", res, want)
	}
	got, _ := s.GetCamera(ctx, "B")
	if got.CostVND != 9_000_000 || got.Credentials.Password != "s3cret" {
		t.Errorf("B after import: cost %d, credentials kept %v", got.CostVND, got.Credentials.Password == "s3cret")
	}
}

func TestBackupOpens(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	if err := s.CreateCamera(ctx, testCamera("CG-0001"), police); err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.CreateToken(ctx, registry.TokenSpec{Name: "Công an xã Song Bình", Role: camera.RolePolice}, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var size int64
	n, err := s.WriteBackup(&buf, func(sz int64) { size = sz })
	if err != nil || n != size || int64(buf.Len()) != n {
		t.Fatalf("backup: n=%d size=%d len=%d err=%v", n, size, buf.Len(), err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := writeFile(path, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	cp := registrytest.OpenAt(t, path, nil)
	if _, err := cp.GetCamera(ctx, "CG-0001"); err != nil {
		t.Errorf("camera in copy: %v", err)
	}
	tok, err := cp.LookupToken(ctx, secret)
	if err != nil || tok.Role != camera.RolePolice {
		t.Errorf("token in copy: %+v %v", tok, err)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	if _, _, err := s.CreateToken(ctx, registry.TokenSpec{Name: "x", Role: "mayor"}, camera.SystemActor); camera.ErrorField(err) != "role" {
		t.Errorf("bad role: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, registry.TokenSpec{Name: " ", Role: camera.RoleAdmin}, camera.SystemActor); camera.ErrorField(err) != "name" {
		t.Errorf("empty name: %v", err)
	}
	_, secret, err := s.CreateToken(ctx, registry.TokenSpec{Name: "planner-1", Role: camera.RolePlanner}, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupToken(ctx, secret+"x"); camera.ErrorCode(err) != camera.EUNAUTHORIZED {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestSchemaVersion(t *testing.T) {
	s := registrytest.Open(t)
	v, err := s.SchemaVersion()
	if err != nil || v != registry.SchemaVersion {
		t.Errorf("schema version: got %d %v, want %d", v, err, registry.SchemaVersion)
	}
}
