package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// donationHeader is the donation CSV header of docs/design.md.
var donationHeader = []string{"donor", "amount_vnd", "received_on", "camera_id", "commune", "note"}

// donation is one gift: to a camera, or (no camera) to a commune's pool.
type donation struct {
	donor   string
	amount  int64
	date    string
	camID   string
	commune string
	note    string
}

// donationStep is the step of donation amounts: 10,000 VND.
const donationStep = 10_000

// niceAmounts are the amounts people like to give.
var niceAmounts = []int64{200_000, 300_000, 500_000, 500_000, 1_000_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000}

// donorBook holds the donors of one commune, so that the same people and
// shops give to several cameras, as they do.
type donorBook struct {
	people, shops, orgs []string
}

// newDonorBook makes up the residents, shops and organisations of c.
// Shop names are kept unique across the district through shops.
func newDonorBook(c *commune, r *rng, shops map[string]bool) donorBook {
	var b donorBook
	seen := map[string]bool{}
	for len(b.people) < 30 {
		if n := personName(r); !seen[n] {
			seen[n] = true
			b.people = append(b.people, n)
		}
	}
	for len(b.shops) < 6 {
		if n := businessName(r); !shops[n] {
			shops[n] = true
			b.shops = append(b.shops, n)
		}
	}
	b.orgs = organisations(c)
	return b
}

// donor picks a donor: mostly residents, then shops, organisations, and
// now and then a district-wide donor.
func (b donorBook) donor(r *rng, orgShare float64) string {
	x := r.float()
	switch {
	case x < orgShare:
		return pick(r, b.orgs)
	case x < orgShare+0.05:
		return pick(r, districtDonors)
	case x < orgShare+0.3:
		return pick(r, b.shops)
	default:
		return pick(r, b.people)
	}
}

// roundStep rounds v to a multiple of donationStep.
func roundStep(v float64) int64 { return int64(v/donationStep+0.5) * donationStep }

// buildDonations raises the money for every camera. Most cameras are
// funded exactly, some only in part (the commune's pool paid the rest),
// some more than their price (the surplus pays for upkeep); gifts to the
// communes' pools make the total come out at exactly TotalCostVND.
func buildDonations(cs []*commune, cams []*cam) ([]donation, error) {
	r := newRNG("donations")
	books := make([]donorBook, len(cs))
	shops := map[string]bool{}
	for i, c := range cs {
		books[i] = newDonorBook(c, r, shops)
	}
	var ds []donation
	var tied int64
	for _, c := range cams {
		cost := int64(c.costUnits) * costUnit
		amount := cost
		over := false
		switch x := r.float(); {
		case x < 0.3:
			amount = roundStep(float64(cost) * r.between(0.45, 0.9))
		case x > 0.85:
			amount = roundStep(float64(cost) * r.between(1.05, 1.25))
			over = true
		}
		tied += amount
		installed, err := time.Parse(time.DateOnly, c.installed)
		if err != nil {
			return nil, err
		}
		k := 1
		switch {
		case amount > 4_000_000:
			k = r.intBetween(2, 5)
		case amount > 1_500_000:
			k = r.intBetween(1, 3)
		default:
			k = r.intBetween(1, 2)
		}
		book := books[c.commune]
		left := amount
		for i := 0; i < k && left > 0; i++ {
			part := left
			last := i == k-1
			if !last {
				var fits []int64
				for _, a := range niceAmounts {
					if a <= left-200_000 {
						fits = append(fits, a)
					}
				}
				if len(fits) == 0 {
					last = true
				} else {
					part = pick(r, fits)
				}
			}
			donor := book.donor(r, 0.1)
			note := pick(r, []string{"Ủng hộ lắp camera ", "Góp tiền lắp camera an ninh ", "Đóng góp camera "}) + c.Name
			date := installed.AddDate(0, 0, -r.intBetween(5, 120))
			if r.chance(0.1) {
				date = installed.AddDate(0, 0, r.intBetween(0, 30))
			}
			if last && k > 1 {
				donor = book.donor(r, 0.5)
				note = "Phần còn lại kinh phí lắp camera " + c.Name
				if over {
					// The surplus came after the camera was up.
					note = "Ủng hộ thêm kinh phí bảo trì camera " + c.Name
					date = installed.AddDate(0, 0, r.intBetween(10, 90))
				}
			}
			if date.Before(programmeStart) {
				date = programmeStart.AddDate(0, 0, r.intn(15))
			}
			ds = append(ds, donation{donor, part, clampDate(date), c.ID, cs[c.commune].Name, note})
			left -= part
			if last {
				break
			}
		}
	}

	pool := TotalCostVND - tied
	if pool < 30_000_000 || pool > 250_000_000 {
		return nil, fmt.Errorf("commune pools would get %d VND", pool)
	}
	gifts := []int64{500_000, 1_000_000, 2_000_000, 2_000_000, 3_000_000, 5_000_000, 5_000_000, 10_000_000}
	for left := pool; left > 0; {
		g := pick(r, gifts)
		if g > left || left-g < 500_000 {
			g = left
		}
		ci := r.intn(len(cs))
		c := cs[ci]
		note := pick(r, []string{"Đóng góp quỹ camera an ninh ", "Ủng hộ chương trình camera phòng chống tội phạm "}) + c.title()
		date := randomDate(r, []float64{0.15, 0.2, 0.25, 0.25, 0.15})
		ds = append(ds, donation{books[ci].donor(r, 0.35), g, date.Format(time.DateOnly), "", c.Name, note})
		left -= g
	}
	sort.SliceStable(ds, func(a, b int) bool {
		if ds[a].date != ds[b].date {
			return ds[a].date < ds[b].date
		}
		return ds[a].camID < ds[b].camID
	})
	return ds, nil
}

// clampDate keeps a date inside the programme and formats it.
func clampDate(t time.Time) string {
	if t.Before(programmeStart) {
		t = programmeStart
	}
	if t.After(programmeEnd) {
		t = programmeEnd
	}
	return t.Format(time.DateOnly)
}

// donationsCSV writes donations.csv.
func donationsCSV(ds []donation) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(donationHeader); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if err := cw.Write([]string{d.donor, strconv.FormatInt(d.amount, 10), d.date, d.camID, d.commune, d.note}); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
