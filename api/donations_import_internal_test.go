package api

import (
	"errors"
	"testing"

	"github.com/matthan/matthan/camera"
)

// A store error about donations[i] of an import names the CSV line.
func TestAtLine(t *testing.T) {
	lines := []int{2, 3, 5}
	tests := []struct {
		err          error
		field, error string
	}{
		{camera.Errorf(camera.EINVALID, "donations[2].amount_vnd", "would take the donations in commune %q past the maximum", "Song Bình"),
			"amount_vnd", `amount_vnd: line 5: would take the donations in commune "Song Bình" past the maximum`},
		{camera.Errorf(camera.EINVALID, "donations[0].camera_id", "no camera"), "camera_id", "camera_id: line 2: no camera"},
		{camera.Errorf(camera.EINVALID, "donations[7].amount_vnd", "x"), "donations[7].amount_vnd", "donations[7].amount_vnd: x"},
		{camera.Errorf(camera.EINVALID, "amount_vnd", "x"), "amount_vnd", "amount_vnd: x"},
		{errors.New("disk"), "", "disk"},
	}
	for _, tt := range tests {
		got := atLine(tt.err, lines)
		if camera.ErrorField(got) != tt.field || got.Error() != tt.error {
			t.Errorf("atLine(%v) = %v (field %q), want %q (field %q)", tt.err, got, camera.ErrorField(got), tt.error, tt.field)
		}
	}
}
