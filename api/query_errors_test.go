package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestQueryParamErrors: a part of a query the store refuses is answered
// as a problem naming the query parameter that carried it, with the
// store's message after the parameter's name.
func TestQueryParamErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		role  camera.Role
		path  string
		field string
		says  string
	}{
		{camera.RoleFundraiser, "/api/v1/funding?group_by=planet", "group_by", "must be camera, commune or donor"},
		{camera.RoleFundraiser, "/api/v1/funding?group_by=donor&sort=cost_vnd", "sort", "must be one of key, donated_vnd"},
		{camera.RoleFundraiser, "/api/v1/funding?group_by=camera&cursor=XX-9999", "cursor", "is not a key of this view"},
		{camera.RoleFundraiser, "/api/v1/donations?cursor=!!", "cursor", "is not a cursor this list returned"},
		{camera.RoleFundraiser, "/api/v1/donations?from=2024-13-01", "from", "must be a date YYYY-MM-DD"},
		{camera.RoleFundraiser, "/api/v1/donations?to=yesterday", "to", "must be a date YYYY-MM-DD"},
		{camera.RoleFundraiser, "/api/v1/donations?from=2024-02-01&to=2024-01-01", "to", "must not be before from"},
		{camera.RolePolice, "/api/v1/incidents?camera_id=a%2Fb", "camera_id", ""},
		{camera.RolePolice, "/api/v1/incidents?from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to", "must be after from"},
		{camera.RolePolice, "/api/v1/incidents?lat=10&lon=106&radius_m=600000", "radius_m", "at most 500000 metres"},
		{camera.RolePolice, "/api/v1/incidents?cursor=!!", "cursor", "is not a cursor of this list"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := e.on(t).problem(e.tokens[tt.role], http.MethodGet, tt.path, nil, http.StatusBadRequest)
			if p.Field != tt.field || !strings.HasPrefix(p.Detail, tt.field+": ") || !strings.Contains(p.Detail, tt.says) {
				t.Errorf("field %q, detail %q; want field %q and a detail %q…%q", p.Field, p.Detail, tt.field, tt.field+": ", tt.says)
			}
		})
	}
}
