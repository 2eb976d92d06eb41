package registrytest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/registry"
)

// The country is the data set of the benchmarks at national scale —
// the funding views, the district summary, the daemon serving them:
// 1,000,000 cameras in 10,000 communes laid out as a 100 × 100 grid over
// Vietnam, each camera with a health history of two to four transitions;
// 100,000 intersections (ten per commune) most of which a camera watches;
// 5,000,000 donations (a tenth to communes' pools) from about a million
// donors; 200,000 incidents. Everything is dated before CountryClock, so
// a store whose clock is CountryClock or later accepts it.
const (
	CountryCameras       = 1_000_000
	CountryCommunes      = 10_000
	CountryIntersections = 100_000
	CountryDonations     = 5_000_000
	CountryIncidents     = 200_000

	countryChunk = 500_000 // donations generated and imported at a time
)

// CountryClock is the country's "now": its up-time histories end around
// it and its donations and incidents come before it.
var CountryClock = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// CountryIDs returns the camera ids of the country, in order.
func CountryIDs() []string {
	ids := make([]string, CountryCameras)
	for i := range ids {
		ids[i] = fmt.Sprintf("VN-%07d", i)
	}
	return ids
}

// CountryCommune is the name of commune c of the country.
func CountryCommune(c int) string { return fmt.Sprintf("Xã %05d", c) }

// CountryFile returns the path of a database file holding the country,
// built the first time it is asked for: in tb's temporary directory, or —
// to keep it between runs, as building takes about two minutes — at the
// path named by MATTHAN_COUNTRY_DB, reused when that file exists. The
// file is closed when CountryFile returns. built is how long the build
// took (0 when reused) and phases what it spent it on.
func CountryFile(tb testing.TB) (path string, built time.Duration, phases string) {
	tb.Helper()
	path = os.Getenv("MATTHAN_COUNTRY_DB")
	if path == "" {
		path = filepath.Join(tb.TempDir(), "country.db")
	} else if _, err := os.Stat(path); err == nil {
		return path, 0, ""
	}
	start := time.Now()
	s, err := registry.Open(path, registry.Options{Now: func() time.Time { return CountryClock }})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	phases, err = FillCountry(context.Background(), s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // half a country must not be reused
		tb.Fatalf("build the country in %s: %v", path, err)
	}
	return path, time.Since(start), phases
}

var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	middles  = []string{"Văn", "Thị", "Minh", "Hữu", "Ngọc", "Thanh", "Quốc", "Kim"}
	givens   = []string{"An", "Bình", "Cường", "Dũng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Phượng", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"}
)

// The communes' grid: commune c is the cell (c/100, c%100) of a grid of
// cells cellLat × cellLon degrees from (gridLat, gridLon).
const (
	gridSide = 100
	gridLat  = 8.5
	gridLon  = 102.5
	cellLat  = 0.14
	cellLon  = 0.07
	// Cameras per commune and intersections per commune.
	camsPerCommune = CountryCameras / CountryCommunes
	intsPerCommune = CountryIntersections / CountryCommunes
)

// FillCountry stores the country in s (which should be empty) and says
// how long each part took.
func FillCountry(ctx context.Context, s *registry.Store) (phases string, err error) {
	rng := rand.New(rand.NewPCG(2026, 6))
	phase := time.Now()
	lap := func(name string) {
		phases += fmt.Sprintf("%s %v; ", name, time.Since(phase).Round(100*time.Millisecond))
		phase = time.Now()
	}
	ids := CountryIDs()
	ints := countryIntersections(rng)
	raw, err := json.Marshal(ints)
	if err != nil {
		return phases, err
	}
	if err := s.PutLayer(ctx, registry.LayerIntersections, raw, "country", camera.SystemActor); err != nil {
		return phases, err
	}
	if err := fillCameras(ctx, s, rng, ids, ints); err != nil {
		return phases, err
	}
	lap("cameras")
	if err := fillHealth(ctx, s, rng, ids); err != nil {
		return phases, err
	}
	lap("health")
	if err := fillDonations(ctx, s, rng, ids); err != nil {
		return phases, err
	}
	lap("donations")
	if err := fillIncidents(ctx, s, rng, ids); err != nil {
		return phases, err
	}
	lap("incidents")
	return phases, nil
}

// countryIntersections places ten junctions at random in each commune's
// cell.
func countryIntersections(rng *rand.Rand) []geo.Intersection {
	out := make([]geo.Intersection, 0, CountryIntersections)
	for c := range CountryCommunes {
		row, col := float64(c/gridSide), float64(c%gridSide)
		for j := range intsPerCommune {
			out = append(out, geo.Intersection{
				ID:        fmt.Sprintf("NT-%05d-%d", c, j),
				Name:      fmt.Sprintf("Ngã tư %d xã %05d", j, c),
				Lat:       gridLat + (row+rng.Float64())*cellLat,
				Lon:       gridLon + (col+rng.Float64())*cellLon,
				RoadClass: camera.RoadClasses[rng.IntN(len(camera.RoadClasses))],
				Commune:   CountryCommune(c),
			})
		}
	}
	return out
}

// fillCameras mounts each commune's hundred cameras at its junctions: a
// few metres off one, looking at it, except one in five put somewhere
// else in the commune — so some junctions go unwatched.
func fillCameras(ctx context.Context, s *registry.Store, rng *rand.Rand, ids []string, ints []geo.Intersection) error {
	cams := make([]*camera.Camera, 0, 100_000)
	for i, id := range ids {
		c := i / camsPerCommune
		lat, lon := gridLat+(float64(c/gridSide)+rng.Float64())*cellLat, gridLon+(float64(c%gridSide)+rng.Float64())*cellLon
		dir := float64(rng.IntN(360))
		if rng.IntN(5) != 0 {
			at := ints[c*intsPerCommune+rng.IntN(intsPerCommune)]
			// 15–40 m south-west of the junction, looking north-east.
			d := 15 + rng.Float64()*25
			lat = at.Lat - d/111_195
			lon = at.Lon - d/(111_195*math.Cos(at.Lat*math.Pi/180))
			dir = 45
		}
		cam := &camera.Camera{
			ID: id, Name: "Camera " + id, Lat: lat, Lon: lon,
			Commune: CountryCommune(c), District: fmt.Sprintf("Huyện %03d", c/100), Province: "Tỉnh",
			DirectionDeg: dir, FOVDeg: 90, RangeM: 60,
			CostVND: int64(200+rng.IntN(600)) * 10_000, InstalledOn: "2020-01-01",
		}
		cam.ApplyDefaults()
		cams = append(cams, cam)
		if len(cams) == cap(cams) {
			if _, err := s.ImportCameras(ctx, cams, false, camera.SystemActor); err != nil {
				return err
			}
			cams = cams[:0]
		}
	}
	return nil
}

// fillHealth gives every camera a history: up since 40 days before the
// clock; down for up to two days ten days before for a third of them;
// degraded in the last three days for a tenth of the others.
func fillHealth(ctx context.Context, s *registry.Store, rng *rand.Rand, ids []string) error {
	var ts []camera.Transition
	for i, id := range ids {
		start := CountryClock.Add(-40*24*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		ts = append(ts, camera.Transition{CameraID: id, At: start, From: camera.StateUnknown, To: camera.StateUp, Reason: "ok"})
		if rng.IntN(3) == 0 {
			down := CountryClock.Add(-10*24*time.Hour + time.Duration(rng.IntN(86400))*time.Second)
			ts = append(ts,
				camera.Transition{CameraID: id, At: down, From: camera.StateUp, To: camera.StateDown, Reason: "timeout"},
				camera.Transition{CameraID: id, At: down.Add(time.Duration(1+rng.IntN(48)) * time.Hour), From: camera.StateDown, To: camera.StateUp, Reason: "ok"})
		} else if rng.IntN(9) == 0 {
			ts = append(ts, camera.Transition{CameraID: id, At: CountryClock.Add(-time.Duration(rng.IntN(72)) * time.Hour), From: camera.StateUp, To: camera.StateDegraded, Reason: "no_frames"})
		}
		if i%100_000 == 99_999 {
			if err := s.RecordHealth(ctx, nil, ts); err != nil {
				return err
			}
			ts = ts[:0]
		}
	}
	return nil
}

// fillDonations gives from a book of 100 donors per commune and 2,000
// companies giving everywhere: about a million donors. Donations go to
// cameras drawn at random, a chunk of cameras at a time and in camera
// order within it, as an import of a file sorted by camera would: the
// indexes by camera and by commune then grow at their end, which halves
// the time of the build. The views do not care about the order the data
// came in.
func fillDonations(ctx context.Context, s *registry.Store, rng *rand.Rand, ids []string) error {
	books := make([][]string, CountryCommunes)
	for c := range books {
		for range 100 {
			books[c] = append(books[c], fmt.Sprintf("%s %s %s (xã %05d)", surnames[rng.IntN(len(surnames))], middles[rng.IntN(len(middles))], givens[rng.IntN(len(givens))], c))
		}
	}
	companies := make([]string, 2000)
	for i := range companies {
		companies[i] = fmt.Sprintf("Công ty TNHH Thương mại %04d", i)
	}
	days := make([]string, 0, 2000)
	for d := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC); d.Before(CountryClock); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	perChunk := CountryCameras / (CountryDonations / countryChunk)
	for c0 := 0; c0 < CountryCameras; c0 += perChunk {
		draws := make([]int, countryChunk)
		for i := range draws {
			draws[i] = c0 + rng.IntN(perChunk)
		}
		slices.Sort(draws)
		ds := make([]*camera.Donation, 0, countryChunk)
		for _, cam := range draws {
			commune := cam / camsPerCommune
			d := &camera.Donation{AmountVND: int64(1+rng.IntN(300)) * 10_000, ReceivedOn: days[rng.IntN(len(days))], Note: "Ủng hộ camera an ninh"}
			if rng.IntN(10) == 0 {
				d.Commune = CountryCommune(commune)
			} else {
				d.CameraID = ids[cam]
			}
			if rng.IntN(20) == 0 {
				d.Donor = companies[rng.IntN(len(companies))]
			} else {
				d.Donor = books[commune][rng.IntN(100)]
			}
			ds = append(ds, d)
		}
		if _, err := s.ImportDonations(ctx, ds, camera.SystemActor); err != nil {
			return err
		}
	}
	return nil
}

// fillIncidents records incidents over the two years before the clock,
// each seen by one or two cameras of a commune, handled the ways the
// Chợ Gạo programme's were (a fifth criminal).
func fillIncidents(ctx context.Context, s *registry.Store, rng *rand.Rand, ids []string) error {
	categories := []camera.Category{camera.CategoryTheft, camera.CategoryRobbery, camera.CategoryAssault, camera.CategoryTraffic, camera.CategoryVandalism, camera.CategoryOther}
	ins := make([]*camera.Incident, 0, 50_000)
	for i := range CountryIncidents {
		cam := rng.IntN(CountryCameras)
		start := CountryClock.Add(-time.Duration(1+rng.IntN(2*365*24*60)) * time.Minute)
		in := &camera.Incident{
			CameraIDs: []string{ids[cam]},
			Start:     start, End: start.Add(time.Duration(1+rng.IntN(30)) * time.Minute),
			Category: categories[rng.IntN(len(categories))],
			Handling: camera.Handlings[min(rng.IntN(5), len(camera.Handlings)-1)],
			Note:     "Ghi nhận qua camera",
		}
		if in.Handling == camera.HandlingCriminal || in.Handling == camera.HandlingAdministrative {
			in.Subjects = 1 + rng.IntN(3)
			in.CaseRef = fmt.Sprintf("VV-%07d", i)
		}
		if rng.IntN(4) == 0 {
			// A second camera of the same commune.
			in.CameraIDs = append(in.CameraIDs, ids[cam/camsPerCommune*camsPerCommune+rng.IntN(camsPerCommune)])
			if in.CameraIDs[1] == in.CameraIDs[0] {
				in.CameraIDs = in.CameraIDs[:1]
			}
		}
		ins = append(ins, in)
		if len(ins) == cap(ins) {
			if _, err := s.CreateIncidents(ctx, ins, camera.SystemActor); err != nil {
				return err
			}
			ins = ins[:0]
		}
	}
	return nil
}
