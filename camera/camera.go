package camera

import (
	"time"
)

// RoadClass is the class of the road a camera watches, highest first.
type RoadClass string

// Road classes, in the order gaps are ranked (national first).
const (
	RoadNational   RoadClass = "national"
	RoadProvincial RoadClass = "provincial"
	RoadDistrict   RoadClass = "district"
	RoadCommune    RoadClass = "commune"
	RoadUrban      RoadClass = "urban"
	RoadOther      RoadClass = "other"
)

// RoadClasses lists every road class, highest first.
var RoadClasses = []RoadClass{RoadNational, RoadProvincial, RoadDistrict, RoadCommune, RoadUrban, RoadOther}

// Rank returns the position of c in RoadClasses (0 = national), or
// len(RoadClasses) for an unknown class so that it sorts last.
func (c RoadClass) Rank() int {
	for i, rc := range RoadClasses {
		if rc == c {
			return i
		}
	}
	return len(RoadClasses)
}

// Valid reports whether c is one of the road classes.
func (c RoadClass) Valid() bool { return c.Rank() < len(RoadClasses) }

// Site is the kind of place a camera is mounted at.
type Site string

// Sites.
const (
	SiteIntersection Site = "intersection"
	SiteRoad         Site = "road"
	SiteOther        Site = "other"
)

// Valid reports whether s is a known site.
func (s Site) Valid() bool {
	return s == SiteIntersection || s == SiteRoad || s == SiteOther
}

// Status is whether a camera is part of the network.
type Status string

// Statuses. A retired camera stays in the registry (its history and its
// funding still matter) but is no longer probed or counted for coverage.
const (
	StatusActive  Status = "active"
	StatusRetired Status = "retired"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusActive || s == StatusRetired }

// Limits on camera fields. MaxRangeM bounds the spatial index's search
// margin: no real CCTV camera identifies anything 5 km away.
const (
	MaxIDLen    = 64
	MaxNameLen  = 200
	MaxTextLen  = 200
	MaxNotesLen = 4000
	MaxRangeM   = 5000
	MaxURLLen   = 2048
)

// DateLayout is the layout of installed_on and other calendar dates.
const DateLayout = "2006-01-02"

// Camera is one donated camera: where it is, where it looks, how to reach
// its stream and what it cost. Field names in JSON, CSV and query
// parameters are the public contract of docs/design.md.
//
// RTSPURL never carries credentials, neither user information nor query
// parameters that carry them: they live in Credentials, which has no JSON
// tag so that no response can ever include it by accident.
type Camera struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Lat          float64   `json:"lat"`
	Lon          float64   `json:"lon"`
	Commune      string    `json:"commune"`
	District     string    `json:"district"`
	Province     string    `json:"province"`
	RoadClass    RoadClass `json:"road_class"`
	Site         Site      `json:"site"`
	DirectionDeg float64   `json:"direction_deg"`
	FOVDeg       float64   `json:"fov_deg"`
	RangeM       float64   `json:"range_m"`
	RTSPURL      string    `json:"rtsp_url"`
	InstalledOn  string    `json:"installed_on"`
	CostVND      int64     `json:"cost_vnd"`
	Status       Status    `json:"status"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Credentials for the RTSP stream: write-only, see package doc.
	Credentials Credentials `json:"-"`
}

// Credentials are what a camera's stream needs besides its public URL:
// the user name and password of the URL's user information, and the
// query parameters that carry credentials (see rtspurl.go).
type Credentials struct {
	Username string
	Password string
	// Query holds the credential parameters of the URL's query at their
	// places: the query as given, with every other parameter emptied
	// ("&user=admin&password=X&" for
	// "channel=1&user=admin&password=X&subtype=0"). Empty when the query
	// carried none.
	Query string
}

// Empty reports whether no credentials are set.
func (c Credentials) Empty() bool { return c.Username == "" && c.Password == "" && c.Query == "" }

// HasCredentials reports whether the camera has RTSP credentials stored.
func (c *Camera) HasCredentials() bool { return !c.Credentials.Empty() }

// Active reports whether the camera is part of the working network.
func (c *Camera) Active() bool { return c.Status == StatusActive }

// Clone returns a copy of c that shares nothing mutable with it.
func (c *Camera) Clone() *Camera {
	cp := *c
	return &cp
}

// Defaults of the fields a user may leave out.
const (
	// DefaultFOVDeg is the field of view of a camera whose mount is not
	// known: it may look anywhere.
	DefaultFOVDeg = 360
	// DefaultRangeM is the range given to a camera whose range is not
	// known: a typical 2–4 MP bullet camera identifies a person up to
	// about 30–50 m.
	DefaultRangeM = 50
)

// New returns a camera holding the defaults of the fields a user may leave
// out: status active, site other, road class other, and a 360° field of
// view with a 50 m range, for a camera whose mount is unknown.
//
// Every decoder of input (the API's JSON, the CSV and GeoJSON imports)
// starts from New and sets only the fields the input gives, so that only
// an absent field takes its default: a value given — a 0 field of view,
// an empty site — is validated as given, never mistaken for a missing one.
func New() *Camera {
	return &Camera{
		Status:    StatusActive,
		Site:      SiteOther,
		RoadClass: RoadOther,
		FOVDeg:    DefaultFOVDeg,
		RangeM:    DefaultRangeM,
	}
}

// ApplyDefaults gives the defaults of New to the fields of c that hold
// their zero value. It is for cameras built in Go code (generators, test
// data), where the zero value is the only way to leave a field out. Input
// from users never goes through it, since there an explicit 0 must be
// refused rather than turned into a default: decoders start from New.
func (c *Camera) ApplyDefaults() {
	d := New()
	if c.Status == "" {
		c.Status = d.Status
	}
	if c.Site == "" {
		c.Site = d.Site
	}
	if c.RoadClass == "" {
		c.RoadClass = d.RoadClass
	}
	if c.FOVDeg == 0 {
		c.FOVDeg = d.FOVDeg
	}
	if c.RangeM == 0 {
		c.RangeM = d.RangeM
	}
}
