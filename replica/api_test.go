package replica_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/replica"
)

// The replicated store is everything the API needs of a store.
var (
	_ api.Store          = (*replica.Store)(nil)
	_ api.HealthStore    = (*replica.Store)(nil)
	_ api.StatesAtStore  = (*replica.Store)(nil)
	_ api.UptimeStore    = (*replica.Store)(nil)
	_ api.CostStore      = (*replica.Store)(nil)
	_ api.LayerStore     = (*replica.Store)(nil)
	_ api.IncidentStore  = (*replica.Store)(nil)
	_ api.DonationStore  = (*replica.Store)(nil)
	_ api.StatementStore = (*replica.Store)(nil)
	_ api.SessionStore   = (*replica.Store)(nil)
	_ api.UserStore      = (*replica.Store)(nil)
)

const adminToken = "mt_test-admin-token-of-the-cluster-tests"

// serve starts the real API of n's replicated store.
func serve(t testing.TB, n *node) *httptest.Server {
	t.Helper()
	st := n.st
	srv, err := api.New(api.Options{
		Store: st,
		Capabilities: api.Capabilities{
			Health: st, History: st, Uptime: st, Costs: st, Layers: st,
			Incidents: st, Donations: st, Statements: st, Sessions: st, Users: st,
		},
		Registry:   prometheus.NewRegistry(),
		AdminToken: adminToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs
}

// post sends body to url as the admin and returns the status and body.
func post(t testing.TB, url, contentType string, body []byte) (int, []byte) {
	t.Helper()
	st, out, err := send(ctxT(t), url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	return st, out
}

// send is post for any goroutine: it returns its error.
func send(ctx context.Context, url, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func cameraBody(t testing.TB, id string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": id, "name": "Ngã tư Chợ Gạo", "lat": 10.3541, "lon": 106.4612,
		"commune": "Thị trấn Chợ Gạo", "district": "Chợ Gạo", "province": "Tiền Giang",
		"road_class": "national", "site": "intersection", "direction_deg": 45, "fov_deg": 90, "range_m": 60,
		"rtsp_url": "rtsp://admin:Matkhau123@192.0.2.10:554/Streaming/Channels/101", "installed_on": "2022-03-15", "cost_vnd": 4500000,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The API on two nodes: the same new camera posted to A and then to B is
// 201 then 409; posted to both at once, one of each.
func TestAPICreateConflictAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := serve(t, nodes[0]), serve(t, nodes[1])
	if st, body := post(t, a.URL+"/api/v1/cameras", "application/json", cameraBody(t, "CG-0001")); st != http.StatusCreated {
		t.Fatalf("POST on A: %d %s", st, body)
	}
	st, body := post(t, b.URL+"/api/v1/cameras", "application/json", cameraBody(t, "CG-0001"))
	if st != http.StatusConflict || !strings.Contains(string(body), "already exists") {
		t.Errorf("POST on B: %d %s, want 409", st, body)
	}

	statuses := make([]int, 2)
	errs := make([]error, 2)
	body2 := cameraBody(t, "CG-0002")
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for i, hs := range []*httptest.Server{a, b} {
		wg.Go(func() { statuses[i], _, errs[i] = send(ctx, hs.URL+"/api/v1/cameras", "application/json", body2) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !(statuses[0] == 201 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 201) {
		t.Errorf("at once: %v, want one 201 and one 409", statuses)
	}
	checkEqual(t, nodes...)
}

// A 1,000-row import with bad rows: the node that takes it answers the
// rows it rejected and the counts; the same file on the other node gives
// the same rejections and finds every camera stored; both nodes agree.
func TestAPIImportAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 2)
	a, b := serve(t, nodes[0]), serve(t, nodes[1])
	var csv strings.Builder
	csv.WriteString("id,name,lat,lon,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd\n")
	bad := 0
	for i := range 1000 {
		lat := "10.35"
		if i%97 == 5 {
			lat = "91.5" // out of range: rejected
			bad++
		}
		fmt.Fprintf(&csv, "BG-%04d,Ngã tư %d,%s,106.46,Thị trấn Chợ Gạo,Chợ Gạo,Tiền Giang,national,intersection,90,100,60,rtsp://10.0.%d.%d/live,2021-05-01,4500000\n", i, i, lat, i/250, i%250+1)
	}
	type report struct {
		Created, Updated, Unchanged, Rejected int
		Rejections                            []json.RawMessage
	}
	read := func(hs *httptest.Server) report {
		st, body := post(t, hs.URL+"/api/v1/cameras/import", "text/csv", []byte(csv.String()))
		if st != http.StatusOK {
			t.Fatalf("import: %d %s", st, body)
		}
		var r report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	ra := read(a)
	if ra.Created != 1000-bad || ra.Rejected != bad || bad == 0 {
		t.Errorf("import on A: %+v, want %d created, %d rejected", ra, 1000-bad, bad)
	}
	rb := read(b)
	if rb.Unchanged != 1000-bad || rb.Rejected != bad {
		t.Errorf("import on B: %+v, want %d unchanged, %d rejected", rb, 1000-bad, bad)
	}
	ja, _ := json.Marshal(ra.Rejections)
	jb, _ := json.Marshal(rb.Rejections)
	if !bytes.Equal(ja, jb) {
		t.Errorf("rejections differ:\nA %s\nB %s", ja, jb)
	}
	checkEqual(t, nodes...)
}
