package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
)

// tipEnv is a server with tips, sealing to a key the test keeps.
type tipEnv struct {
	*incEnv
	chief *age.X25519Identity
}

func newTipEnv(t *testing.T) *tipEnv {
	t.Helper()
	sealer, chief := newTestSealerWithKey(t)
	e := newIncidentEnvWith(t, func(o *api.Options) {
		o.Geo = geo.NewIndex()
		o.Tips, o.TipSealer = o.Store.(api.TipStore), sealer
	})
	return &tipEnv{incEnv: e, chief: chief}
}

// tipJSON is a valid tip at a point, with an informant.
func tipJSON() map[string]any {
	return map[string]any{
		"received_at": t0.Format(time.RFC3339), "channel": "hotline", "lat": 10.3541, "lon": 106.4612,
		"category": "drugs", "summary": "có người tụ tập sử dụng ma túy ở bãi đất trống sau chợ",
		"informant": map[string]any{"name": "Trần Văn Bảo Mật", "phone": "0912 345 678", "address": "ấp Bình Thạnh"},
	}
}

func TestTipRoundTrip(t *testing.T) {
	e := newTipEnv(t)
	police := e.police()
	e.addCamera("CG-T-1", 10.3541, 106.4612, "")
	e.setHealth("CG-T-1", camera.StateUp, camera.ReasonOK, t0.Add(-time.Hour))

	var tip camera.Tip
	raw := e.doJSON(police, "POST", "/api/v1/tips", tipJSON(), http.StatusCreated, &tip)
	if strings.Contains(string(raw), "Bảo Mật") || strings.Contains(string(raw), "345") {
		t.Fatalf("the answer holds the informant: %s", raw)
	}
	if !tip.Informant || tip.Outcome != camera.OutcomePending || !strings.HasPrefix(tip.ID, "TIP-") {
		t.Errorf("created %+v", tip)
	}

	// The outcome, linked to an incident.
	in := e.createIncident(incidentJSON("CG-T-1", t0))
	var upd camera.Tip
	e.doJSON(police, "PATCH", "/api/v1/tips/"+tip.ID, map[string]any{"outcome": "criminal", "people": 3, "incident_ids": []string{in.ID}}, http.StatusOK, &upd)
	if upd.Outcome != camera.OutcomeCriminal || upd.People != 3 || len(upd.IncidentIDs) != 1 {
		t.Errorf("patched %+v", upd)
	}
	var pg struct{ Items []camera.Tip }
	e.doJSON(police, "GET", "/api/v1/tips?incident_id="+in.ID, nil, http.StatusOK, &pg)
	if len(pg.Items) != 1 || pg.Items[0].ID != tip.ID {
		t.Errorf("tips of the incident: %+v", pg.Items)
	}

	// The cameras that could have seen it, and their state then.
	var seen struct {
		At    time.Time
		Items []struct {
			ID    string
			State camera.HealthState
		}
	}
	e.doJSON(police, "GET", "/api/v1/tips/"+tip.ID+"/seeing", nil, http.StatusOK, &seen)
	if len(seen.Items) != 1 || seen.Items[0].ID != "CG-T-1" || seen.Items[0].State != camera.StateUp || !seen.At.Equal(t0) {
		t.Errorf("seeing: %+v", seen)
	}

	// The sealed informant opens with the chief's key only.
	var sealed struct{ Ciphertext string }
	e.doJSON(police, "POST", "/api/v1/tips/"+tip.ID+"/informant", map[string]any{"reason": "xác minh nguồn tin vụ ma túy"}, http.StatusOK, &sealed)
	bin, err := informant.Dearmor(sealed.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	who, err := informant.Open(bin, e.chief)
	if err != nil || who.Name != "Trần Văn Bảo Mật" || who.Phone != "0912 345 678" {
		t.Errorf("opened %+v, %v", who, err)
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := informant.Open(bin, other); !errors.Is(err, informant.ErrWrongIdentity) {
		t.Errorf("another key: %v", err)
	}

	// Every read is in the audit log, the reason with the informant's.
	got := strings.Join(e.auditActions("action=tip.*"), "\n")
	for _, want := range []string{"tip.create " + tip.ID, "tip.update " + tip.ID, "tip.list 1 tips", "tip.read " + tip.ID, "tip.informant " + tip.ID} {
		if !strings.Contains(got, want) {
			t.Errorf("audit has no %q:\n%s", want, got)
		}
	}
	var entries struct{ Items []registry.AuditEntry }
	e.doJSON(adminToken, "GET", "/api/v1/audit?action=tip.informant", nil, http.StatusOK, &entries)
	if len(entries.Items) != 1 || entries.Items[0].Changes[0] != "reason: xác minh nguồn tin vụ ma túy" || entries.Items[0].Actor.Role != camera.RolePolice {
		t.Errorf("informant audit entries %+v", entries.Items)
	}
}

func TestTipRoles(t *testing.T) {
	e := newTipEnv(t)
	var tip camera.Tip
	e.doJSON(e.police(), "POST", "/api/v1/tips", tipJSON(), http.StatusCreated, &tip)
	for _, r := range []camera.Role{camera.RolePlanner, camera.RoleFundraiser} {
		tok := e.tokens[r]
		for _, path := range []string{"/api/v1/tips", "/api/v1/tips/" + tip.ID, "/api/v1/tips/" + tip.ID + "/seeing"} {
			e.problem(tok, "GET", path, nil, http.StatusForbidden)
		}
		e.problem(tok, "POST", "/api/v1/tips/"+tip.ID+"/informant", map[string]any{"reason": "tò mò"}, http.StatusForbidden)
		var c registry.TipCounts
		e.doJSON(tok, "GET", "/api/v1/tips/counts", nil, http.StatusOK, &c)
		if c.Tips != 1 || c.ByOutcome[4].Outcome != camera.OutcomePending || c.ByOutcome[4].Tips != 1 {
			t.Errorf("%s counts %+v", r, c)
		}
	}
}

// TestTipBadInput: every refusal names its field, never quotes an
// informant's detail, and stores nothing.
func TestTipBadInput(t *testing.T) {
	e := newTipEnv(t)
	police := e.police()
	with := func(edit func(map[string]any)) map[string]any {
		v := tipJSON()
		edit(v)
		return v
	}
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"no time", with(func(v map[string]any) { delete(v, "received_at") }), "received_at"},
		{"no offset", with(func(v map[string]any) { v["received_at"] = "2026-11-24 21:40" }), "received_at"},
		{"channel", with(func(v map[string]any) { v["channel"] = "fax" }), "channel"},
		{"no place", with(func(v map[string]any) { delete(v, "lat"); delete(v, "lon") }), "commune"},
		{"half a point", with(func(v map[string]any) { delete(v, "lon") }), "lon"},
		{"category", with(func(v map[string]any) { v["category"] = "gossip" }), "category"},
		{"no summary", with(func(v map[string]any) { delete(v, "summary") }), "summary"},
		{"people when pending", with(func(v map[string]any) { v["people"] = 2 }), "people"},
		{"missing incident", with(func(v map[string]any) { v["incident_ids"] = []string{"INC-NONE"} }), "incident_ids"},
		{"empty informant", with(func(v map[string]any) { v["informant"] = map[string]any{} }), "informant"},
		{"phone too long", with(func(v map[string]any) {
			v["informant"] = map[string]any{"name": "Trần Văn Bảo Mật", "phone": strings.Repeat("0912 345 678 ", 5)}
		}), "informant.phone"},
		{"phone a number", with(func(v map[string]any) { v["informant"] = map[string]any{"phone": 912345678} }), "informant.phone"},
		{"unknown informant field", with(func(v map[string]any) { v["informant"] = map[string]any{"cmnd": "0912345678"} }), "cmnd"},
		{"not json", `{"informant": {"name": "Trần Văn Bảo Mật"`, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.on(t).problem(police, "POST", "/api/v1/tips", tc.body, http.StatusBadRequest)
			if p.Field != tc.field {
				t.Errorf("field %q (%s), want %q", p.Field, p.Detail, tc.field)
			}
			for _, secret := range []string{"Bảo Mật", "345", "912345678"} {
				if strings.Contains(p.Detail, secret) {
					t.Errorf("the problem quotes the informant: %s", p.Detail)
				}
			}
		})
	}
	var pg struct{ Items []camera.Tip }
	e.doJSON(police, "GET", "/api/v1/tips", nil, http.StatusOK, &pg)
	if len(pg.Items) != 0 {
		t.Errorf("%d tips stored by refused requests", len(pg.Items))
	}

	var tip camera.Tip
	e.doJSON(police, "POST", "/api/v1/tips", tipJSON(), http.StatusCreated, &tip)
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"informant in a patch", "PATCH", "/api/v1/tips/" + tip.ID, map[string]any{"informant": map[string]any{"name": "khác"}}, 400, "informant"},
		{"outcome", "PATCH", "/api/v1/tips/" + tip.ID, map[string]any{"outcome": "solved"}, 400, "outcome"},
		{"id", "PATCH", "/api/v1/tips/" + tip.ID, map[string]any{"id": "TIP-OTHER"}, 400, "id"},
		{"no reason", "POST", "/api/v1/tips/" + tip.ID + "/informant", map[string]any{}, 400, "reason"},
		{"blank reason", "POST", "/api/v1/tips/" + tip.ID + "/informant", map[string]any{"reason": "   "}, 400, "reason"},
		{"no tip", "POST", "/api/v1/tips/TIP-NONE/informant", map[string]any{"reason": "xác minh"}, 404, "id"},
		{"list channel", "GET", "/api/v1/tips?channel=fax", nil, 400, "channel"},
		{"list radius", "GET", "/api/v1/tips?lat=10.3&lon=106.4", nil, 400, "radius_m"},
		{"list cursor", "GET", "/api/v1/tips?cursor=abc", nil, 400, "cursor"},
		{"list typo", "GET", "/api/v1/tips?comune=x", nil, 400, "comune"},
		{"counts window", "GET", "/api/v1/tips/counts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", nil, 400, "to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.on(t).problem(police, tc.method, tc.path, tc.body, tc.status)
			if p.Field != tc.field {
				t.Errorf("field %q (%s), want %q", p.Field, p.Detail, tc.field)
			}
		})
	}
	var got camera.Tip
	e.doJSON(police, "GET", "/api/v1/tips/"+tip.ID, nil, http.StatusOK, &got)
	if got.Outcome != camera.OutcomePending || !got.Informant {
		t.Errorf("after refused patches: %+v", got)
	}
	// No reason given, no audit entry: only the refused ones were tried.
	if a := e.auditActions("action=tip.informant"); len(a) != 0 {
		t.Errorf("informant fetched without a reason: %v", a)
	}
}

// TestTipWithoutPoint: a tip placed by commune and description is kept;
// the cameras that could have seen it are unknown (400 naming lat).
func TestTipWithoutPoint(t *testing.T) {
	e := newTipEnv(t)
	v := tipJSON()
	delete(v, "lat")
	delete(v, "lon")
	delete(v, "informant")
	v["commune"], v["place"] = "Song Bình", "bến đò Song Bình, bờ bên kia"
	var tip camera.Tip
	e.doJSON(e.police(), "POST", "/api/v1/tips", v, http.StatusCreated, &tip)
	if tip.Informant || tip.HasPlace() {
		t.Errorf("created %+v", tip)
	}
	if p := e.problem(e.police(), "GET", "/api/v1/tips/"+tip.ID+"/seeing", nil, http.StatusBadRequest); p.Field != "lat" {
		t.Errorf("seeing without a point: %+v", p)
	}
	if p := e.problem(e.police(), "POST", "/api/v1/tips/"+tip.ID+"/informant", map[string]any{"reason": "xác minh"}, http.StatusNotFound); !strings.Contains(p.Detail, "no informant") {
		t.Errorf("anonymous tip's informant: %+v", p)
	}
}

// TestTipsNeedASealer: a server cannot be built to store tips without
// sealing their informants.
func TestTipsNeedASealer(t *testing.T) {
	store := newTipEnv(t).store
	_, err := api.New(api.Options{Store: store, Capabilities: allCapabilities(store), Tips: store})
	if err == nil || !strings.Contains(err.Error(), "TipSealer") {
		t.Errorf("New without a sealer: %v", err)
	}
}

// TestTipsInSummary: the district summary carries the tips table, in its
// JSON and its workbook.
func TestTipsInSummary(t *testing.T) {
	e := newTipEnv(t)
	for _, v := range []map[string]any{
		{"outcome": "criminal", "people": 2}, {"outcome": "administrative", "people": 3}, {"outcome": "unfounded"}, {},
	} {
		body := tipJSON()
		for k, x := range v {
			body[k] = x
		}
		e.doJSON(e.police(), "POST", "/api/v1/tips", body, http.StatusCreated, nil)
	}
	var sum struct {
		Tips *struct {
			Tips, People int
			ByOutcome    []registry.TipOutcomeCount `json:"by_outcome"`
		}
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/reports/summary", nil, http.StatusOK, &sum)
	if sum.Tips == nil || sum.Tips.Tips != 4 || sum.Tips.People != 5 || sum.Tips.ByOutcome[0] != (registry.TipOutcomeCount{Outcome: camera.OutcomeCriminal, Tips: 1, People: 2}) {
		t.Errorf("summary tips %+v", sum.Tips)
	}
	f := e.getXLSX(e.fundraiser(), "/api/v1/reports/summary?format=xlsx", "summary.xlsx")
	s := openSheet(t, f, "tips", []string{"outcome", "tips", "people"})
	if len(s.rows) != 1+5+1 || s.text(7, "outcome") != "total" || s.number(7, "tips", "#,##0") != 4 || s.number(2, "people", "#,##0") != 2 {
		t.Errorf("tips sheet %v", s.rows)
	}
}
