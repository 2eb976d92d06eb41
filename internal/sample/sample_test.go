package sample_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// files are the embedded files by name, read through the public API.
var files = map[string]func() []byte{
	sample.CamerasFile:       sample.Cameras,
	sample.CommunesFile:      sample.Communes,
	sample.RoadsFile:         sample.Roads,
	sample.IntersectionsFile: sample.Intersections,
	sample.DonationsFile:     sample.Donations,
	sample.IncidentsFile:     sample.Incidents,
	sample.TipsFile:          sample.Tips,
}

// TestEmbeddedFilesAreGenerated runs the generator again: the embedded
// files must be exactly its output. If this fails after a change to the
// generator, run `go run ./internal/sample/gen` from the repository root.
func TestEmbeddedFilesAreGenerated(t *testing.T) {
	got, err := sample.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(files) {
		t.Errorf("Generate returned %d files, want %d", len(got), len(files))
	}
	for name, embedded := range files {
		if !bytes.Equal(got[name], embedded()) {
			t.Errorf("%s: embedded file differs from Generate's output; run go run ./internal/sample/gen", name)
		}
	}
	entries, err := fs.ReadDir(sample.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			t.Errorf("stray embedded file %s", e.Name())
		}
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	b := sample.Cameras()
	b[0] = 'X'
	if sample.Cameras()[0] == 'X' {
		t.Error("Cameras returned the embedded bytes themselves")
	}
}

// TestTextIsNFC checks every file is valid UTF-8 without combining marks:
// every Vietnamese letter has a precomposed form, so NFC text has none.
func TestTextIsNFC(t *testing.T) {
	for name, read := range files {
		b := read()
		if !utf8.Valid(b) {
			t.Errorf("%s: not UTF-8", name)
		}
		if bytes.ContainsRune(b, '\r') || bytes.ContainsRune(b, '\uFEFF') {
			t.Errorf("%s: has a carriage return or a byte-order mark", name)
		}
		for i, r := range string(b) {
			if unicode.Is(unicode.Mn, r) {
				t.Errorf("%s: combining mark U+%04X at byte %d: not NFC", name, r, i)
				break
			}
		}
	}
	if !strings.Contains(string(sample.Cameras()), "Chợ Gạo") {
		t.Error("cameras.csv does not spell Chợ Gạo with diacritics")
	}
}

var cameraHeader = []string{"id", "name", "lat", "lon", "commune", "district", "province", "road_class", "site",
	"direction_deg", "fov_deg", "range_m", "rtsp_url", "installed_on", "cost_vnd"}

// cam is one parsed camera.
type cam struct {
	id, name, commune, class, site, installed string
	at                                        pos
	dir, fov, rangeM                          float64
	cost                                      int64
}

func cameras(t *testing.T) []cam {
	t.Helper()
	var out []cam
	for _, r := range readCSV(t, sample.CamerasFile, sample.Cameras(), cameraHeader) {
		num := func(k string) float64 {
			v, err := strconv.ParseFloat(r[k], 64)
			if err != nil {
				t.Fatalf("camera %s: %s: %v", r["id"], k, err)
			}
			return v
		}
		cost, err := strconv.ParseInt(r["cost_vnd"], 10, 64)
		if err != nil {
			t.Fatalf("camera %s: cost_vnd: %v", r["id"], err)
		}
		out = append(out, cam{r["id"], r["name"], r["commune"], r["road_class"], r["site"], r["installed_on"],
			pos{num("lat"), num("lon")}, num("direction_deg"), num("fov_deg"), num("range_m"), cost})
	}
	return out
}

func TestCameras(t *testing.T) {
	cams := cameras(t)
	cs := communes(t)
	if len(cams) != sample.CameraCount {
		t.Fatalf("%d cameras, want %d", len(cams), sample.CameraCount)
	}
	recs := readCSV(t, sample.CamerasFile, sample.Cameras(), cameraHeader)
	perCommune := map[string]int{}
	names := map[string]bool{}
	var total, roadCost, junctionCost int64
	var roadN, junctionN, domes int
	for i, c := range cams {
		if want := fmt.Sprintf("CG-%04d", i+1); c.id != want {
			t.Errorf("camera %d: id %s, want %s", i, c.id, want)
		}
		if names[c.name] {
			t.Errorf("%s: name %q used twice", c.id, c.name)
		}
		names[c.name] = true
		perCommune[c.commune]++
		if got := communeOf(cs, c.at); got != c.commune {
			t.Errorf("%s at %v: commune %q, but the point is in %q", c.id, c.at, c.commune, got)
		}
		if !is6(c.at.lat) || !is6(c.at.lon) {
			t.Errorf("%s: position %v has more than 6 decimals", c.id, c.at)
		}
		if c.dir != math.Trunc(c.dir) || c.dir < 0 || c.dir > 359 {
			t.Errorf("%s: direction_deg %v", c.id, c.dir)
		}
		switch {
		case c.fov == 360:
			domes++
		case c.fov < 90 || c.fov > 110:
			t.Errorf("%s: fov_deg %v, want 90–110 or 360", c.id, c.fov)
		}
		if c.rangeM < 30 || c.rangeM > 80 {
			t.Errorf("%s: range_m %v, want 30–80", c.id, c.rangeM)
		}
		if c.installed < "2019-01-01" || c.installed > "2023-12-31" || (i > 0 && c.installed < cams[i-1].installed) {
			t.Errorf("%s: installed_on %s (ids follow installation order, 2019–2023)", c.id, c.installed)
		}
		if c.cost%100_000 != 0 || c.cost < 2_500_000 || c.cost > 9_000_000 {
			t.Errorf("%s: cost_vnd %d", c.id, c.cost)
		}
		total += c.cost
		switch {
		case c.site == "road":
			roadN++
			roadCost += c.cost
			if c.class != "national" && c.class != "provincial" {
				t.Errorf("%s: road camera on a %s road", c.id, c.class)
			}
		case c.site == "intersection" && (c.class == "national" || c.class == "provincial" || c.class == "district"):
			junctionN++
			junctionCost += c.cost
		case c.site != "intersection" && c.site != "other":
			t.Errorf("%s: site %q", c.id, c.site)
		}
		r := recs[i]
		if r["district"] != "Chợ Gạo" || r["province"] != "Tiền Giang" {
			t.Errorf("%s: district %q, province %q", c.id, r["district"], r["province"])
		}
		if want := "rtsp://cam." + strings.ToLower(c.id) + ".local:554/Streaming/Channels/101"; r["rtsp_url"] != want {
			t.Errorf("%s: rtsp_url %q, want %q", c.id, r["rtsp_url"], want)
		}

		// The domain's own validation accepts every camera.
		dc := camera.Camera{ID: c.id, Name: c.name, Lat: c.at.lat, Lon: c.at.lon, Commune: c.commune,
			District: r["district"], Province: r["province"], RoadClass: camera.RoadClass(c.class),
			Site: camera.Site(c.site), DirectionDeg: c.dir, FOVDeg: c.fov, RangeM: c.rangeM,
			RTSPURL: r["rtsp_url"], InstalledOn: c.installed, CostVND: c.cost}
		dc.ApplyDefaults()
		if err := dc.Validate(); err != nil {
			t.Errorf("%s: %v", c.id, err)
		}
	}
	for _, name := range sample.CommuneNames() {
		if perCommune[name] < 8 {
			t.Errorf("commune %s has %d cameras, want at least 8", name, perCommune[name])
		}
	}
	if len(perCommune) != sample.CommuneCount {
		t.Errorf("cameras in %d communes, want %d", len(perCommune), sample.CommuneCount)
	}
	for _, c := range []struct {
		what      string
		got, want int64
	}{
		{"total cost", total, sample.TotalCostVND},
		{"road cameras", int64(roadN), sample.RoadCameraCount},
		{"road cameras' cost", roadCost, sample.RoadCostVND},
		{"junction cameras", int64(junctionN), sample.JunctionCameraCount},
		{"junction cameras' cost", junctionCost, sample.JunctionCostVND},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if share := float64(domes) / float64(len(cams)); share < 0.05 || share > 0.15 {
		t.Errorf("%d domes (%.0f %%), want about 10 %%", domes, 100*share)
	}
}

// TestCamerasWatchTheRoads checks where the cameras look: road cameras
// stand on their road and look along it, junction cameras watch a junction
// of their class, and coverage leaves gaps for planners to find.
func TestCamerasWatchTheRoads(t *testing.T) {
	cams := cameras(t)
	ls := roads(t)
	js := intersections(t)
	for _, c := range cams {
		switch {
		case c.site == "road":
			best, head := math.Inf(1), 0.0
			for _, l := range ls {
				if l.class != c.class {
					continue
				}
				if d, h := l.distTo(c.at); d < best {
					best, head = d, h
				}
			}
			if best > 2 {
				t.Errorf("%s: %.1f m from the nearest %s road", c.id, best, c.class)
			}
			if d := angleDiff(c.dir, head); math.Min(d, 180-d) > 10 {
				t.Errorf("%s: looks at %v°, the road runs at %.0f°", c.id, c.dir, head)
			}
		case c.site == "intersection":
			seen := false
			for _, j := range js {
				if j.class == c.class && haversineM(c.at, j.at) < 20 && covers(c.at, c.dir, c.fov, c.rangeM, j.at) {
					seen = true
					break
				}
			}
			if !seen {
				t.Errorf("%s %q: watches no %s intersection within 20 m", c.id, c.name, c.class)
			}
		}
	}

	covered := map[string]int{}
	near := map[string]int{}
	all := map[string]int{}
	for _, j := range js {
		all[j.class]++
		for _, c := range cams {
			if covers(c.at, c.dir, c.fov, c.rangeM, j.at) {
				covered[j.class]++
				break
			}
		}
		for _, c := range cams {
			if haversineM(c.at, j.at) <= 50 {
				near[j.class]++
				break
			}
		}
	}
	for _, class := range []string{"national", "provincial", "district", "commune"} {
		if covered[class] == 0 || covered[class] == all[class] {
			t.Errorf("%s intersections: %d of %d covered, want some covered and some gaps", class, covered[class], all[class])
		}
	}
	t.Logf("intersections by class: %v; covered (docs/design.md definition): %v; with a camera within 50 m: %v", all, covered, near)
}

var donationHeader = []string{"donor", "amount_vnd", "received_on", "camera_id", "commune", "note"}

func TestDonations(t *testing.T) {
	cams := map[string]cam{}
	for _, c := range cameras(t) {
		cams[c.id] = c
	}
	communes := map[string]bool{}
	for _, n := range sample.CommuneNames() {
		communes[n] = true
	}
	ds := readCSV(t, sample.DonationsFile, sample.Donations(), donationHeader)
	if len(ds) < 600 || len(ds) > 900 {
		t.Errorf("%d donations, want 600–900", len(ds))
	}
	var total int64
	funded := map[string]int64{}
	pool := 0
	kinds := map[string]int{}
	for i, d := range ds {
		amount, err := strconv.ParseInt(d["amount_vnd"], 10, 64)
		if err != nil || amount <= 0 || amount%10_000 != 0 {
			t.Errorf("donation %d: amount_vnd %q", i, d["amount_vnd"])
		}
		total += amount
		if _, err := time.Parse(time.DateOnly, d["received_on"]); err != nil || d["received_on"] < "2019-01-01" || d["received_on"] > "2023-12-31" {
			t.Errorf("donation %d: received_on %q", i, d["received_on"])
		}
		if strings.TrimSpace(d["donor"]) == "" || strings.TrimSpace(d["note"]) == "" {
			t.Errorf("donation %d: empty donor or note", i)
		}
		if !communes[d["commune"]] {
			t.Errorf("donation %d: commune %q", i, d["commune"])
		}
		switch {
		case strings.HasPrefix(d["donor"], "Ủy ban Mặt trận Tổ quốc"), strings.HasPrefix(d["donor"], "Hội "), strings.HasPrefix(d["donor"], "Đoàn Thanh niên"):
			kinds["organisation"]++
		case strings.HasPrefix(d["donor"], "Cửa hàng"), strings.HasPrefix(d["donor"], "Tiệm"), strings.HasPrefix(d["donor"], "Công ty"):
			kinds["business"]++
		}
		if d["camera_id"] == "" {
			pool++
			continue
		}
		c, ok := cams[d["camera_id"]]
		if !ok {
			t.Errorf("donation %d: unknown camera %q", i, d["camera_id"])
			continue
		}
		if d["commune"] != c.commune {
			t.Errorf("donation %d: commune %q, but camera %s is in %q", i, d["commune"], c.id, c.commune)
		}
		funded[c.id] += amount
	}
	if total != sample.TotalCostVND {
		t.Errorf("donations add up to %d, want %d", total, sample.TotalCostVND)
	}
	if pool == 0 || pool > len(ds)/5 {
		t.Errorf("%d of %d donations go to a commune's pool, want some but not many", pool, len(ds))
	}
	if kinds["organisation"] == 0 || kinds["business"] == 0 {
		t.Errorf("donors by kind: %v, want organisations and businesses too", kinds)
	}
	under, over, exact := 0, 0, 0
	for id, c := range cams {
		switch f := funded[id]; {
		case f < c.cost:
			under++
		case f > c.cost:
			over++
		default:
			exact++
		}
	}
	if under == 0 || over == 0 || exact < len(cams)/3 {
		t.Errorf("cameras under-funded %d, over-funded %d, exactly funded %d", under, over, exact)
	}
}

// incident mirrors the incident JSON of docs/design.md; unknown fields fail.
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
}

func TestIncidents(t *testing.T) {
	cams := map[string]cam{}
	for _, c := range cameras(t) {
		cams[c.id] = c
	}
	dec := json.NewDecoder(bytes.NewReader(sample.Incidents()))
	dec.DisallowUnknownFields()
	var ins []incident
	if err := dec.Decode(&ins); err != nil {
		t.Fatal(err)
	}
	idRE := regexp.MustCompile(`^INC-(\d{4})-\d{3}$`)
	refRE := regexp.MustCompile(`^CA-CG/(\d{4})/\d{3}$`)
	categories := map[string]bool{"theft": true, "robbery": true, "assault": true, "traffic": true, "vandalism": true, "other": true}
	seen := map[string]bool{}
	criminal, suspects, others := 0, 0, 0
	for _, in := range ins {
		m := idRE.FindStringSubmatch(in.ID)
		if m == nil || seen[in.ID] {
			t.Errorf("incident id %q", in.ID)
			continue
		}
		seen[in.ID] = true
		if r := refRE.FindStringSubmatch(in.CaseRef); r == nil || seen[in.CaseRef] {
			t.Errorf("%s: case_ref %q", in.ID, in.CaseRef)
		}
		seen[in.CaseRef] = true
		start, err1 := time.Parse(time.RFC3339, in.Start)
		end, err2 := time.Parse(time.RFC3339, in.End)
		if err1 != nil || err2 != nil || !strings.HasSuffix(in.Start, "+07:00") || !strings.HasSuffix(in.End, "+07:00") {
			t.Errorf("%s: start %q, end %q, want RFC 3339 at +07:00", in.ID, in.Start, in.End)
			continue
		}
		if d := end.Sub(start); d < 5*time.Minute || d > 60*time.Minute {
			t.Errorf("%s: lasts %v, want 5–60 minutes", in.ID, d)
		}
		if y := start.Year(); y < 2021 || y > 2023 || strconv.Itoa(y) != m[1] {
			t.Errorf("%s: starts %s", in.ID, in.Start)
		}
		if !categories[in.Category] {
			t.Errorf("%s: category %q", in.ID, in.Category)
		}
		if strings.TrimSpace(in.Note) == "" {
			t.Errorf("%s: no note", in.ID)
		}
		if n := len(in.CameraIDs); n < 1 || n > 3 || !sort.StringsAreSorted(in.CameraIDs) {
			t.Errorf("%s: camera_ids %v", in.ID, in.CameraIDs)
		}
		for i, id := range in.CameraIDs {
			c, ok := cams[id]
			if !ok {
				t.Errorf("%s: unknown camera %s", in.ID, id)
				continue
			}
			if c.installed >= in.Start[:10] {
				t.Errorf("%s: camera %s was installed on %s, after the incident", in.ID, id, c.installed)
			}
			for _, other := range in.CameraIDs[:i] {
				if other == id || haversineM(c.at, cams[other].at) > 1000 {
					t.Errorf("%s: cameras %s and %s are not near each other", in.ID, other, id)
				}
			}
		}
		switch in.Handling {
		case "criminal":
			criminal++
			suspects += in.Subjects
			if in.Subjects < 1 {
				t.Errorf("%s: criminal case without suspects", in.ID)
			}
		case "administrative", "education", "none":
			others++
			if in.Subjects < 0 {
				t.Errorf("%s: %d subjects", in.ID, in.Subjects)
			}
		default:
			t.Errorf("%s: handling %q", in.ID, in.Handling)
		}
	}
	if criminal != sample.CriminalCases || suspects != sample.CriminalSubjects {
		t.Errorf("%d criminal cases with %d suspects, want %d with %d", criminal, suspects, sample.CriminalCases, sample.CriminalSubjects)
	}
	if others < 15 || others > 25 {
		t.Errorf("%d incidents handled otherwise, want 15–25", others)
	}
}
