package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/internal/sample"
)

// TipsKeyFile is the name of the demo's police chief key in the demo's
// directory: an age identity made at every demo start, whose public key
// the demo's daemon seals informants to, so that `matthan tips reveal`
// can be tried. A real chief keeps theirs on their own machine.
const TipsKeyFile = "tips-chief.key"

// WriteTipsKey makes the demo's chief key in dir (wiped with it at the
// next start) and returns its path and its public key, the recipient to
// configure.
func WriteTipsKey(dir string) (path, recipient string, err error) {
	path = filepath.Join(dir, TipsKeyFile)
	recipient, err = informant.WriteIdentity(path, "matthan demo: the police chief's key for the sample's tips (a throwaway)")
	return path, recipient, err
}

// loadTips sends the sample's tips through POST /api/v1/tips one by one,
// as the police would record them: each informant is sealed by the
// daemon on arrival. It returns how many were stored.
func loadTips(ctx context.Context, api client) (int, error) {
	var tips []json.RawMessage
	if err := json.Unmarshal(sample.Tips(), &tips); err != nil {
		return 0, fmt.Errorf("read the sample tips: %w", err)
	}
	for i, t := range tips {
		if _, err := api.call(ctx, http.MethodPost, "/api/v1/tips", "application/json", t); err != nil {
			return i, fmt.Errorf("tip %d: %w", i, err)
		}
	}
	return len(tips), nil
}

// sampleTipWithInformant returns the id of the sample's latest tip that
// names an informant and led to a case, for the banner's example.
func sampleTipWithInformant() string {
	var tips []struct {
		ID        string          `json:"id"`
		Outcome   string          `json:"outcome"`
		Informant json.RawMessage `json:"informant"`
	}
	_ = json.Unmarshal(sample.Tips(), &tips)
	id := ""
	for _, t := range tips {
		if t.Informant != nil && t.Outcome == "criminal" {
			id = t.ID
		}
	}
	return id
}

// printTips tells how to see the sample's tips, their counts (the
// district's second table), and how a chief reveals an informant with
// the demo's key.
func printTips(w io.Writer, url, keyPath string) {
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	fmt.Fprintf(w, `
Hotline tips: the sample's %d tips (%d criminal cases with %d people, %d
administrative with %d, %d people educated). Informants are sealed with age
to the demo chief's key; the daemon cannot read them.
  curl %s '%s/api/v1/tips/counts'
  curl %s '%s/api/v1/tips?outcome=criminal&limit=3'
  chief's key (a throwaway, made at this start): %s
  bin/matthan tips reveal %s --identity %s --server %s --token $MATTHAN_TOKEN --reason "thử tính năng"
`, sample.TipCount, sample.TipCriminalCases, sample.TipCriminalPeople, sample.TipAdministrativeCases,
		sample.TipAdministrativePeople, sample.TipEducatedPeople,
		auth, url, auth, url, keyPath, sampleTipWithInformant(), keyPath, url)
}
