package sample

// The headline facts of the camera programme in Chợ Gạo (docs/design.md, "Facts
// from the field"). The sample files hold exactly these numbers, so the
// system's summary of them can be checked against this table.
const (
	// CommuneCount is the number of communes and towns of the district.
	CommuneCount = 19
	// CameraCount is the number of cameras of the programme.
	CameraCount = 350
	// TotalCostVND is what the cameras cost altogether, and what the
	// donations add up to.
	TotalCostVND int64 = 1_300_000_000
	// RoadCameraCount cameras (site "road") watch traffic routes, national
	// and provincial roads, for RoadCostVND in total.
	RoadCameraCount       = 72
	RoadCostVND     int64 = 313_000_000
	// JunctionCameraCount cameras (site "intersection") watch three- and
	// four-way junctions of national, provincial and district roads, for
	// JunctionCostVND in total.
	JunctionCameraCount       = 48
	JunctionCostVND     int64 = 352_800_000
	// CriminalCases incidents were handled as criminal cases, with
	// CriminalSubjects suspects between them.
	CriminalCases    = 29
	CriminalSubjects = 35
)
