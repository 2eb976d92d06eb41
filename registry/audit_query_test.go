package registry_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
	"github.com/matthan/matthan/registry/registrytest"
)

// auditLog fills a store with a known log, a minute between entries:
//
//	1 09:01 token.create          ops            Công an xã Song Bình
//	2 09:02 camera.create         ca.songbinh    CG-0001
//	3 09:03 camera.create         ca.songbinh    CG-0002
//	4 09:04 backup.download       Nguyễn Văn An  matthan-1.db
//	5 09:05 token.revoke          ops            Công an xã Song Bình
//	6 09:06 camera.delete         ca.songbinh    CG-0002
func auditLog(t *testing.T) (*registry.Store, *clock) {
	t.Helper()
	ctx := context.Background()
	clk := newClock()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "a.db"), clk.now)
	police := camera.Actor{Name: "ca.songbinh", Role: camera.RolePolice}
	step := func(f func() error) {
		t.Helper()
		clk.advance(time.Minute)
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	var tok registry.Token
	step(func() (err error) {
		tok, _, err = s.CreateToken(ctx, registry.TokenSpec{Name: "Công an xã Song Bình", Role: camera.RolePolice}, admin)
		return err
	})
	step(func() error { return s.CreateCamera(ctx, testCamera("CG-0001"), police) })
	step(func() error { return s.CreateCamera(ctx, testCamera("CG-0002"), police) })
	step(func() error {
		return s.RecordBackup(ctx, camera.Actor{Name: "Nguyễn Văn An", Role: camera.RoleAdmin}, "matthan-1.db", 4096)
	})
	step(func() error { _, err := s.RevokeToken(ctx, tok.ID, admin); return err })
	step(func() error { return s.DeleteCamera(ctx, "CG-0002", police) })
	return s, clk
}

// seqs lists the sequence numbers of entries.
func seqs(items []registry.AuditEntry) []uint64 {
	out := make([]uint64, len(items))
	for i, e := range items {
		out[i] = e.Seq
	}
	return out
}

func TestQueryAuditFilters(t *testing.T) {
	s, _ := auditLog(t)
	at := func(min int) time.Time { return time.Date(2026, 11, 28, 9, min, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		q    registry.AuditQuery
		want []uint64
	}{
		{"everything", registry.AuditQuery{}, []uint64{6, 5, 4, 3, 2, 1}},
		{"one action", registry.AuditQuery{Actions: []string{"token.revoke"}}, []uint64{5}},
		{"a family of actions", registry.AuditQuery{Actions: []string{"camera.*"}}, []uint64{6, 3, 2}},
		{"a family is not a prefix of a word", registry.AuditQuery{Actions: []string{"came.*"}}, nil},
		{"several actions", registry.AuditQuery{Actions: []string{"token.*", "backup.download"}}, []uint64{5, 4, 1}},
		{"actor without accents or case", registry.AuditQuery{Actor: "nguyen van AN"}, []uint64{4}},
		{"actor in part", registry.AuditQuery{Actor: "songbinh"}, []uint64{6, 3, 2}},
		{"target without accents", registry.AuditQuery{Target: "song binh"}, []uint64{5, 1}},
		{"target and action", registry.AuditQuery{Target: "CG-0002", Actions: []string{"camera.delete"}}, []uint64{6}},
		{"from", registry.AuditQuery{From: at(5)}, []uint64{6, 5}},
		{"to is exclusive", registry.AuditQuery{To: at(3)}, []uint64{2, 1}},
		{"a window", registry.AuditQuery{From: at(2), To: at(5)}, []uint64{4, 3, 2}},
		{"a window in another zone", registry.AuditQuery{From: at(2).In(time.FixedZone("ICT", 7*3600)), To: at(3)}, []uint64{2}},
		{"a window before the log", registry.AuditQuery{To: at(0)}, nil},
		{"a window after the log", registry.AuditQuery{From: at(30)}, nil},
		{"before a sequence", registry.AuditQuery{Before: 4, Actions: []string{"camera.*"}}, []uint64{3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 100
			items, next, err := s.QueryAudit(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(items); !slices.Equal(got, tc.want) {
				t.Errorf("entries %v, want %v", got, tc.want)
			}
			if next != 0 {
				t.Errorf("next = %d on the only page", next)
			}
		})
	}
}

// TestQueryAuditPages: pages of a filtered listing follow each other with
// nothing lost or repeated, and the last has no next; a scan budget
// shorter than the log answers short pages that go on where they stopped.
func TestQueryAuditPages(t *testing.T) {
	s, _ := auditLog(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		limit int
		scan  int
		pages [][]uint64
	}{
		{"limit 2", 2, 0, [][]uint64{{6, 3}, {2}}},
		{"limit 3, exactly the matches", 3, 0, [][]uint64{{6, 3, 2}}},
		{"a budget of 2 entries", 100, 2, [][]uint64{{6}, {3}, {2}}},
		{"a budget of 1 entry", 100, 1, [][]uint64{{6}, {}, {}, {3}, {2}, {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := registry.AuditQuery{Actions: []string{"camera.*"}, Limit: tc.limit, Scan: tc.scan}
			var got [][]uint64
			for range 10 {
				items, next, err := s.QueryAudit(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, seqs(items))
				if next == 0 {
					break
				}
				q.Before = next
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.pages) {
				t.Errorf("pages %v, want %v", got, tc.pages)
			}
		})
	}
}

// TestQueryAuditClockOutOfOrder: an entry whose time is earlier than the
// one before it (a clock stepped back, a transaction that waited for the
// writer) is still found by a window that holds it.
func TestQueryAuditClockOutOfOrder(t *testing.T) {
	s, clk := auditLog(t)
	ctx := context.Background()
	clk.advance(-30 * time.Minute) // 08:36, after entries of 09:01 to 09:06
	if err := s.RecordBackup(ctx, admin, "late.db", 1); err != nil {
		t.Fatal(err)
	}
	clk.advance(40 * time.Minute) // 09:16
	if err := s.RecordBackup(ctx, admin, "later.db", 1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []uint64
	}{
		{"up to before the log", time.Time{}, time.Date(2026, 11, 28, 8, 40, 0, 0, time.UTC), []uint64{7}},
		{"from the late entry's time", time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC), time.Date(2026, 11, 28, 8, 40, 0, 0, time.UTC), []uint64{7}},
		{"after it", time.Date(2026, 11, 28, 9, 10, 0, 0, time.UTC), time.Time{}, []uint64{8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, _, err := s.QueryAudit(ctx, registry.AuditQuery{From: tc.from, To: tc.to, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(items); !slices.Equal(got, tc.want) {
				t.Errorf("entries %v, want %v", got, tc.want)
			}
		})
	}
}

// TestQueryAuditWindows: over a long log, every window answers what a
// plain filter of the whole log answers (the scan starts and stops by
// time: this checks it loses nothing at either end).
func TestQueryAuditWindows(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := registrytest.OpenAt(t, filepath.Join(t.TempDir(), "w.db"), clk.now)
	start := clk.now()
	var all []registry.AuditEntry
	for i := range 60 {
		clk.advance(10 * time.Minute)
		if i == 30 {
			clk.advance(-25 * time.Minute) // a clock stepped back once
		}
		if err := s.RecordBackup(ctx, admin, fmt.Sprintf("b%02d.db", i), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := s.QueryAudit(ctx, registry.AuditQuery{Limit: 1000})
	if err != nil || len(all) != 60 {
		t.Fatalf("log: %d entries, %v", len(all), err)
	}
	for from := -1; from < 62; from += 3 {
		for to := from + 1; to < 64; to += 4 {
			q := registry.AuditQuery{Limit: 1000}
			if from >= 0 {
				q.From = start.Add(time.Duration(from) * 10 * time.Minute)
			}
			q.To = start.Add(time.Duration(to) * 10 * time.Minute)
			var want []uint64
			for _, e := range all {
				if (q.From.IsZero() || !e.At.Before(q.From)) && e.At.Before(q.To) {
					want = append(want, e.Seq)
				}
			}
			items, _, err := s.QueryAudit(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(items); !slices.Equal(got, want) {
				t.Errorf("[%s, %s): %v, want %v", q.From.Format("15:04"), q.To.Format("15:04"), got, want)
			}
		}
	}
}

// TestRecordBackup: a backup is in the audit log with its size.
func TestRecordBackup(t *testing.T) {
	s := registrytest.Open(t)
	ctx := context.Background()
	if err := s.RecordBackup(ctx, camera.Actor{Name: "quantri", Role: camera.RoleAdmin}, "matthan-20261128T090000Z.db", 123456); err != nil {
		t.Fatal(err)
	}
	items, _, err := s.QueryAudit(ctx, registry.AuditQuery{Actions: []string{registry.ActionBackup}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Actor.Name != "quantri" || items[0].Target != "matthan-20261128T090000Z.db" || !slices.Equal(items[0].Changes, []string{"bytes: 123456"}) {
		t.Errorf("backup entry %+v", items)
	}
}
