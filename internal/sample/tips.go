package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// The district's second table: what the crime hotline's tips led to. The
// sample's tips reproduce it exactly; the rest of the TipCount tips were
// found unfounded or are still being checked.
const (
	TipCount                = 165
	TipCriminalCases        = 15
	TipCriminalPeople       = 17
	TipAdministrativeCases  = 24
	TipAdministrativePeople = 40
	TipEducatedPeople       = 25
)

// tipEducationCases are the tips that ended in people being educated (25
// people over 20 tips), tipUnfounded those found to have no ground; the
// others are pending.
const (
	tipEducationCases = 20
	tipUnfounded      = 60
)

// tip is one entry of tips.json, with the JSON names of the tip routes
// (POST /api/v1/tips). The informants are made up, as every name of the
// sample is; the daemon seals them on arrival like any other.
type tip struct {
	ID          string        `json:"id"`
	ReceivedAt  string        `json:"received_at"`
	Channel     string        `json:"channel"`
	Lat         *float64      `json:"lat,omitempty"`
	Lon         *float64      `json:"lon,omitempty"`
	Commune     string        `json:"commune"`
	Place       string        `json:"place,omitempty"`
	Category    string        `json:"category"`
	Summary     string        `json:"summary"`
	Outcome     string        `json:"outcome"`
	People      int           `json:"people"`
	IncidentIDs []string      `json:"incident_ids,omitempty"`
	Informant   *tipInformant `json:"informant,omitempty"`

	received time.Time
}

type tipInformant struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address,omitempty"`
}

// tipTopics are what people call about, by category, with how they say
// it (%s is the place).
var tipTopics = []struct {
	category string
	weight   float64
	says     []string
}{
	{"drugs", 0.22, []string{
		"Nghi có người tụ tập sử dụng ma túy về đêm tại %s.",
		"Thấy người lạ thường xuyên giao nhận gói nhỏ gần %s, nghi mua bán ma túy.",
	}},
	{"theft", 0.24, []string{
		"Nghi một nhóm chuyên trộm xe máy, hay lảng vảng gần %s.",
		"Phát hiện người lạ dòm ngó nhà dân, nghi trộm cắp gần %s.",
		"Trộm chó bằng xe máy không biển số hoạt động gần %s.",
	}},
	{"other", 0.18, []string{
		"Có tụ điểm đánh bạc (đá gà, đánh bài ăn tiền) gần %s.",
		"Nhóm thanh niên tụ tập, mang theo hung khí gần %s.",
	}},
	{"fighting", 0.1, []string{
		"Hai nhóm thanh niên hẹn nhau đánh nhau tại %s.",
	}},
	{"fraud", 0.1, []string{
		"Có người giả danh nhân viên điện lực thu tiền của dân gần %s.",
		"Nhóm cho vay nặng lãi dán quảng cáo, đòi nợ gần %s.",
	}},
	{"traffic", 0.1, []string{
		"Thanh thiếu niên tụ tập đua xe, lạng lách trên đường gần %s.",
	}},
	{"robbery", 0.06, []string{
		"Cướp giật điện thoại người đi đường thường xảy ra gần %s.",
	}},
}

// tipChannels and their shares: most tips come by the hotline.
var (
	tipChannels      = []string{"hotline", "message", "in_person", "other"}
	tipChannelWeight = []float64{0.6, 0.2, 0.15, 0.05}
)

// tipPlaces describe a place without a point: the caller named the
// commune and a landmark.
var tipPlaces = []string{"khu vực chợ", "bến đò", "đầu cầu", "cuối xóm", "bãi đất trống sau trường học", "quán cà phê ven đường", "khu vườn bỏ hoang"}

// buildTips makes up the hotline's tips of 2021–2023: exactly the
// district's outcomes (15 criminal cases with 17 people, 24 administrative
// with 40, 25 people educated), the rest unfounded or pending. Some of the
// criminal and administrative tips led to an incident the cameras recorded:
// they point at it and were received a few days before it.
func buildTips(communes []*commune, cams []*cam, incs []incident) ([]tip, error) {
	r := newRNG("tips")
	type plan struct {
		outcome string
		people  int
	}
	var plans []plan
	add := func(outcome string, people []int) {
		for _, p := range people {
			plans = append(plans, plan{outcome, p})
		}
	}
	add("criminal", spread(TipCriminalCases, TipCriminalPeople))
	add("administrative", spread(TipAdministrativeCases, TipAdministrativePeople))
	add("education", spread(tipEducationCases, TipEducatedPeople))
	add("unfounded", make([]int, tipUnfounded))
	add("pending", make([]int, TipCount-len(plans)))
	if len(plans) != TipCount {
		return nil, fmt.Errorf("%d tips planned, want %d", len(plans), TipCount)
	}
	camByID := map[string]*cam{}
	for _, c := range cams {
		camByID[c.ID] = c
	}
	// The incidents a tip can have led to, by handling, in file order.
	leads := map[string][]incident{}
	for _, in := range incs {
		leads[in.Handling] = append(leads[in.Handling], in)
	}
	linked := map[string]int{"criminal": 10, "administrative": 3}

	weights := make([]float64, len(tipTopics))
	for i, t := range tipTopics {
		weights[i] = t.weight
	}
	var out []tip
	for _, p := range plans {
		topic := tipTopics[r.weighted(weights)]
		t := tip{Channel: tipChannels[r.weighted(tipChannelWeight)], Category: topic.category, Outcome: p.outcome, People: p.people}
		anchor := pick(r, cams)
		switch {
		case linked[p.outcome] > 0 && len(leads[p.outcome]) > 0:
			linked[p.outcome]--
			in := leads[p.outcome][0]
			leads[p.outcome] = leads[p.outcome][1:]
			t.IncidentIDs = []string{in.ID}
			t.Category = in.Category
			anchor = camByID[in.CameraIDs[0]]
			start, err := time.Parse(time.RFC3339, in.Start)
			if err != nil {
				return nil, err
			}
			t.received = start.Add(-time.Duration(r.intBetween(24, 240)) * time.Hour).Add(time.Duration(r.intn(3600)) * time.Second)
		case p.outcome == "pending":
			// Still being checked: the last months of the period.
			t.received = time.Date(2023, 9, 1, 0, 0, 0, 0, ict).Add(time.Duration(r.intn(120*24*3600)) * time.Second)
		default:
			day := randomDate(r, []float64{0, 0, 0.3, 0.33, 0.37})
			t.received = time.Date(day.Year(), day.Month(), day.Day(), r.intBetween(6, 22), r.intn(60), r.intn(60), 0, ict)
		}
		t.received = t.received.In(ict)
		t.ReceivedAt = t.received.Format(time.RFC3339)
		t.Commune = communes[anchor.commune].Name
		where := place(anchor.Name)
		if len(t.IncidentIDs) > 0 || r.chance(0.8) {
			// Near the camera: within about 150 m.
			lat := round6(anchor.at.Lat + r.between(-0.0013, 0.0013))
			lon := round6(anchor.at.Lon + r.between(-0.0013, 0.0013))
			t.Lat, t.Lon = &lat, &lon
		} else {
			t.Place = pick(r, tipPlaces)
			where = t.Place
		}
		t.Summary = fmt.Sprintf(pick(r, topic.says), where)
		if r.chance(0.7) {
			in := &tipInformant{Name: personName(r), Phone: fmt.Sprintf("09%08d", r.intn(100_000_000))}
			if r.chance(0.5) {
				in.Address = fmt.Sprintf("ấp %s, %s", pick(r, hamletFirst)+" "+pick(r, hamletSecond), t.Commune)
			}
			t.Informant = in
		}
		out = append(out, t)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].received.Before(out[b].received) })
	seq := map[int]int{}
	for i := range out {
		y := out[i].received.Year()
		seq[y]++
		out[i].ID = fmt.Sprintf("TIP-%d-%03d", y, seq[y])
	}
	return out, nil
}

// spread returns n counts of people adding up to total, as even as whole
// numbers allow: 15 cases of 17 people are 13 of one and 2 of two.
func spread(n, total int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i < total%n {
			out[i]++
		}
	}
	return out
}

// tipsJSON writes tips.json: an indented array.
func tipsJSON(tips []tip) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tips); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
