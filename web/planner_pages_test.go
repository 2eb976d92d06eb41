package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// The planners' pages open to the roles of the routes they read (admin,
// police, planner) and are in their navigation, in Vietnamese; a
// fundraiser is answered 403 and does not see them.
func TestPlannerPagesByRole(t *testing.T) {
	pages := map[string]string{"/gaps": "Vùng trống", "/coverage": "Độ phủ nút giao", "/suggest": "Gợi ý vị trí lắp camera", "/layers": "Lớp bản đồ"}
	for _, role := range camera.Roles {
		t.Run(string(role), func(t *testing.T) {
			srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
			may := role != camera.RoleFundraiser
			// The section's entry leads to /gaps, whose tabs lead to the
			// others.
			_, section := get(t, srv.URL+"/gaps")
			for p, heading := range pages {
				res, body := get(t, srv.URL+p)
				switch {
				case may && (res.StatusCode != http.StatusOK || !strings.Contains(body, heading)):
					t.Errorf("GET %s: %d, want the page (%s)", p, res.StatusCode, heading)
				case !may && (res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Không có quyền truy cập")):
					t.Errorf("GET %s: %d, want 403 in Vietnamese", p, res.StatusCode)
				}
				if linked := strings.Contains(section, `href="`+p+`"`); linked != may {
					t.Errorf("the navigation and tabs of %s link %s: %v", role, p, linked)
				}
			}
		})
	}
}
