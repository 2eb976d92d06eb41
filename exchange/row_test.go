package exchange

import (
	"encoding/json"
	"testing"

	"github.com/matthan/matthan/camera"
)

func TestRejectionReport(t *testing.T) {
	tests := []struct {
		r        Rejection
		text     string
		jsonText string
	}{
		{Rejection{Line: 3, Feature: -1, ID: "CG-1", Field: "lat", Reason: "is required"},
			"line 3: lat: is required", `{"line":3,"id":"CG-1","field":"lat","reason":"is required"}`},
		{Rejection{Line: 0, Feature: 0, Field: "geometry", Reason: "must be a Point"},
			"feature 0: geometry: must be a Point", `{"feature":0,"field":"geometry","reason":"must be a Point"}`},
		{Rejection{Line: 7, Feature: -1, Reason: "has a stray quote"},
			"line 7: has a stray quote", `{"line":7,"reason":"has a stray quote"}`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := tt.r.Error(); got != tt.text {
				t.Errorf("Error() = %q, want %q", got, tt.text)
			}
			b, err := json.Marshal(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.jsonText {
				t.Errorf("JSON = %s, want %s", b, tt.jsonText)
			}
		})
	}
	long := newRejection(2, -1, string(make([]byte, 300)), "name", string(make([]byte, 5000)))
	if len(long.Reason) > maxReason+len("…") || len([]rune(long.ID)) > camera.MaxIDLen {
		t.Errorf("long rejection not cut: id %d, reason %d bytes", len(long.ID), len(long.Reason))
	}
}
