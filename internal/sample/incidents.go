package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// incident is one entry of incidents.json, with the JSON names of
// docs/design.md.
type incident struct {
	ID        string   `json:"id"`
	CameraIDs []string `json:"camera_ids"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	Category  string   `json:"category"`
	CaseRef   string   `json:"case_ref"`
	Subjects  int      `json:"subjects"`
	Handling  string   `json:"handling"`
	Note      string   `json:"note"`

	start time.Time
}

// incidentPlan is one kind of incident: how it was handled, what it was,
// when in the day it tends to happen, and how to describe it (%s is the
// place).
type incidentPlan struct {
	handling, category string
	hours              []int
	notes              []string
	kind               string // if set, the kind of place the camera watches
}

var (
	night   = []int{0, 1, 2, 3, 4, 22, 23}
	evening = []int{18, 19, 20, 21, 22, 23}
	daytime = []int{6, 7, 8, 11, 12, 16, 17, 18}
)

// criminalPlans are the kinds of the 29 criminal cases and how many of
// each: thefts first, as everywhere.
var criminalPlans = []struct {
	count int
	plan  incidentPlan
}{
	{13, incidentPlan{"criminal", "theft", night, []string{
		"Trộm cắp xe máy tại %s; camera ghi rõ biển số, đã thu hồi tài sản trả cho người bị hại.",
		"Trộm cắp tài sản (điện thoại, tiền mặt) tại %s; xác định đối tượng qua hình ảnh camera.",
		"Trộm gà, vịt của người dân gần %s; camera ghi nhận đối tượng lúc rạng sáng.",
		"Trộm cắp máy bơm nước gần %s; truy xét qua camera, khởi tố vụ án.",
	}, ""}},
	{6, incidentPlan{"criminal", "robbery", evening, []string{
		"Cướp giật điện thoại của người đi đường tại %s; bắt giữ đối tượng nhờ hình ảnh camera.",
		"Cướp giật túi xách của phụ nữ đi xe máy tại %s.",
	}, ""}},
	{6, incidentPlan{"criminal", "assault", evening, []string{
		"Cố ý gây thương tích sau khi uống rượu tại %s.",
		"Dùng hung khí đánh người gây thương tích tại %s; camera ghi lại toàn bộ sự việc.",
	}, ""}},
	{2, incidentPlan{"criminal", "traffic", daytime, []string{
		"Gây tai nạn giao thông rồi bỏ chạy tại %s; camera giúp truy tìm xe gây tai nạn.",
	}, ""}},
	{2, incidentPlan{"criminal", "vandalism", night, []string{
		"Hủy hoại tài sản: đập phá camera và hộp điện tại %s.",
	}, ""}},
}

// otherPlans are the incidents handled without a criminal case.
var otherPlans = []struct {
	count int
	plan  incidentPlan
}{
	{4, incidentPlan{"administrative", "traffic", daytime, []string{
		"Xe tải chạy quá tốc độ, vượt ẩu tại %s; xử phạt vi phạm hành chính.",
		"Đua xe trái phép tại %s; lập biên bản, tạm giữ phương tiện.",
	}, ""}},
	{2, incidentPlan{"administrative", "other", evening, []string{
		"Gây rối trật tự công cộng tại %s; xử phạt vi phạm hành chính.",
		"Tụ tập đánh bạc (đá gà) gần %s; xử phạt vi phạm hành chính.",
	}, ""}},
	{1, incidentPlan{"administrative", "vandalism", night, []string{
		"Viết vẽ bậy, dán quảng cáo lên trụ camera tại %s; xử phạt vi phạm hành chính.",
	}, ""}},
	{3, incidentPlan{"education", "assault", daytime, []string{
		"Học sinh đánh nhau tại %s; mời gia đình và nhà trường phối hợp giáo dục.",
	}, "school"}},
	{2, incidentPlan{"education", "vandalism", evening, []string{
		"Thanh thiếu niên ném đá vào camera tại %s; giáo dục tại cộng đồng, gia đình bồi thường.",
	}, ""}},
	{2, incidentPlan{"education", "other", evening, []string{
		"Thanh thiếu niên tụ tập, nẹt pô gây mất trật tự tại %s; giáo dục tại cộng đồng.",
	}, ""}},
	{3, incidentPlan{"none", "traffic", daytime, []string{
		"Va chạm giao thông nhẹ tại %s; trích xuất camera xác định lỗi, hai bên tự thỏa thuận.",
	}, ""}},
	{2, incidentPlan{"none", "other", daytime, []string{
		"Trích xuất camera tìm trẻ đi lạc gần %s; đã tìm thấy và giao cho gia đình.",
		"Người dân báo mất ví tại %s; camera cho thấy ví rơi trên đường, đã trả lại chủ.",
	}, ""}},
}

// ict is Vietnam's time zone.
var ict = time.FixedZone("ICT", 7*3600)

// buildIncidents makes up the incidents the cameras helped with, in
// 2021–2023: exactly 29 criminal cases with 35 suspects in all, and 19
// handled otherwise.
func buildIncidents(cams []*cam) ([]incident, error) {
	r := newRNG("incidents")
	var plans []incidentPlan
	for _, p := range criminalPlans {
		for i := 0; i < p.count; i++ {
			plans = append(plans, p.plan)
		}
	}
	if len(plans) != CriminalCases {
		return nil, fmt.Errorf("%d criminal plans, want %d", len(plans), CriminalCases)
	}
	for _, p := range otherPlans {
		for i := 0; i < p.count; i++ {
			plans = append(plans, p.plan)
		}
	}
	// Suspects of the criminal cases: mostly one, a few pairs, one gang of
	// three: 24 + 2·4 + 3 = 35.
	subjects := make([]int, CriminalCases)
	for i := range subjects {
		subjects[i] = 1
	}
	for i := 0; i < 4; i++ {
		subjects[i] = 2
	}
	subjects[4] = 3
	shuffle(r, subjects)

	var out []incident
	for i, p := range plans {
		in := incident{Category: p.category, Handling: p.handling}
		switch {
		case i < CriminalCases:
			in.Subjects = subjects[i]
		case p.handling == "administrative":
			in.Subjects = r.intBetween(1, 2)
		case p.handling == "education":
			in.Subjects = r.intBetween(1, 3)
		}
		var anchor *cam
		for try := 0; anchor == nil; try++ {
			if try > 1000 {
				return nil, fmt.Errorf("no camera for incident %d", i)
			}
			c := pick(r, cams)
			if (p.category == "traffic" && c.site == siteOther) || (p.kind != "" && c.kind != p.kind) {
				continue
			}
			day := randomDate(r, []float64{0, 0, 0.3, 0.33, 0.37})
			in.start = time.Date(day.Year(), day.Month(), day.Day(), pick(r, p.hours), r.intn(60), 0, 0, ict)
			if installedBefore(c, in.start) {
				anchor = c
			}
		}
		in.CameraIDs = append(in.CameraIDs, anchor.ID)
		for _, o := range nearby(anchor, cams, 600) {
			if len(in.CameraIDs) == 3 || !r.chance(0.45) {
				break
			}
			if installedBefore(o, in.start) {
				in.CameraIDs = append(in.CameraIDs, o.ID)
			}
		}
		sort.Strings(in.CameraIDs)
		in.Start = in.start.Format(time.RFC3339)
		in.End = in.start.Add(time.Duration(r.intBetween(5, 60)) * time.Minute).Format(time.RFC3339)
		in.Note = fmt.Sprintf(pick(r, p.notes), place(anchor.Name))
		out = append(out, in)
	}

	sort.SliceStable(out, func(a, b int) bool { return out[a].start.Before(out[b].start) })
	seq := map[int]int{}
	ref := map[int]int{}
	for i := range out {
		y := out[i].start.Year()
		if ref[y] == 0 {
			ref[y] = r.intBetween(2, 8)
		}
		seq[y]++
		ref[y] += r.intBetween(1, 9)
		out[i].ID = fmt.Sprintf("INC-%d-%03d", y, seq[y])
		out[i].CaseRef = fmt.Sprintf("CA-CG/%d/%03d", y, ref[y])
	}
	return out, nil
}

// installedBefore reports whether c was installed at least a week before t.
func installedBefore(c *cam, t time.Time) bool {
	inst, err := time.ParseInLocation(time.DateOnly, c.installed, ict)
	return err == nil && inst.AddDate(0, 0, 7).Before(t)
}

// nearby returns the other cameras within m metres of c, nearest first.
func nearby(c *cam, cams []*cam, m float64) []*cam {
	var out []*cam
	for _, o := range cams {
		if o != c && haversineM(o.at, c.at) <= m {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		return haversineM(out[a].at, c.at) < haversineM(out[b].at, c.at)
	})
	return out
}

// place turns a camera name into a place in a sentence: "tại cổng chợ
// Song Bình" (the first letter lowered), "tại Km 74+021 Quốc lộ 50".
func place(name string) string {
	if strings.HasPrefix(name, "Km ") {
		return name
	}
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[n:]
}

// incidentsJSON writes incidents.json: an indented array.
func incidentsJSON(in []incident) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
