package sample

// world is the geography of the sample district: the communes, the road
// network and its junctions. The camera, donation and incident files are
// made on top of it.
type world struct {
	d         *district
	roads     []*road
	junctions []*junction

	segsByCommune [][]segRef // see roadSegs
}

// buildWorld lays out the communes, grows the roads and finds their
// junctions.
func buildWorld() (*world, error) {
	cs, err := buildCommunes()
	if err != nil {
		return nil, err
	}
	d, err := newDistrict(cs)
	if err != nil {
		return nil, err
	}
	n := newNetwork(d)
	r := newRNG("roads")
	if err := n.buildMain(r); err != nil {
		return nil, err
	}
	n.growCommuneRoads(newRNG("commune roads"))
	n.finish()
	js, err := findJunctions(d, n.roads)
	if err != nil {
		return nil, err
	}
	return &world{d: d, roads: n.roads, junctions: js}, nil
}
