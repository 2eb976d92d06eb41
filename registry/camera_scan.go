package registry

import "github.com/matthan/matthan/registry/record"

// cameraFacts are the fields of a camera record that donations and the
// funding views need. The slices point into the record they were read
// from: valid as long as the transaction.
type cameraFacts struct {
	name, commune, status []byte
	cost                  int64
}

// scanCamera reads the facts of a stored camera record. The money side
// reads them from camera_facts (camera_facts.go); this is for the
// migrations that build the derived buckets and for Store.Check, which
// recounts them from the records, so it simply decodes the record.
func scanCamera(v []byte, f *cameraFacts) error {
	c, err := record.DecodeCamera(v)
	if err != nil {
		return err
	}
	*f = cameraFacts{name: []byte(c.Name), commune: []byte(c.Commune), status: []byte(c.Status), cost: c.CostVND}
	return nil
}
