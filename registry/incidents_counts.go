package registry

import (
	"context"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// IncidentCountRow is the number of incidents and of their subjects
// (suspects) of one commune, category and month.
type IncidentCountRow struct {
	Commune   string          `json:"commune"`
	Category  camera.Category `json:"category"`
	Month     string          `json:"month"` // YYYY-MM
	Incidents int             `json:"incidents"`
	Subjects  int             `json:"subjects"`
}

// HandlingCountRow is the number of incidents and subjects of one commune
// handled one way: "29 criminal cases, 35 suspects".
type HandlingCountRow struct {
	Commune   string          `json:"commune"`
	Handling  camera.Handling `json:"handling"`
	Incidents int             `json:"incidents"`
	Subjects  int             `json:"subjects"`
}

// IncidentCounts are the aggregated incident figures planners and
// fundraisers may see: no ids, no notes, no case references.
type IncidentCounts struct {
	Rows       []IncidentCountRow `json:"rows"`
	ByHandling []HandlingCountRow `json:"by_handling"`
	Incidents  int                `json:"incidents"`
	Subjects   int                `json:"subjects"`
}

// IncidentCounts counts the incidents that start in [from, to) (a zero
// bound is open) per commune × category × month, and per commune ×
// handling, with the sums of their subjects. An incident's commune is its
// first camera's, read in the same transaction ("" when that camera has
// been deleted). Months are calendar months in from's location (pass a
// time in Asia/Ho_Chi_Minh for Vietnamese months; a zero from can carry
// one too, as time.Time{}.In(loc); UTC otherwise).
// Rows are sorted by commune, then month, then category; ByHandling by
// commune, then handling in the order of camera.Handlings.
//
// It reads only the time index, whose entries carry what is counted, and
// the cameras: no incident record is decoded.
func (s *Store) IncidentCounts(ctx context.Context, from, to time.Time) (*IncidentCounts, error) {
	return s.countIncidents(ctx, from, to, true)
}

// HandlingCounts is IncidentCounts without the rows by category and
// month (Rows is empty): all the district summary needs, and at 200,000
// incidents a quarter less work.
func (s *Store) HandlingCounts(ctx context.Context, from, to time.Time) (*IncidentCounts, error) {
	return s.countIncidents(ctx, from, to, false)
}

func (s *Store) countIncidents(ctx context.Context, from, to time.Time, withRows bool) (*IncidentCounts, error) {
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, queryErrorf(QueryEnd, "must be after from")
	}
	loc := from.Location() // UTC for time.Time{}; time.Time{}.In(loc) carries loc
	type rowKey struct {
		commune, month string
		category       camera.Category
	}
	type handKey struct {
		commune  string
		handling camera.Handling
	}
	rows := map[rowKey]*IncidentCountRow{}
	hands := map[handKey]*HandlingCountRow{}
	out := &IncidentCounts{Rows: []IncidentCountRow{}, ByHandling: []HandlingCountRow{}}

	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIncByTime)
		if b == nil {
			return nil
		}
		communes := communeLookup{tx: tx, cache: map[string]string{}}
		return walkTimeIndex(ctx, b, from, to, func(k, v []byte) error {
			sum, err := decodeSummary(v)
			if err != nil {
				return fmt.Errorf("incident %q: %w", k[8:], err)
			}
			commune, err := communes.of(sum.camera0)
			if err != nil {
				return err
			}
			if withRows {
				month := decTime(k[:8]).In(loc).Format("2006-01")
				rk := rowKey{commune, month, sum.category}
				r := rows[rk]
				if r == nil {
					r = &IncidentCountRow{Commune: commune, Category: sum.category, Month: month}
					rows[rk] = r
				}
				r.Incidents++
				r.Subjects += sum.subjects
			}
			hk := handKey{commune, sum.handling}
			h := hands[hk]
			if h == nil {
				h = &HandlingCountRow{Commune: commune, Handling: sum.handling}
				hands[hk] = h
			}
			h.Incidents++
			h.Subjects += sum.subjects
			out.Incidents++
			out.Subjects += sum.subjects
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Commune != b.Commune {
			return a.Commune < b.Commune
		}
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.Category < b.Category
	})
	for _, h := range hands {
		out.ByHandling = append(out.ByHandling, *h)
	}
	sort.Slice(out.ByHandling, func(i, j int) bool {
		a, b := out.ByHandling[i], out.ByHandling[j]
		if a.Commune != b.Commune {
			return a.Commune < b.Commune
		}
		return handlingRank(a.Handling) < handlingRank(b.Handling)
	})
	return out, nil
}

func handlingRank(h camera.Handling) int {
	for i, x := range camera.Handlings {
		if x == h {
			return i
		}
	}
	return len(camera.Handlings)
}

// communeLookup caches the commune of each camera for one transaction.
type communeLookup struct {
	tx    *bolt.Tx
	cache map[string]string
	facts cameraFacts
}

func (l *communeLookup) of(id string) (string, error) {
	if c, ok := l.cache[id]; ok {
		return c, nil
	}
	// The camera's facts record, not its whole record: a count over
	// 200,000 incidents looks up as many cameras.
	found, err := getCameraFacts(l.tx, []byte(id), &l.facts)
	if err != nil {
		return "", err
	}
	var commune string
	if found {
		commune = string(l.facts.commune)
	}
	l.cache[id] = commune
	return commune, nil
}
