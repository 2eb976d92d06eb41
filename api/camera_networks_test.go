package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/gendata"
	"github.com/matthan/matthan/registry/registrytest"
)

// newPolicyEnv is newEnv with a network policy for camera addresses: the
// default deny list and 10.99.0.0/16.
func newPolicyEnv(t *testing.T) *env {
	t.Helper()
	store := registrytest.Open(t)
	networks := &camera.NetPolicy{Deny: append(camera.DefaultDenyNetworks(), netip.MustParsePrefix("10.99.0.0/16"))}
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, CameraNetworks: networks})
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store, api: a, tokens: map[camera.Role]string{camera.RoleAdmin: adminToken}}
	var out struct{ Token string }
	e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "police-1", "role": "police"}, http.StatusCreated, &out)
	e.tokens[camera.RolePolice] = out.Token
	return e
}

// TestCameraNetworkPolicy checks that a police token cannot register a
// camera whose address the daemon may not connect to, by any of the
// routes that write a camera, and that the refusal names rtsp_url and the
// rule without repeating the credentials.
func TestCameraNetworkPolicy(t *testing.T) {
	e := newPolicyEnv(t)
	police := e.tokens[camera.RolePolice]
	with := func(id, url string) map[string]any {
		c := cameraJSON(id)
		c["rtsp_url"] = url
		return c
	}

	t.Run("create", func(t *testing.T) {
		e := e.on(t)
		for _, tt := range []struct{ url, detail string }{
			{"rtsp://169.254.169.254/latest/meta-data", "169.254.169.254 is in the denied network 169.254.0.0/16"},
			{"rtsp://admin:Matkhau123@[fe80::1]:554/live", "fe80::1 is in the denied network fe80::/10"},
			{"rtsp://[::ffff:169.254.169.254]:80/", "169.254.169.254 is in the denied network 169.254.0.0/16"},
			{"rtsp://0.0.0.0:22/", "0.0.0.0 is in the denied network 0.0.0.0/8"},
			{"rtsp://10.99.3.4/Streaming/Channels/101", "10.99.3.4 is in the denied network 10.99.0.0/16"},
		} {
			p := e.problem(police, "POST", "/api/v1/cameras", with("CG-0001", tt.url), http.StatusBadRequest)
			if p.Field != "rtsp_url" || !strings.Contains(p.Detail, tt.detail) || strings.Contains(p.Detail, "Matkhau123") {
				t.Errorf("POST %s: problem %+v, want field rtsp_url and %q", tt.url, p, tt.detail)
			}
		}
		if st, _, _ := e.do(police, "GET", "/api/v1/cameras/CG-0001", "", nil); st != http.StatusNotFound {
			t.Errorf("a refused camera was stored: GET answers %d", st)
		}
		// A host name is checked when it is dialled, not here; an
		// allowed address is stored.
		e.doJSON(police, "POST", "/api/v1/cameras", with("CG-0001", "rtsp://cam-0001.songbinh.vn/live"), http.StatusCreated, nil)
		e.doJSON(police, "POST", "/api/v1/cameras", with("CG-0002", "rtsp://192.0.2.10/live"), http.StatusCreated, nil)
	})

	t.Run("replace and patch", func(t *testing.T) {
		e := e.on(t)
		p := e.problem(police, "PUT", "/api/v1/cameras/CG-0002", with("CG-0002", "rtsp://169.254.169.254/"), http.StatusBadRequest)
		if p.Field != "rtsp_url" {
			t.Errorf("PUT: problem %+v", p)
		}
		p = e.problem(police, "PATCH", "/api/v1/cameras/CG-0002", map[string]any{"rtsp_url": "rtsp://u:p4ss@10.99.0.1/", "cost_vnd": 1}, http.StatusBadRequest)
		if p.Field != "rtsp_url" || strings.Contains(p.Detail, "p4ss") {
			t.Errorf("PATCH: problem %+v", p)
		}
		got, err := e.store.GetCamera(t.Context(), "CG-0002")
		if err != nil || got.RTSPURL != "rtsp://192.0.2.10/live" || got.CostVND != 4500000 {
			t.Errorf("after refused writes: %+v %v, want the camera unchanged", got, err)
		}
	})

	t.Run("a camera stored before the policy", func(t *testing.T) {
		e := e.on(t)
		old := &camera.Camera{ID: "CG-0003", Name: "Cầu Chợ Gạo", Lat: 10.35, Lon: 106.46, RTSPURL: "rtsp://10.99.0.7/live"}
		old.ApplyDefaults()
		if err := e.store.CreateCamera(t.Context(), old, camera.Actor{Name: "test", Role: camera.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		// Its other fields stay editable; its URL is not written again.
		e.doJSON(police, "PATCH", "/api/v1/cameras/CG-0003", map[string]any{"cost_vnd": 5000000}, http.StatusOK, nil)
		e.problem(police, "PATCH", "/api/v1/cameras/CG-0003", map[string]any{"rtsp_url": "rtsp://10.99.0.8/live"}, http.StatusBadRequest)
	})

	t.Run("import", func(t *testing.T) {
		e := e.on(t)
		body := gendata.CSVHeader + `
CG-0101,Ngã tư Chợ Gạo,10.3541,106.4612,Thị trấn Chợ Gạo,Chợ Gạo,Tiền Giang,national,intersection,45,90,60,rtsp://192.0.2.1/s,2022-03-15,4500000
CG-0102,Ngã ba Song Bình,10.3542,106.4613,Song Bình,Chợ Gạo,Tiền Giang,national,intersection,45,90,60,rtsp://admin:Matkhau123@169.254.169.254/s,2022-03-15,4500000
`
		st, raw, _ := e.do(police, "POST", "/api/v1/cameras/import?atomic=true", "text/csv", strings.NewReader(body))
		if st != http.StatusBadRequest || !bytes.Contains(raw, []byte(`"rejected":1`)) {
			t.Fatalf("atomic import: %d %s", st, raw)
		}
		if _, err := e.store.GetCamera(t.Context(), "CG-0101"); err == nil {
			t.Error("an atomic import with a refused row stored its good row")
		}
		out := e.importBody("/api/v1/cameras/import", "text/csv", []byte(body), http.StatusOK)
		if out.Created != 1 || out.Rejected != 1 {
			t.Fatalf("import: %+v", out)
		}
		r := out.Rejections[0]
		if r.Line != 3 || r.ID != "CG-0102" || r.Field != "rtsp_url" || !strings.Contains(r.Reason, "169.254.0.0/16") || strings.Contains(r.Reason, "Matkhau123") {
			t.Errorf("rejection %+v, want line 3, CG-0102, rtsp_url, the network", r)
		}

		geo, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{
			map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{106.46, 10.35}},
				"properties": map[string]any{"id": "CG-0103", "name": "Chợ", "rtsp_url": "rtsp://[fd00:ec2::254]/"}},
		}})
		out = e.importBody("/api/v1/cameras/import", "application/geo+json", geo, http.StatusOK)
		if out.Rejected != 1 || out.Rejections[0].Feature == nil || *out.Rejections[0].Feature != 0 || out.Rejections[0].Field != "rtsp_url" {
			t.Errorf("GeoJSON import: %+v", out)
		}
	})
}
