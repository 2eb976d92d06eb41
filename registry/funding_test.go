package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// fundingSums is the brute-force side of a funding row.
type fundingSums struct {
	name, commune             string
	cameras                   int
	cost, donated, pool       int64
	donations                 int
	donors, camsGiven, places map[string]bool
}

func newSums() *fundingSums {
	return &fundingSums{donors: map[string]bool{}, camsGiven: map[string]bool{}, places: map[string]bool{}}
}

// checkRow compares a row with the brute-force sums of its key.
func checkRow(t *testing.T, g registry.GroupBy, got registry.FundingRow, want *fundingSums) {
	t.Helper()
	if want == nil {
		t.Errorf("%s row %q: not expected", g, got.Key)
		return
	}
	type money struct {
		cost, donated, pool, balance int64
		donations, donors            int
	}
	gm := money{got.CostVND, got.DonatedVND, got.PoolVND, got.BalanceVND, got.Donations, got.Donors}
	wm := money{want.cost, want.donated, want.pool, want.donated - want.cost, want.donations, len(want.donors)}
	switch g {
	case registry.GroupByCamera:
		wm.pool = 0
		if got.Name != want.name || got.Commune != want.commune || got.Status != camera.StatusActive {
			t.Errorf("camera %s: name %q commune %q status %q, want %q %q active", got.Key, got.Name, got.Commune, got.Status, want.name, want.commune)
		}
	case registry.GroupByCommune:
		if got.Cameras != want.cameras {
			t.Errorf("commune %s: %d cameras, want %d", got.Key, got.Cameras, want.cameras)
		}
	case registry.GroupByDonor:
		gm.cost, gm.balance, gm.donors = 0, 0, 0
		wm.cost, wm.balance, wm.donors = 0, 0, 0
		if got.Cameras != len(want.camsGiven) || got.Communes != len(want.places) {
			t.Errorf("donor %s: %d cameras %d communes, want %d %d", got.Key, got.Cameras, got.Communes, len(want.camsGiven), len(want.places))
		}
	}
	if gm != wm {
		t.Errorf("%s %s: got %+v, want %+v", g, got.Key, gm, wm)
	}
	if got.UpMillis != 0 || got.CostPerUpHourVND != nil {
		t.Errorf("%s %s: up %d ms, cost per hour %v, want 0 and nil (no health history)", g, got.Key, got.UpMillis, got.CostPerUpHourVND)
	}
}

func TestFundingSample(t *testing.T) {
	s, cams := sampleStore(t, donationClock)
	byCamera, byCommune, byDonor := map[string]*fundingSums{}, map[string]*fundingSums{}, map[string]*fundingSums{}
	get := func(m map[string]*fundingSums, k string) *fundingSums {
		if m[k] == nil {
			m[k] = newSums()
		}
		return m[k]
	}
	var cost int64
	for _, c := range cams {
		r := get(byCamera, c.ID)
		r.name, r.commune, r.cost = c.Name, c.Commune, c.CostVND
		cr := get(byCommune, c.Commune)
		cr.cameras++
		cr.cost += c.CostVND
		cost += c.CostVND
	}
	rows := sampleDonationRows(t)
	var donated, pool int64
	allDonors := map[string]bool{}
	for _, d := range rows {
		donated += d.amount
		allDonors[d.donor] = true
		targets := []*fundingSums{get(byCommune, d.commune), get(byDonor, d.donor)}
		if d.camera == "" {
			pool += d.amount
			for _, r := range targets {
				r.pool += d.amount
			}
		} else {
			targets = append(targets, get(byCamera, d.camera))
			get(byDonor, d.donor).camsGiven[d.camera] = true
		}
		get(byDonor, d.donor).places[d.commune] = true
		for _, r := range targets {
			r.donated += d.amount
			r.donations++
			r.donors[d.donor] = true
		}
	}
	if donated != 1_300_000_000 || cost != sample.TotalCostVND {
		t.Fatalf("the brute force says %s donated, %s cost; want 1.300.000.000 ₫ both", camera.FormatVND(donated), camera.FormatVND(cost))
	}

	for _, tt := range []struct {
		g    registry.GroupBy
		want map[string]*fundingSums
	}{{registry.GroupByCamera, byCamera}, {registry.GroupByCommune, byCommune}, {registry.GroupByDonor, byDonor}} {
		t.Run(string(tt.g), func(t *testing.T) {
			rep, err := s.Funding(context.Background(), tt.g, registry.Window{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != len(tt.want) {
				t.Errorf("%d rows, want %d", len(rep.Rows), len(tt.want))
			}
			for _, r := range rep.Rows {
				checkRow(t, tt.g, r, tt.want[r.Key])
			}
			keys := make([]string, len(rep.Rows))
			for i, r := range rep.Rows {
				keys[i] = r.Key
			}
			sorted := slices.Clone(keys)
			if tt.g == registry.GroupByCommune {
				slices.SortFunc(sorted, func(a, b string) int { return strings.Compare(vntext.Fold(a), vntext.Fold(b)) })
			} else {
				slices.Sort(sorted)
			}
			if !slices.Equal(keys, sorted) {
				t.Errorf("rows not in key order: %v", keys[:min(10, len(keys))])
			}
			want := registry.FundingRow{
				Key: "total", Cameras: sample.CameraCount, Communes: sample.CommuneCount,
				CostVND: cost, DonatedVND: 1_300_000_000, PoolVND: pool, BalanceVND: 0,
				Donors: len(allDonors), Donations: len(rows),
			}
			if got := rep.Totals; !sameRow(got, want) {
				t.Errorf("totals = %+v, want %+v", got, want)
			}
			if rep.To != donationClock.UTC() || rep.To.Sub(rep.From) != registry.DefaultFundingWindow {
				t.Errorf("window [%v, %v), want the 30 days up to the clock", rep.From, rep.To)
			}
		})
	}
}

// sameRow compares the exported fields of two rows.
func sameRow(a, b registry.FundingRow) bool {
	ja, _ := json.Marshal(struct{ registry.FundingRow }{a})
	jb, _ := json.Marshal(struct{ registry.FundingRow }{b})
	return a.Key == b.Key && a.Cameras == b.Cameras && a.Communes == b.Communes && a.CostVND == b.CostVND &&
		a.DonatedVND == b.DonatedVND && a.PoolVND == b.PoolVND && a.BalanceVND == b.BalanceVND &&
		a.Donors == b.Donors && a.Donations == b.Donations && a.UpMillis == b.UpMillis &&
		(a.CostPerUpHourVND == nil) == (b.CostPerUpHourVND == nil) &&
		(a.CostPerUpHourVND == nil || *a.CostPerUpHourVND == *b.CostPerUpHourVND) && bytes.Equal(ja, jb)
}

// roundDiv is cost × 3,600,000 ÷ ms rounded half up, in big integers.
func roundDiv(cost, ms int64) int64 {
	n := new(big.Int).Mul(big.NewInt(cost), big.NewInt(3_600_000))
	n.Add(n, big.NewInt(ms/2))
	return n.Quo(n, big.NewInt(ms)).Int64()
}

// flap returns n transitions of camera id every step from start,
// alternating up and down (the first goes up).
func flap(id string, start time.Time, step time.Duration, n int, firstUp bool) []camera.Transition {
	var out []camera.Transition
	st := []camera.HealthState{camera.StateDown, camera.StateUp}
	upNext := firstUp
	for i := range n {
		to := st[0]
		if upNext {
			to = st[1]
		}
		from := camera.StateUp
		if to == camera.StateUp {
			from = camera.StateDown
		}
		out = append(out, camera.Transition{CameraID: id, At: start.Add(time.Duration(i) * step), From: from, To: to, Reason: "test"})
		upNext = !upNext
	}
	return out
}

func TestFundingCostPerUpHour(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(72 * time.Hour)
	s := openAtClock(t, now)
	from, to := t0.Add(time.Hour), t0.Add(25*time.Hour)
	type cam struct {
		id, commune string
		cost        int64
		history     []camera.Transition
	}
	cams := []cam{
		// Up from before the window to 10h, down 2h, up again.
		{"C1", "Song Bình", 4_500_000, []camera.Transition{
			{CameraID: "C1", At: t0, From: unk, To: up},
			{CameraID: "C1", At: t0.Add(10 * time.Hour), From: up, To: down},
			{CameraID: "C1", At: t0.Add(12 * time.Hour), From: down, To: up},
		}},
		// Never probed: null cost per hour.
		{"C2", "Song Bình", 3_000_000, nil},
		// A long flapping history before, inside and after the window:
		// the walker's seeks.
		{"C3", "Bình Ninh", 5_100_000, slices.Concat(
			flap("C3", t0.Add(-40*time.Hour), time.Hour, 41, true),
			flap("C3", t0.Add(2*time.Hour+17*time.Second), 37*time.Minute, 30, false),
			flap("C3", t0.Add(26*time.Hour), 20*time.Minute, 60, true),
		)},
		// A transition exactly at from, one exactly at to.
		{"C4", "Bình Ninh", 7_000_000, []camera.Transition{
			{CameraID: "C4", At: from, From: unk, To: up},
			{CameraID: "C4", At: to, From: up, To: down},
		}},
		// Only history after the window: unknown in it.
		{"C5", "Bình Ninh", 1_000_000, flap("C5", to.Add(time.Hour), time.Hour, 20, true)},
		// Degraded is not up.
		{"C6", "Hòa Định", 2_000_000, []camera.Transition{{CameraID: "C6", At: t0, From: unk, To: camera.StateDegraded}}},
		// Up for one second.
		{"C7", "Hòa Định", 9_990_000, []camera.Transition{
			{CameraID: "C7", At: from.Add(time.Hour), From: unk, To: up},
			{CameraID: "C7", At: from.Add(time.Hour + time.Second), From: up, To: down},
		}},
	}
	for _, c := range cams {
		cm := testCamera(c.id)
		cm.Commune, cm.CostVND = c.commune, c.cost
		if err := s.CreateCamera(ctx, cm, camera.SystemActor); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordHealth(ctx, nil, c.history); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.UptimeAll(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	communeMs, communeCost := map[string]int64{}, map[string]int64{}
	var totalMs int64
	for i, c := range cams {
		u, err := s.Uptime(ctx, c.id, from, to)
		if err != nil {
			t.Fatal(err)
		}
		ms := int64(u.UpSeconds * 1000)
		communeMs[c.commune] += ms
		communeCost[c.commune] += c.cost
		totalMs += ms
		if got := all[c.id]; got.Milliseconds() != ms {
			t.Errorf("UptimeAll[%s] = %v, Uptime says %v s", c.id, got, u.UpSeconds)
		}
		row := rep.Rows[i]
		if row.Key != c.id || row.UpMillis != ms {
			t.Errorf("row %d: %s up %d ms, want %s %d ms", i, row.Key, row.UpMillis, c.id, ms)
		}
		checkPerHour(t, c.id, row, c.cost, ms)
	}
	if all["C2"] != 0 || len(all) != len(cams)-1 {
		t.Errorf("UptimeAll has %d cameras (C2: %v), want every camera with a history", len(all), all["C2"])
	}
	if rep.Totals.UpMillis != totalMs {
		t.Errorf("totals up %d ms, want %d", rep.Totals.UpMillis, totalMs)
	}
	communes, err := s.Funding(ctx, registry.GroupByCommune, registry.Window{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range communes.Rows {
		if row.UpMillis != communeMs[row.Key] {
			t.Errorf("commune %s up %d ms, want %d", row.Key, row.UpMillis, communeMs[row.Key])
		}
		checkPerHour(t, row.Key, row, communeCost[row.Key], communeMs[row.Key])
	}
	// UptimeByCommune (the district summary's up hours) sums the same up
	// times by commune, leaving out retired cameras.
	if _, err := s.UpdateCamera(ctx, "C7", "camera.retire", camera.SystemActor, func(c *camera.Camera) error {
		c.Status = camera.StatusRetired
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	byCommune, err := s.UptimeByCommune(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{}
	for _, c := range cams {
		if c.id != "C7" {
			want[c.commune] += all[c.id]
		}
	}
	if !maps.Equal(byCommune, want) {
		t.Errorf("UptimeByCommune = %v, want %v", byCommune, want)
	}
	// The totals are the same in every view.
	for _, g := range []registry.GroupBy{registry.GroupByCommune, registry.GroupByDonor} {
		r, err := s.Funding(ctx, g, registry.Window{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		if !sameRow(r.Totals, rep.Totals) {
			t.Errorf("%s totals %+v, camera totals %+v", g, r.Totals, rep.Totals)
		}
	}
	// The window is checked, and clamped to the clock.
	if _, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{From: to, To: from}); registry.QueryPartOf(err) != registry.QueryStart || camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("reversed window: %v, want an invalid start", err)
	}
	if r, err := s.Funding(ctx, registry.GroupByDonor, registry.Window{From: from, To: now.Add(time.Hour)}); err != nil || r.To != now {
		t.Errorf("window past the clock: to %v, %v; want %v", r.To, err, now)
	}
}

func checkPerHour(t *testing.T, key string, row registry.FundingRow, cost, ms int64) {
	t.Helper()
	if ms == 0 {
		if row.CostPerUpHourVND != nil {
			t.Errorf("%s: cost per up hour %d, want nil (never up)", key, *row.CostPerUpHourVND)
		}
		return
	}
	want := roundDiv(cost, ms)
	if row.CostPerUpHourVND == nil || *row.CostPerUpHourVND != want {
		t.Errorf("%s: cost per up hour %v, want %d (cost %d, %d ms)", key, row.CostPerUpHourVND, want, cost, ms)
	}
}

// TestFundingPages: pages of a view cover its rows once, in order, and
// a cursor that is no row's key is refused.
func TestFundingPages(t *testing.T) {
	s, _ := sampleStore(t, donationClock)
	for _, g := range []registry.GroupBy{registry.GroupByCamera, registry.GroupByCommune, registry.GroupByDonor} {
		t.Run(string(g), func(t *testing.T) {
			rep, err := s.Funding(context.Background(), g, registry.Window{})
			if err != nil {
				t.Fatal(err)
			}
			first, next, err := rep.Page("", 2)
			if err != nil || len(first) != 2 || next != rep.Rows[1].Key {
				t.Errorf("first page: %d rows, next %q, %v; want 2 rows and the second's key", len(first), next, err)
			}
			// Pages cover the rows once, in order.
			var keys []string
			after := ""
			for {
				page, next, err := rep.Page(after, 40)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					keys = append(keys, r.Key)
				}
				if next == "" {
					break
				}
				after = next
			}
			if len(keys) != len(rep.Rows) || keys[len(keys)-1] != rep.Rows[len(rep.Rows)-1].Key {
				t.Errorf("pages gave %d rows, want %d", len(keys), len(rep.Rows))
			}
			if _, _, err := rep.Page("no such key \x01", 10); registry.QueryPartOf(err) != registry.QueryCursor || camera.ErrorCode(err) != camera.EINVALID {
				t.Errorf("unknown cursor: %v", err)
			}
		})
	}
}

func TestParseGroupBy(t *testing.T) {
	for in, want := range map[string]registry.GroupBy{"camera": registry.GroupByCamera, " Commune ": registry.GroupByCommune, "DONOR": registry.GroupByDonor} {
		if got, err := registry.ParseGroupBy(in); err != nil || got != want {
			t.Errorf("ParseGroupBy(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "province", "total"} {
		if _, err := registry.ParseGroupBy(bad); registry.QueryPartOf(err) != registry.QueryGrouping || camera.ErrorCode(err) != camera.EINVALID {
			t.Errorf("ParseGroupBy(%q): %v, want an invalid grouping", bad, err)
		}
	}
}

// TestFundingDeletedCamera: gifts to a camera deleted afterwards stay in
// the camera view as a row without cost, and in their commune.
func TestFundingDeletedCamera(t *testing.T) {
	ctx := context.Background()
	s := communeStore(t)
	for _, d := range []*camera.Donation{
		{Donor: "An", AmountVND: 100, ReceivedOn: "2024-01-01", CameraID: "CG-0002"},
		{Donor: "Bình", AmountVND: 200, ReceivedOn: "2024-01-02", CameraID: "CG-0001"},
		{Donor: "An", AmountVND: 300, ReceivedOn: "2024-01-03", Commune: "cho gao"},
	} {
		if err := s.CreateDonation(ctx, d, fundraiser); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCamera(ctx, "CG-0002", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Funding(ctx, registry.GroupByCamera, registry.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rep.Rows {
		keys = append(keys, r.Key)
		if r.Key == "CG-0002" && (r.CostVND != 0 || r.DonatedVND != 100 || r.BalanceVND != 100 || r.Name != "") {
			t.Errorf("deleted camera row = %+v", r)
		}
	}
	if want := []string{"BN-0001", "CG-0001", "CG-0002", "CG-0003", "XX-0001"}; !slices.Equal(keys, want) {
		t.Errorf("camera rows %v, want %v", keys, want)
	}
	communes, err := s.Funding(ctx, registry.GroupByCommune, registry.Window{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range communes.Rows {
		if r.Key == "Chợ Gạo" && (r.Cameras != 2 || r.DonatedVND != 600 || r.PoolVND != 300 || r.Donors != 2 || r.CostVND != 8_000_000) {
			t.Errorf("Chợ Gạo = %+v", r)
		}
	}
	if got := communes.Totals; got.DonatedVND != 600 || got.Donors != 2 || got.Cameras != 4 || got.Communes != 3 {
		t.Errorf("totals = %+v", got)
	}
}
