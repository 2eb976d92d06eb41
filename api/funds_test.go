package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry/registrytest"
)

// TestDonationConsentRoutes: consent is given at entry or later with
// PATCH {"public": ...}, which changes nothing else and is audited; a
// fundraiser or an admin may, other roles may not.
func TestDonationConsentRoutes(t *testing.T) {
	e := newDonationEnv(t)
	var d camera.Donation
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations", map[string]any{"donor": "Nguyễn Văn An", "amount_vnd": 500_000, "received_on": "2024-05-01", "camera_id": "CG-0001", "public": true}, http.StatusCreated, &d)
	if !d.Public {
		t.Errorf("a gift entered with public true answers %+v", d)
	}
	other := e.donate("Lê Thị Bình", 200_000, "2024-05-02", "", "song binh")
	if other.Public {
		t.Errorf("a gift is public by default: %+v", other)
	}
	var got camera.Donation
	e.doJSON(e.fundraiser(), "PATCH", "/api/v1/donations/"+other.ID, `{"public": true}`, http.StatusOK, &got)
	want := other
	want.Public = true
	if got != want {
		t.Errorf("PATCH public: %+v, want %+v", got, want)
	}
	e.doJSON(adminToken, "PATCH", "/api/v1/donations/"+other.ID, `{"public": false}`, http.StatusOK, &got)
	if got.Public {
		t.Errorf("withdrawal: %+v", got)
	}
	var audit struct {
		Items []struct {
			Action, Target string
			Changes        []string
		}
	}
	e.doJSON(adminToken, "GET", "/api/v1/audit?limit=2", nil, http.StatusOK, &audit)
	if len(audit.Items) != 2 || audit.Items[0].Action != "donation.public" || audit.Items[0].Target != other.ID || !slices.Equal(audit.Items[0].Changes, []string{"public: true → false"}) {
		t.Errorf("audit %+v", audit.Items)
	}
	for _, tt := range []struct {
		body, field string
	}{
		{`{"public": true, "amount_vnd": 1}`, "amount_vnd"},
		{`{"donor": "X"}`, "donor"},
		{`{}`, "public"},
		{`{"public": "yes"}`, "public"},
	} {
		if p := e.problem(e.fundraiser(), "PATCH", "/api/v1/donations/"+other.ID, tt.body, http.StatusBadRequest); p.Field != tt.field {
			t.Errorf("PATCH %s: field %q, want %q", tt.body, p.Field, tt.field)
		}
	}
	e.problem(e.fundraiser(), "PATCH", "/api/v1/donations/DN-0000404", `{"public": true}`, http.StatusNotFound)
	for _, r := range []camera.Role{camera.RolePolice, camera.RolePlanner} {
		e.problem(e.tokens[r], "PATCH", "/api/v1/donations/"+other.ID, `{"public": true}`, http.StatusForbidden)
	}
}

// importPreview is the answer of a dry run.
type importPreview struct {
	importOfDonations
	DryRun    bool `json:"dry_run"`
	RowsShown int  `json:"rows_shown"`
	Rows      []struct {
		Line       int
		Donor      string
		AmountVND  int64  `json:"amount_vnd"`
		ReceivedOn string `json:"received_on"`
		CameraID   string `json:"camera_id"`
		Commune    string
		Public     bool
	}
}

// TestImportDryRun: a dry run answers what the import would — the rows
// it would store, with their lines and communes, the rows it refuses and
// why, repeats of stored gifts among them — and stores nothing; the
// import that follows answers the same. An atomic dry run answers the
// atomic import's refusal.
func TestImportDryRun(t *testing.T) {
	e := newDonationEnv(t)
	stored := e.donate("Nguyễn Văn An", 500_000, "2024-05-01", "CG-0001", "")
	sheet := []byte("donor,amount_vnd,received_on,camera_id,commune,note,public\n" +
		"Nguyễn Văn An,500.000,01/05/2024,CG-0001,,,\n" + // the stored gift
		"Lê Thị Bình,200000,2024-05-02,,song binh,,có\n" +
		"Trần Văn Cường,4.5,2024-05-02,CG-0002,,,\n" + // decimals
		"Phạm Thị Dung,300000,2024-05-03,CG-0404,,,\n" + // no such camera
		"Hội Phụ nữ,1.000.000 ₫,2024-05-03,SB-0001,,,yes\n")
	dry := func(query string, want int) importPreview {
		t.Helper()
		st, raw, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import?dry_run=true"+query, "text/csv", bytes.NewReader(sheet))
		if st != want {
			t.Fatalf("dry run%s: %d, want %d: %s", query, st, want, raw)
		}
		var out importPreview
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	p := dry("", http.StatusOK)
	if !p.DryRun || p.Created != 2 || p.TotalVND != 1_200_000 || p.Rejected != 3 || p.Duplicates != 1 || p.RowsShown != 2 {
		t.Errorf("preview %+v", p)
	}
	if len(p.Rows) != 2 || p.Rows[0].Line != 3 || p.Rows[0].Commune != "Song Bình" || !p.Rows[0].Public || p.Rows[1].Line != 6 || p.Rows[1].AmountVND != 1_000_000 || p.Rows[1].Commune != "Song Bình" {
		t.Errorf("rows to store %+v", p.Rows)
	}
	var lines []string
	for _, r := range p.Rejections {
		lines = append(lines, strings.Join([]string{string(rune('0' + r.Line)), r.Field}, " "))
	}
	if want := []string{"2 ", "4 amount_vnd", "5 camera_id"}; !slices.Equal(lines, want) || !strings.Contains(p.Rejections[0].Reason, "repeats donation "+stored.ID) {
		t.Errorf("rejections %+v, want lines %v", p.Rejections, want)
	}
	var list struct{ Items []camera.Donation }
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations", nil, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d donations after a dry run, want the 1 stored before", len(list.Items))
	}
	// An atomic dry run refuses as the atomic import would.
	if st, _, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import?dry_run=true&atomic=true", "text/csv", bytes.NewReader(sheet)); st != http.StatusBadRequest {
		t.Errorf("atomic dry run: %d, want 400", st)
	}
	if st, _, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import?dry_run=maybe", "text/csv", bytes.NewReader(sheet)); st != http.StatusBadRequest {
		t.Errorf("dry_run=maybe: %d, want 400", st)
	}
	// With duplicates=allow the repeat would be stored.
	if p := dry("&duplicates=allow", http.StatusOK); p.Created != 3 || p.Duplicates != 0 {
		t.Errorf("preview allowing repeats %+v", p)
	}
	// The import answers as its preview did.
	real := e.importDonations("", sheet, http.StatusOK)
	if real.Created != p.Created || real.TotalVND != p.TotalVND || real.Rejected != p.Rejected || real.Duplicates != p.Duplicates {
		t.Errorf("import %+v after the preview %+v", real, p)
	}
	// Now the preview of the same sheet stores nothing more.
	if again := dry("", http.StatusOK); again.Created != 0 || again.Duplicates != 3 || len(again.Rows) != 0 {
		t.Errorf("preview of the sheet imported: %+v", again)
	}
	// A workbook previews as its CSV does.
	book := excelize.NewFile()
	for i, row := range [][]any{{"donor", "amount_vnd", "received_on", "camera_id", "public"}, {"Võ Văn Em", 700_000, "2024-05-04", "CG-0002", true}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := book.Write(&b); err != nil {
		t.Fatal(err)
	}
	st, raw, _ := e.do(e.fundraiser(), "POST", "/api/v1/donations/import?dry_run=true", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &b)
	var xp importPreview
	if err := json.Unmarshal(raw, &xp); st != http.StatusOK || err != nil || xp.Created != 1 || len(xp.Rows) != 1 || !xp.Rows[0].Public || xp.Rows[0].Commune != "Thị trấn Chợ Gạo" {
		t.Errorf("workbook preview: %d %s", st, raw)
	}
}

// fundingPage is a page of a funding view.
type fundingPage struct {
	Items []struct {
		Key        string
		Commune    string
		BalanceVND int64 `json:"balance_vnd"`
		DonatedVND int64 `json:"donated_vnd"`
	}
	Totals struct {
		DonatedVND int64 `json:"donated_vnd"`
		CostVND    int64 `json:"cost_vnd"`
		Cameras    int
	}
	NextCursor string `json:"next_cursor"`
}

// TestFundingSortFilter: funding views narrowed to a commune, filtered
// by text and sorted, a page at a time with the cursor.
func TestFundingSortFilter(t *testing.T) {
	e := newDonationEnv(t)
	e.donate("Nguyễn Văn An", 5_000_000, "2024-05-01", "CG-0001", "")
	e.donate("Lê Thị Bình", 1_000_000, "2024-05-01", "CG-0002", "")
	e.donate("Nguyễn Thị Cúc", 200_000, "2024-05-01", "SB-0001", "")
	e.donate("Hội Phụ nữ", 3_000_000, "2024-05-01", "", "song binh")
	get := func(query string) fundingPage {
		t.Helper()
		var p fundingPage
		e.doJSON(e.fundraiser(), "GET", "/api/v1/funding?"+query, nil, http.StatusOK, &p)
		return p
	}
	keys := func(p fundingPage) []string {
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Key)
		}
		return out
	}
	if p := get("group_by=camera&sort=balance_vnd"); !slices.Equal(keys(p), []string{"SB-0001", "CG-0002", "CG-0001"}) {
		t.Errorf("cameras by balance, most to fund first: %v", keys(p))
	}
	if p := get("group_by=camera&sort=-donated_vnd"); !slices.Equal(keys(p), []string{"CG-0001", "CG-0002", "SB-0001"}) {
		t.Errorf("cameras by gifts, largest first: %v", keys(p))
	}
	p := get("group_by=camera&commune=xa+song+binh")
	if !slices.Equal(keys(p), []string{"SB-0001"}) || p.Totals.DonatedVND != 3_200_000 || p.Totals.Cameras != 1 || p.Totals.CostVND != 4_500_000 {
		t.Errorf("the cameras of Song Bình: %v, totals %+v", keys(p), p.Totals)
	}
	if p := get("group_by=donor&q=nguyen&sort=-donated_vnd"); !slices.Equal(keys(p), []string{"Nguyễn Văn An", "Nguyễn Thị Cúc"}) || p.Totals.DonatedVND != 9_200_000 {
		t.Errorf("donors named Nguyễn: %v, totals %+v (the view's)", keys(p), p.Totals)
	}
	if p := get("group_by=donor&commune=song+binh"); !slices.Equal(keys(p), []string{"Hội Phụ nữ", "Nguyễn Thị Cúc"}) {
		t.Errorf("donors of Song Bình: %v", keys(p))
	}
	// Pages of a sorted view follow each other.
	first := get("group_by=camera&sort=-balance_vnd&limit=2")
	second := get("group_by=camera&sort=-balance_vnd&limit=2&cursor=" + first.NextCursor)
	if got := append(keys(first), keys(second)...); !slices.Equal(got, []string{"CG-0001", "CG-0002", "SB-0001"}) || second.NextCursor != "" {
		t.Errorf("pages by balance: %v then %q", got, second.NextCursor)
	}
	if p := e.problem(e.fundraiser(), "GET", "/api/v1/funding?group_by=donor&sort=cost_vnd", nil, http.StatusBadRequest); p.Field != "sort" {
		t.Errorf("a donor view by cost: %+v", p)
	}
	// The files take the same parameters.
	_, csv, _ := e.do(e.fundraiser(), "GET", "/api/v1/funding?group_by=camera&format=csv&commune=song+binh", "", nil)
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "SB-0001,") {
		t.Errorf("CSV of Song Bình's cameras:\n%s", csv)
	}
}

// TestDonationSeriesRoute: the money given by month or year, per
// commune and in all, without gaps.
func TestDonationSeriesRoute(t *testing.T) {
	e := newDonationEnv(t)
	e.donate("An", 100, "2023-11-20", "CG-0001", "")
	e.donate("Bình", 200, "2024-01-05", "CG-0002", "")
	e.donate("Cúc", 400, "2024-01-30", "", "song binh")
	type series struct {
		Interval string
		Periods  []string
		Series   []struct {
			Commune    string
			DonatedVND []int64 `json:"donated_vnd"`
			Donations  []int
		}
		Total struct {
			DonatedVND []int64 `json:"donated_vnd"`
		}
	}
	var s series
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations/series", nil, http.StatusOK, &s)
	if s.Interval != "month" || !slices.Equal(s.Periods, []string{"2023-11", "2023-12", "2024-01"}) || len(s.Series) != 2 ||
		s.Series[0].Commune != "Song Bình" || !slices.Equal(s.Series[0].DonatedVND, []int64{0, 0, 400}) ||
		s.Series[1].Commune != "Thị trấn Chợ Gạo" || !slices.Equal(s.Series[1].DonatedVND, []int64{100, 0, 200}) ||
		!slices.Equal(s.Total.DonatedVND, []int64{100, 0, 600}) {
		t.Errorf("by month: %+v", s)
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations/series?interval=year&commune=tt+cho+gao&from=2022-06-01", nil, http.StatusOK, &s)
	if !slices.Equal(s.Periods, []string{"2022", "2023", "2024"}) || len(s.Series) != 1 || !slices.Equal(s.Series[0].DonatedVND, []int64{0, 100, 200}) || !slices.Equal(s.Series[0].Donations, []int{0, 1, 1}) {
		t.Errorf("Chợ Gạo by year from 2022: %+v", s)
	}
	e.doJSON(e.fundraiser(), "GET", "/api/v1/donations/series?commune=hoa+dinh", nil, http.StatusOK, &s)
	if len(s.Periods) != 0 || len(s.Series) != 0 {
		t.Errorf("a commune without gifts: %+v", s)
	}
	for q, field := range map[string]string{"interval=week": "interval", "from=2024-13-01": "from", "donor=x": "donor"} {
		if p := e.problem(e.fundraiser(), "GET", "/api/v1/donations/series?"+q, nil, http.StatusBadRequest); p.Field != field {
			t.Errorf("%s: field %q, want %q", q, p.Field, field)
		}
	}
	e.problem(e.tokens[camera.RolePolice], "GET", "/api/v1/donations/series", nil, http.StatusForbidden)
}

// statementJSON is the open statement, decoded loosely: every member it
// has, to check that it has no other.
type statementJSON map[string]any

// TestPublicStatementRoutes: an admin publishes a commune; anyone reads
// its statement without credentials, with the names of the donors who
// consented and no one else's, no note, ref or who recorded a gift; its
// consent changes show at once; unpublished, it is gone.
func TestPublicStatementRoutes(t *testing.T) {
	e := newDonationEnv(t)
	var named, anon camera.Donation
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations", map[string]any{"donor": "Công ty Hưng Phước", "amount_vnd": 3_000_000, "received_on": "2024-04-01", "camera_id": "SB-0001", "public": true, "note": "ghi chú nội bộ", "ref": "FT-BI-MAT"}, http.StatusCreated, &named)
	e.doJSON(e.fundraiser(), "POST", "/api/v1/donations", map[string]any{"donor": "Lê Thị Bình", "amount_vnd": 500_000, "received_on": "2024-04-02", "commune": "song binh"}, http.StatusCreated, &anon)
	e.donate("Nguyễn Văn An", 800_000, "2024-04-03", "CG-0001", "") // another commune

	e.problem(e.fundraiser(), "PUT", "/api/v1/statements/song%20binh", nil, http.StatusForbidden)
	var pub struct {
		Commune, Slug, Path string
	}
	e.doJSON(adminToken, "PUT", "/api/v1/statements/song%20binh", nil, http.StatusCreated, &pub)
	if pub.Commune != "Song Bình" || pub.Slug != "song-binh" || pub.Path != "/cong-khai/song-binh" {
		t.Errorf("published %+v", pub)
	}
	e.doJSON(adminToken, "PUT", "/api/v1/statements/Song%20B%C3%ACnh", nil, http.StatusOK, nil)
	if p := e.problem(adminToken, "PUT", "/api/v1/statements/My%20Tho", nil, http.StatusBadRequest); p.Field != "commune" {
		t.Errorf("publishing a commune without cameras: %+v", p)
	}
	var list struct{ Items []struct{ Slug string } }
	e.doJSON(e.fundraiser(), "GET", "/api/v1/statements", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Slug != "song-binh" {
		t.Errorf("publications %+v", list)
	}
	e.problem(e.tokens[camera.RolePolice], "GET", "/api/v1/statements", nil, http.StatusForbidden)

	read := func(token string) (int, statementJSON, []byte) {
		t.Helper()
		st, raw, h := e.do(token, "GET", "/api/v1/public/statements/song-binh", "", nil)
		var out statementJSON
		if st == http.StatusOK {
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(h.Get("Cache-Control"), "max-age=60") {
				t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
			}
		}
		return st, out, raw
	}
	st, out, raw := read("")
	if st != http.StatusOK {
		t.Fatalf("the statement without credentials: %d %s", st, raw)
	}
	// Credentials sent along are not even read.
	if st, _, _ := read("not-a-token"); st != http.StatusOK {
		t.Errorf("the statement with a wrong token: %d, want 200", st)
	}
	var members []string
	for k := range out {
		members = append(members, k)
	}
	sort.Strings(members)
	if want := []string{"balance_vnd", "cameras", "commune", "donations", "donors", "gifts", "pool_vnd", "published_at", "received_vnd", "slug", "spent_vnd", "uptime_from", "uptime_to"}; !slices.Equal(members, want) {
		t.Errorf("statement members %v, want %v", members, want)
	}
	for _, secret := range []string{"ghi chú", "FT-BI-MAT", "Lê Thị Bình", "Nguyễn Văn An", "rtsp", "Matkhau", "192.0.2", "fund", "created"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the statement holds %q:\n%s", secret, raw)
		}
	}
	if !strings.Contains(string(raw), "Công ty Hưng Phước") {
		t.Errorf("the consented donor is not named:\n%s", raw)
	}
	if out["received_vnd"] != float64(3_500_000) || out["spent_vnd"] != float64(4_500_000) || out["balance_vnd"] != float64(-1_000_000) || out["donors"] != float64(2) {
		t.Errorf("money of Song Bình: %s", raw)
	}
	cams := out["cameras"].([]any)
	if len(cams) != 1 {
		t.Fatalf("cameras %v", cams)
	}
	var camMembers []string
	for k := range cams[0].(map[string]any) {
		camMembers = append(camMembers, k)
	}
	sort.Strings(camMembers)
	if want := []string{"cost_vnd", "donated_vnd", "id", "name", "uptime"}; !slices.Equal(camMembers, want) {
		t.Errorf("camera members %v, want %v", camMembers, want)
	}
	gifts := out["gifts"].([]any)
	if len(gifts) != 2 || gifts[0].(map[string]any)["donor"] != "Công ty Hưng Phước" || gifts[1].(map[string]any)["donor"] != nil {
		t.Errorf("gifts %v", gifts)
	}

	// Consent given now shows now, not in a minute.
	e.doJSON(e.fundraiser(), "PATCH", "/api/v1/donations/"+anon.ID, `{"public": true}`, http.StatusOK, nil)
	if _, _, raw := read(""); !strings.Contains(string(raw), "Lê Thị Bình") {
		t.Errorf("consent given: the statement still hides the name:\n%s", raw)
	}
	e.doJSON(e.fundraiser(), "PATCH", "/api/v1/donations/"+anon.ID, `{"public": false}`, http.StatusOK, nil)
	if _, _, raw := read(""); strings.Contains(string(raw), "Lê Thị Bình") {
		t.Errorf("consent withdrawn: the statement still names the donor:\n%s", raw)
	}
	for _, path := range []string{"/api/v1/public/statements/cho-gao", "/api/v1/public/statements/song-binh?x=1", "/api/v1/public/statements/", "/api/v1/public/statements"} {
		if st, _, _ := e.do("", "GET", path, "", nil); st != http.StatusNotFound && st != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404 or 400", path, st)
		}
	}
	e.problem(e.fundraiser(), "DELETE", "/api/v1/statements/song-binh", nil, http.StatusForbidden)
	e.doJSON(adminToken, "DELETE", "/api/v1/statements/song-binh", nil, http.StatusOK, nil)
	if st, _, _ := read(""); st != http.StatusNotFound {
		t.Errorf("the statement after unpublishing: %d, want 404", st)
	}
	e.problem(adminToken, "DELETE", "/api/v1/statements/song-binh", nil, http.StatusNotFound)
}

// TestOnlyTheStatementIsOpen: every route under /api/v1 and /tiles of a
// server with every part mounted answers 401 without credentials, but
// sign-in, the public statement and the API's description.
func TestOnlyTheStatementIsOpen(t *testing.T) {
	store := registrytest.Open(t)
	// A limit of failures that sixty requests without credentials do not
	// reach: each must be refused for what it is, not throttled.
	a := mustNew(t, api.Options{Store: store, Capabilities: allCapabilities(store), Registry: prometheus.NewRegistry(), AdminToken: adminToken, Geo: geo.NewIndex(), AuthFailureLimit: 1000})
	a.SetReady(true)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	engine, isGin := a.Handler().(*gin.Engine)
	if !isGin {
		t.Fatalf("the handler is a %T", a.Handler())
	}
	open := map[string]bool{"POST /api/v1/session": true, "GET /api/v1/public/statements/:slug": true, "GET /api/v1/openapi.json": true}
	checked := 0
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && !strings.HasPrefix(r.Path, "/tiles/") {
			continue
		}
		if open[r.Method+" "+r.Path] {
			delete(open, r.Method+" "+r.Path)
			continue
		}
		path := r.Path
		for _, p := range []string{":id", ":name", ":commune", ":slug", ":z", ":x", ":y"} {
			path = strings.ReplaceAll(path, p, "1")
		}
		req, _ := http.NewRequest(r.Method, srv.URL+path, strings.NewReader("{}"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials: %d, want 401", r.Method, path, res.StatusCode)
		}
		checked++
	}
	if len(open) != 0 || checked < 50 {
		t.Errorf("routes not mounted: %v; %d routes checked", open, checked)
	}
}
