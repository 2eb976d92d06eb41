package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// mkTip returns a valid tip received at at, at a point.
func mkTip(at time.Time, lat, lon float64, commune string) *camera.Tip {
	t := camera.NewTip()
	t.ReceivedAt, t.Channel, t.Category = at, camera.ChannelHotline, camera.CategoryTheft
	t.Commune, t.Summary = commune, "xe máy lạ đậu trước nhà nhiều đêm"
	t.SetPlace(lat, lon)
	return t
}

func auditActions(t *testing.T, s *registry.Store) []registry.AuditEntry {
	t.Helper()
	items, _, err := s.QueryAudit(context.Background(), registry.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestTipLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	path := t.TempDir() + "/m.db"
	s := registrytest.OpenAt(t, path, func() time.Time { return now })
	mkCamera(t, s, "CG-0001", 10.35, 106.46, "Thị trấn Chợ Gạo")
	inc := mkIncident(now.Add(-time.Hour), "CG-0001")
	if err := s.CreateIncident(ctx, inc, officer); err != nil {
		t.Fatal(err)
	}

	tip := mkTip(time.Date(2026, 12, 6, 21, 40, 0, 0, time.FixedZone("ICT", 7*3600)), 10.351, 106.461, "Thị trấn Chợ Gạo")
	sealed := []byte("age-encryption.org/v1 opaque bytes the store never reads")
	if err := s.CreateTip(ctx, tip, sealed, officer); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tip.ID, "TIP-20261207-") || !tip.Informant || tip.Outcome != camera.OutcomePending {
		t.Errorf("created %+v", tip)
	}
	if tip.ReceivedAt.Location() != time.UTC {
		t.Errorf("received_at kept in %v, want UTC", tip.ReceivedAt.Location())
	}
	got, err := s.GetTip(ctx, tip.ID, officer)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tip) {
		t.Errorf("get = %+v\nwant %+v", got, tip)
	}

	// The outcome, with people and a link to an incident that exists.
	upd, err := s.UpdateTip(ctx, tip.ID, officer, func(t *camera.Tip) error {
		t.Outcome, t.People, t.IncidentIDs = camera.OutcomeCriminal, 2, []string{inc.ID}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Outcome != camera.OutcomeCriminal || upd.People != 2 || !upd.Informant {
		t.Errorf("updated %+v", upd)
	}
	items, _, err := s.ListTips(ctx, registry.TipQuery{IncidentID: inc.ID}, officer)
	if err != nil || len(items) != 1 || items[0].ID != tip.ID {
		t.Errorf("tips of %s: %v, %v", inc.ID, items, err)
	}

	// A link to no incident is refused, naming the field, and nothing
	// changes.
	_, err = s.UpdateTip(ctx, tip.ID, officer, func(t *camera.Tip) error {
		t.IncidentIDs = append(t.IncidentIDs, "INC-NOPE")
		return nil
	})
	if camera.ErrorField(err) != "incident_ids" || camera.ErrorCode(err) != camera.EINVALID {
		t.Errorf("link to a missing incident: %v", err)
	}
	_, err = s.UpdateTip(ctx, tip.ID, officer, func(t *camera.Tip) error {
		t.Outcome, t.People = camera.OutcomeUnfounded, 3
		return nil
	})
	if camera.ErrorField(err) != "people" {
		t.Errorf("people with an unfounded tip: %v", err)
	}

	// The sealed informant: a reason is required, and the access is
	// audited with it.
	if _, err := s.TipInformant(ctx, tip.ID, officer, "  "); camera.ErrorField(err) != "reason" {
		t.Errorf("no reason: %v", err)
	}
	back, err := s.TipInformant(ctx, tip.ID, officer, "hồ sơ HS-12/2026: cần lấy lời khai")
	if err != nil || !bytes.Equal(back, sealed) {
		t.Errorf("sealed informant: %q, %v", back, err)
	}
	entries := auditActions(t, s)
	if e := entries[0]; e.Action != registry.ActionTipInformant || e.Target != tip.ID || !slices.Equal(e.Changes, []string{"reason: hồ sơ HS-12/2026: cần lấy lời khai"}) {
		t.Errorf("last audit entry %+v", e)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{registry.ActionTipCreate, registry.ActionTipRead, registry.ActionTipUpdate, registry.ActionTipList} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit has no %s: %v", want, actions)
		}
	}

	// An anonymous tip has no informant to fetch.
	anon := mkTip(now, 10.36, 106.47, "Song Bình")
	if err := s.CreateTip(ctx, anon, nil, officer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TipInformant(ctx, anon.ID, officer, "thử"); camera.ErrorCode(err) != camera.ENOTFOUND {
		t.Errorf("anonymous tip's informant: %v", err)
	}

	// A given id that is taken.
	dup := mkTip(now, 10.36, 106.47, "Song Bình")
	dup.ID = tip.ID
	if err := s.CreateTip(ctx, dup, nil, officer); camera.ErrorCode(err) != camera.ECONFLICT {
		t.Errorf("taken id: %v", err)
	}
	if dup.CreatedAt != (time.Time{}) {
		t.Errorf("a refused tip came back changed: %+v", dup)
	}
	if n, err := s.CountTips(ctx); err != nil || n != 2 {
		t.Errorf("count = %d, %v; want 2", n, err)
	}
}

func TestTipValidation(t *testing.T) {
	s := registrytest.Open(t)
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		edit  func(*camera.Tip)
		field string
	}{
		{"no time", func(t *camera.Tip) { t.ReceivedAt = time.Time{} }, "received_at"},
		{"channel", func(t *camera.Tip) { t.Channel = "fax" }, "channel"},
		{"category", func(t *camera.Tip) { t.Category = "gossip" }, "category"},
		{"no place", func(t *camera.Tip) { t.Lat, t.Lon, t.Place = nil, nil, "" }, "place"},
		{"no commune", func(t *camera.Tip) { t.Lat, t.Lon, t.Commune = nil, nil, "" }, "commune"},
		{"half a point", func(t *camera.Tip) { t.Lon = nil }, "lon"},
		{"lat", func(t *camera.Tip) { t.SetPlace(91, 106) }, "lat"},
		{"summary", func(t *camera.Tip) { t.Summary = " " }, "summary"},
		{"outcome", func(t *camera.Tip) { t.Outcome = "" }, "outcome"},
		{"people", func(t *camera.Tip) { t.Outcome, t.People = camera.OutcomeCriminal, -1 }, "people"},
		{"incident ids", func(t *camera.Tip) { t.IncidentIDs = []string{"INC-1", "INC-1"} }, "incident_ids"},
		{"missing incident", func(t *camera.Tip) { t.IncidentIDs = []string{"INC-1"} }, "incident_ids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tip := mkTip(at, 10.35, 106.46, "Song Bình")
			tip.Place = "đầu cầu"
			tc.edit(tip)
			err := s.CreateTip(context.Background(), tip, nil, officer)
			if got := camera.ErrorField(err); got != tc.field || camera.ErrorCode(err) != camera.EINVALID {
				t.Errorf("field %q (%v), want %q", got, err, tc.field)
			}
		})
	}
	if n, _ := s.CountTips(context.Background()); n != 0 {
		t.Errorf("%d tips stored by refused calls", n)
	}
	// A commune and a description are a place.
	tip := mkTip(at, 0, 0, "Song Bình")
	tip.Lat, tip.Lon, tip.Place = nil, nil, "chợ Song Bình, dãy ki-ốt phía sau"
	if err := s.CreateTip(context.Background(), tip, nil, officer); err != nil {
		t.Errorf("a tip placed by commune and description: %v", err)
	}
}

func TestListTips(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	communes := []string{"Song Bình", "Xuân Đông", "Hòa Định"}
	var all []*camera.Tip
	for i := range 300 {
		tip := mkTip(t0.Add(time.Duration(i)*7*time.Hour), 10.30+float64(i%10)*0.01, 106.40+float64(i%7)*0.01, communes[i%3])
		tip.Channel = camera.Channels[i%len(camera.Channels)]
		tip.Category = camera.Categories[i%len(camera.Categories)]
		if i%5 == 0 {
			tip.Outcome, tip.People = camera.OutcomeAdministrative, 1+i%3
		}
		if i%11 == 10 { // same time, two ids
			tip.ReceivedAt = all[len(all)-1].ReceivedAt
		}
		if err := s.CreateTip(ctx, tip, nil, officer); err != nil {
			t.Fatal(err)
		}
		all = append(all, tip)
	}
	slices.SortFunc(all, func(a, b *camera.Tip) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	for _, tc := range []struct {
		name string
		q    registry.TipQuery
		keep func(*camera.Tip) bool
	}{
		{"all", registry.TipQuery{}, func(*camera.Tip) bool { return true }},
		{"window", registry.TipQuery{From: t0.Add(100 * time.Hour), To: t0.Add(900 * time.Hour)}, func(tp *camera.Tip) bool {
			return !tp.ReceivedAt.Before(t0.Add(100*time.Hour)) && tp.ReceivedAt.Before(t0.Add(900*time.Hour))
		}},
		{"commune folded", registry.TipQuery{Commune: "xa xuan dong"}, func(tp *camera.Tip) bool { return tp.Commune == "Xuân Đông" }},
		{"channel and outcome", registry.TipQuery{Channel: camera.ChannelHotline, Outcome: camera.OutcomeAdministrative}, func(tp *camera.Tip) bool {
			return tp.Channel == camera.ChannelHotline && tp.Outcome == camera.OutcomeAdministrative
		}},
		{"category", registry.TipQuery{Category: camera.CategoryDrugs}, func(tp *camera.Tip) bool { return tp.Category == camera.CategoryDrugs }},
		{"radius", registry.TipQuery{Lat: 10.33, Lon: 106.42, RadiusM: 1500}, func(tp *camera.Tip) bool {
			return haversine(10.33, 106.42, *tp.Lat, *tp.Lon) <= 1500
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, tp := range all {
				if tc.keep(tp) {
					want = append(want, tp.ID)
				}
			}
			var got []string
			q := tc.q
			q.Limit = 17
			for pages := 0; ; pages++ {
				items, next, err := s.ListTips(ctx, q, officer)
				if err != nil {
					t.Fatal(err)
				}
				for _, tp := range items {
					got = append(got, tp.ID)
				}
				if next == "" {
					break
				}
				if pages > 100 {
					t.Fatal("no end of pages")
				}
				q.After = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %d tips, want %d\ngot  %v\nwant %v", len(got), len(want), got, want)
			}
			// Cluster mode's way: the page's ids, then the audited read.
			got = nil
			q = tc.q
			q.Limit = 17
			for pages := 0; ; pages++ {
				ids, next, err := s.TipPage(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				items, err := s.ReadTips(ctx, ids, officer)
				if err != nil {
					t.Fatal(err)
				}
				if len(items) != len(ids) {
					t.Fatalf("page of %d ids read as %d tips", len(ids), len(items))
				}
				for _, tp := range items {
					got = append(got, tp.ID)
				}
				if next == "" {
					break
				}
				if pages > 100 {
					t.Fatal("no end of pages")
				}
				q.After = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("TipPage and ReadTips: got %d tips, want %d\ngot  %v\nwant %v", len(got), len(want), got, want)
			}
		})
	}
	if _, _, err := s.ListTips(ctx, registry.TipQuery{After: "bm9wZQ"}, officer); registry.QueryPartOf(err) != registry.QueryCursor {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestTipCounts(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	ict := time.FixedZone("ICT", 7*3600)
	add := func(at time.Time, ch camera.Channel, oc camera.Outcome, people int) {
		t.Helper()
		tip := mkTip(at, 10.35, 106.46, "Song Bình")
		tip.Channel, tip.Outcome, tip.People = ch, oc, people
		if err := s.CreateTip(ctx, tip, nil, officer); err != nil {
			t.Fatal(err)
		}
	}
	// 23:30 UTC on 31 January is February in Vietnam.
	add(time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC), camera.ChannelHotline, camera.OutcomeCriminal, 2)
	add(time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC), camera.ChannelHotline, camera.OutcomeCriminal, 1)
	add(time.Date(2026, 1, 11, 8, 0, 0, 0, time.UTC), camera.ChannelMessage, camera.OutcomeEducation, 3)
	add(time.Date(2026, 2, 11, 8, 0, 0, 0, time.UTC), camera.ChannelInPerson, camera.OutcomePending, 0)
	add(time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC), camera.ChannelInPerson, camera.OutcomeUnfounded, 0)

	c, err := s.TipCounts(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, ict), time.Date(2026, 3, 1, 0, 0, 0, 0, ict))
	if err != nil {
		t.Fatal(err)
	}
	if c.Tips != 4 || c.People != 6 {
		t.Errorf("totals %d tips %d people, want 4, 6", c.Tips, c.People)
	}
	wantMonths := []registry.TipMonthCount{{Month: "2026-01", Tips: 2}, {Month: "2026-02", Tips: 2}}
	if !reflect.DeepEqual(c.ByMonth, wantMonths) {
		t.Errorf("by month %+v, want %+v", c.ByMonth, wantMonths)
	}
	wantOut := []registry.TipOutcomeCount{
		{Outcome: camera.OutcomeCriminal, Tips: 2, People: 3}, {Outcome: camera.OutcomeAdministrative},
		{Outcome: camera.OutcomeEducation, Tips: 1, People: 3}, {Outcome: camera.OutcomeUnfounded}, {Outcome: camera.OutcomePending, Tips: 1},
	}
	if !reflect.DeepEqual(c.ByOutcome, wantOut) {
		t.Errorf("by outcome %+v, want %+v", c.ByOutcome, wantOut)
	}
	if got := fmt.Sprint(c.ByChannel); got != "[{hotline 2} {in_person 1} {message 1} {other 0}]" {
		t.Errorf("by channel %s", got)
	}
	wantRows := []registry.TipCountRow{
		{Month: "2026-01", Channel: camera.ChannelHotline, Outcome: camera.OutcomeCriminal, Tips: 1, People: 1},
		{Month: "2026-01", Channel: camera.ChannelMessage, Outcome: camera.OutcomeEducation, Tips: 1, People: 3},
		{Month: "2026-02", Channel: camera.ChannelHotline, Outcome: camera.OutcomeCriminal, Tips: 1, People: 2},
		{Month: "2026-02", Channel: camera.ChannelInPerson, Outcome: camera.OutcomePending, Tips: 1},
	}
	if !reflect.DeepEqual(c.Rows, wantRows) {
		t.Errorf("rows %+v\nwant %+v", c.Rows, wantRows)
	}
	if _, err := s.TipCounts(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, ict), time.Date(2026, 1, 1, 0, 0, 0, 0, ict)); registry.QueryPartOf(err) != registry.QueryEnd {
		t.Errorf("to before from: %v", err)
	}
}

func TestPurgeTips(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 6 {
		tip := mkTip(t0.AddDate(0, i, 0), 10.35, 106.46, "Song Bình")
		tip.Hold = i == 1
		if err := s.CreateTip(ctx, tip, []byte("sealed"), officer); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tip.ID)
	}
	n, err := s.PurgeTips(ctx, t0.AddDate(0, 3, 0), camera.SystemActor)
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v; want 2 (one of three is held)", n, err)
	}
	for i, id := range ids {
		_, err := s.GetTip(ctx, id, officer)
		gone := camera.ErrorCode(err) == camera.ENOTFOUND
		if want := i == 0 || i == 2; gone != want {
			t.Errorf("tip %d gone = %v, want %v", i, gone, want)
		}
		_, err = s.TipInformant(ctx, id, officer, "kiểm tra")
		if informantGone := err != nil; informantGone != gone {
			t.Errorf("tip %d: informant gone = %v, tip gone %v", i, informantGone, gone)
		}
	}
	if e := auditActions(t, s); !slices.ContainsFunc(e, func(e registry.AuditEntry) bool {
		return e.Action == registry.ActionTipPurge && slices.Equal(e.Changes, []string{ids[0], ids[2]})
	}) {
		t.Errorf("no tip.purge entry naming both tips")
	}
}

func TestRekeyTips(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	for i := range 3 {
		tip := mkTip(time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), 10.35, 106.46, "Song Bình")
		if err := s.CreateTip(ctx, tip, []byte(fmt.Sprintf("old-%d", i)), officer); err != nil {
			t.Fatal(err)
		}
	}
	// A failure on one leaves all as they were.
	boom := errors.New("not mine")
	_, err := s.RekeyTips(ctx, func(b []byte) ([]byte, error) {
		if string(b) == "old-1" {
			return nil, boom
		}
		return append([]byte("new-"), b...), nil
	}, camera.SystemActor)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	n, err := s.RekeyTips(ctx, func(b []byte) ([]byte, error) { return append([]byte("new-"), b...), nil }, camera.SystemActor)
	if err != nil || n != 3 {
		t.Fatalf("rekeyed %d, %v", n, err)
	}
	items, _, _ := s.ListTips(ctx, registry.TipQuery{}, officer)
	for _, tp := range items {
		b, err := s.TipInformant(ctx, tp.ID, officer, "kiểm tra")
		if err != nil || !strings.HasPrefix(string(b), "new-old-") {
			t.Errorf("%s: %q, %v", tp.ID, b, err)
		}
	}
}

// TestTipsInBackup: a backup holds the tips, with their sealed
// informants as stored.
func TestTipsInBackup(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	tip := mkTip(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 10.35, 106.46, "Song Bình")
	if err := s.CreateTip(ctx, tip, []byte("sealed-bytes"), officer); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/backup.db"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteBackup(f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b := registrytest.OpenAt(t, path, nil)
	got, err := b.TipInformant(ctx, tip.ID, officer, "khôi phục")
	if err != nil || string(got) != "sealed-bytes" {
		t.Errorf("backup's sealed informant: %q, %v", got, err)
	}
}

func TestCreateTips(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bad := []*camera.Tip{mkTip(at, 10.35, 106.46, "Song Bình"), mkTip(at, 10.35, 106.46, "Song Bình")}
	bad[1].Channel = "fax"
	if _, err := s.CreateTips(ctx, bad, nil, officer); camera.ErrorField(err) != "tips[1].channel" {
		t.Errorf("an invalid item: %v", err)
	}
	if n, _ := s.CountTips(ctx); n != 0 {
		t.Fatalf("%d tips stored by a refused import", n)
	}
	tips := []*camera.Tip{mkTip(at, 10.35, 106.46, "Song Bình"), mkTip(at.Add(time.Hour), 10.36, 106.47, "Xuân Đông")}
	n, err := s.CreateTips(ctx, tips, [][]byte{nil, []byte("sealed")}, officer)
	if err != nil || n != 2 {
		t.Fatalf("created %d, %v", n, err)
	}
	if tips[0].Informant || !tips[1].Informant {
		t.Errorf("informant flags %v %v, want false true", tips[0].Informant, tips[1].Informant)
	}
	if b, err := s.TipInformant(ctx, tips[1].ID, officer, "kiểm tra"); err != nil || string(b) != "sealed" {
		t.Errorf("sealed informant of the import: %q, %v", b, err)
	}
	c, err := s.TipCounts(ctx, time.Time{}, time.Time{})
	if err != nil || c.Tips != 2 {
		t.Errorf("counts after the import: %+v, %v", c, err)
	}
}
