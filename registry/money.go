package registry

import (
	"fmt"
	"math"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Money sums. Every amount a person gives is at most camera.MaxVND, so an
// int64 sum of đồng overflows only past some 922,000 amounts at the bound.
// Still, no sum may wrap into a negative total:
//
//   - the running sums kept in buckets (commune_facts, donation_totals)
//     are checked at write: a write that would take one past the int64
//     range is refused, EINVALID naming cost_vnd or amount_vnd, and
//     stores nothing;
//   - the sums a view computes (funding views, cost totals, the summary)
//     add with camera.AddVND and answer an error instead of a total that
//     cannot be held (EINTERNAL: the request was fine, the stored money
//     cannot be counted).
//
// A camera stored before cost_vnd was bounded may cost up to the int64
// maximum. It still reads, and a write that lowers it is taken; a view
// whose sum it takes past the int64 range answers the error above, naming
// it (costTooLarge), until its cost_vnd is corrected.

// maxVNDText is the largest total, written the Vietnamese way.
var maxVNDText = camera.FormatVND(math.MaxInt64)

// costTooLarge is the error of a view whose cost sum overflows: the
// cameras whose cost is over camera.MaxVND (stored before the bound),
// found by a pass over the camera facts, are named so that the operator
// can correct them.
func costTooLarge(tx *bolt.Tx, what string) error {
	over, err := camerasOverCost(tx, 3)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s cost more than %s in all, more than a total can hold", what, maxVNDText)
	if len(over) > 0 {
		msg += fmt.Sprintf("; these cameras cost more than the %s a camera may cost, stored before that bound: %s; correct their cost_vnd",
			camera.FormatVND(camera.MaxVND), strings.Join(over, ", "))
	}
	return camera.Errorf(camera.EINTERNAL, "cost_vnd", "%s", msg)
}

// camerasOverCost returns up to n cameras whose cost is over
// camera.MaxVND, as `CG-0001 (9.223.372.036.854.775.807 ₫)`.
func camerasOverCost(tx *bolt.Tx, n int) ([]string, error) {
	b := tx.Bucket(bucketCameraFacts)
	if b == nil {
		return nil, nil
	}
	var out []string
	var f cameraFacts
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
		if err := decodeCameraFacts(v, &f); err != nil {
			return nil, fmt.Errorf("camera %q: %w", k, err)
		}
		if f.cost > camera.MaxVND || f.cost < 0 {
			out = append(out, fmt.Sprintf("%s (%s)", k, camera.FormatVND(f.cost)))
		}
	}
	return out, nil
}

// donationsTooLarge is the error of a view whose donation sum overflows.
// It cannot happen with bounded gifts short of 922,000 gifts at the
// bound; it is there so that such a view fails rather than lies.
func donationsTooLarge(what string) error {
	return camera.Errorf(camera.EINTERNAL, "amount_vnd", "%s sum to more than %s, more than a total can hold", what, maxVNDText)
}

// addVND adds v to *sum and reports whether the sum fits; on overflow
// *sum is saturated.
func addVND(sum *int64, v int64) bool {
	s, ok := camera.AddVND(*sum, v)
	*sum = s
	return ok
}
