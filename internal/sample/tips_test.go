package sample_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/matthan/matthan/internal/sample"
)

// TestTips: the sample's tips reproduce the district's table exactly,
// point only at sample incidents, and each is a valid tip: a time with
// its offset, a known channel, a place (a point, or a commune and a
// description), people only where the outcome deals with some.
func TestTips(t *testing.T) {
	var tips []struct {
		ID          string    `json:"id"`
		ReceivedAt  time.Time `json:"received_at"`
		Channel     string    `json:"channel"`
		Lat, Lon    *float64
		Commune     string   `json:"commune"`
		Place       string   `json:"place"`
		Outcome     string   `json:"outcome"`
		People      int      `json:"people"`
		IncidentIDs []string `json:"incident_ids"`
		Informant   *struct{ Name, Phone string }
	}
	if err := json.Unmarshal(sample.Tips(), &tips); err != nil {
		t.Fatal(err)
	}
	var incidents []struct{ ID string }
	if err := json.Unmarshal(sample.Incidents(), &incidents); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, in := range incidents {
		known[in.ID] = true
	}
	cases, people := map[string]int{}, map[string]int{}
	ids := map[string]bool{}
	informants := 0
	for _, tp := range tips {
		cases[tp.Outcome]++
		people[tp.Outcome] += tp.People
		if ids[tp.ID] {
			t.Errorf("id %s twice", tp.ID)
		}
		ids[tp.ID] = true
		if tp.Commune == "" || (tp.Lat == nil) != (tp.Lon == nil) || tp.Lat == nil && tp.Place == "" {
			t.Errorf("%s has no place: %+v", tp.ID, tp)
		}
		if (tp.Outcome == "pending" || tp.Outcome == "unfounded") && tp.People != 0 {
			t.Errorf("%s: %d people with outcome %s", tp.ID, tp.People, tp.Outcome)
		}
		for _, id := range tp.IncidentIDs {
			if !known[id] {
				t.Errorf("%s points at %s, which is no sample incident", tp.ID, id)
			}
		}
		if tp.Informant != nil {
			informants++
		}
	}
	if len(tips) != sample.TipCount {
		t.Errorf("%d tips, want %d", len(tips), sample.TipCount)
	}
	for _, c := range []struct {
		outcome       string
		cases, people int
	}{
		{"criminal", sample.TipCriminalCases, sample.TipCriminalPeople},
		{"administrative", sample.TipAdministrativeCases, sample.TipAdministrativePeople},
	} {
		if cases[c.outcome] != c.cases || people[c.outcome] != c.people {
			t.Errorf("%s: %d cases, %d people; want %d, %d", c.outcome, cases[c.outcome], people[c.outcome], c.cases, c.people)
		}
	}
	if people["education"] != sample.TipEducatedPeople {
		t.Errorf("%d people educated, want %d", people["education"], sample.TipEducatedPeople)
	}
	if informants == 0 || informants == len(tips) {
		t.Errorf("%d of %d tips name an informant: the sample should have both kinds", informants, len(tips))
	}
}
