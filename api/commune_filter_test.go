package api_test

import (
	"net/url"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestCommuneFilterPrefix: commune= finds a commune the way people write
// it — without accents, without "Thị trấn", or with a "Xã" the stored
// name lacks — on every list that takes it. The sample district stores
// its town as "Thị trấn Chợ Gạo" and its communes without "Xã".
func TestCommuneFilterPrefix(t *testing.T) {
	e, _ := newGeoEnv(t)
	tok := adminToken
	want := map[string]int{}
	for _, c := range sampleCameras(t) {
		want[c.Commune]++
	}
	if want["Thị trấn Chợ Gạo"] == 0 || want["Song Bình"] == 0 {
		t.Fatalf("the sample lacks the communes of this test: %v", want)
	}
	// Two gifts in the town (one to a camera, one to its pool), one
	// elsewhere.
	var town, other string
	for _, c := range sampleCameras(t) {
		switch {
		case town == "" && c.Commune == "Thị trấn Chợ Gạo":
			town = c.ID
		case other == "" && c.Commune == "Song Bình":
			other = c.ID
		}
	}
	e.tokens[camera.RoleFundraiser] = e.tokens[camera.RoleAdmin]
	e.donate("Nguyễn Văn An", 500_000, "2024-05-01", town, "")
	e.donate("Hội Phụ nữ", 2_000_000, "2024-05-02", "", "Thị trấn Chợ Gạo")
	e.donate("Trần Thị Bé", 300_000, "2024-05-03", other, "")

	tests := []struct {
		filter, commune string
		donations       int
	}{
		{"cho gao", "Thị trấn Chợ Gạo", 2},
		{"Chợ Gạo", "Thị trấn Chợ Gạo", 2},
		{"thi tran cho gao", "Thị trấn Chợ Gạo", 2},
		{"TT. Chợ Gạo", "Thị trấn Chợ Gạo", 2},
		{"Xã Song Bình", "Song Bình", 1},
		{"xa song binh", "Song Bình", 1},
		{"song binh", "Song Bình", 1},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e := e.on(t)
			q := "commune=" + url.QueryEscape(tt.filter)
			var cams struct {
				Items []struct{ ID, Commune string }
			}
			e.doJSON(tok, "GET", "/api/v1/cameras?limit=1000&"+q, nil, 200, &cams)
			if len(cams.Items) != want[tt.commune] {
				t.Errorf("cameras: %d, want the %d of %s", len(cams.Items), want[tt.commune], tt.commune)
			}
			for _, c := range cams.Items {
				if c.Commune != tt.commune {
					t.Errorf("cameras: %s is in %s", c.ID, c.Commune)
				}
			}
			var health struct{ Items []struct{ Commune string } }
			e.doJSON(tok, "GET", "/api/v1/health?limit=1000&"+q, nil, 200, &health)
			if len(health.Items) != want[tt.commune] {
				t.Errorf("health: %d, want %d", len(health.Items), want[tt.commune])
			}
			var gifts struct{ Items []struct{ Commune string } }
			e.doJSON(tok, "GET", "/api/v1/donations?"+q, nil, 200, &gifts)
			if len(gifts.Items) != tt.donations {
				t.Errorf("donations: %d, want %d", len(gifts.Items), tt.donations)
			}
			var cov, exact struct{ Intersections, Covered int }
			e.doJSON(tok, "GET", "/api/v1/coverage?"+q, nil, 200, &cov)
			e.doJSON(tok, "GET", "/api/v1/coverage?commune="+url.QueryEscape(tt.commune), nil, 200, &exact)
			if cov.Intersections == 0 || cov != exact {
				t.Errorf("coverage: %+v, want that of %s: %+v", cov, tt.commune, exact)
			}
			var near struct{ Items []struct{ Commune string } }
			e.doJSON(tok, "GET", "/api/v1/cameras/near?lat=10.35&lon=106.46&radius_m=50000&limit=1000&"+q, nil, 200, &near)
			if len(near.Items) != want[tt.commune] {
				t.Errorf("near: %d, want %d", len(near.Items), want[tt.commune])
			}
		})
	}
	// A filter that names no commune answers empty lists, not an error.
	for _, path := range []string{"/api/v1/cameras", "/api/v1/health", "/api/v1/donations"} {
		var page struct{ Items []any }
		e.doJSON(tok, "GET", path+"?commune=cho", nil, 200, &page)
		if len(page.Items) != 0 {
			t.Errorf("%s?commune=cho: %d items, want none (no partial names)", path, len(page.Items))
		}
	}
}
