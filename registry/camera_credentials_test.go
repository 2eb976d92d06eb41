package registry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/registrytest"
)

// Query credentials (Credentials.Query) are stored with the camera and
// kept by every write that gives none, as user information is; the audit
// log names the change, never the value.
func TestQueryCredentialsStored(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	const given = "rtsp://10.0.0.7:554/cam/realmonitor?channel=1&user=admin&password=Reg-q-pw1&subtype=0"
	c := testCamera("CG-Q")
	public, creds, err := camera.SplitRTSPURL(given)
	if err != nil {
		t.Fatal(err)
	}
	c.RTSPURL, c.Credentials = public, creds
	if err := s.CreateCamera(ctx, c, police); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		got, err := s.GetCamera(ctx, "CG-Q")
		if err != nil {
			t.Fatal(err)
		}
		if got.RTSPURL != public || got.StreamURL() != given {
			t.Errorf("%s: rtsp_url %q, stream URL %q; want %q, the URL as given", what, got.RTSPURL, got.StreamURL(), public)
		}
	}
	check("created")

	// What a client read and sends back carries no credentials: kept.
	bare := c.Clone()
	bare.Credentials = camera.Credentials{}
	bare.Notes = "gắn lại"
	if _, err := s.ReplaceCamera(ctx, bare, true, police); err != nil {
		t.Fatal(err)
	}
	check("replaced")
	back := c.Clone()
	back.Credentials = camera.Credentials{}
	back.Notes = "gắn lại"
	res, err := s.ImportCameras(ctx, []*camera.Camera{back}, false, police)
	if err != nil || res.Unchanged != 1 {
		t.Fatalf("re-import: %+v, %v; want unchanged", res, err)
	}
	check("re-imported")

	// New credentials are a change of rtsp_credentials in the audit log.
	if _, err := s.UpdateCamera(ctx, "CG-Q", "camera.patch", police, func(c *camera.Camera) error {
		_, c.Credentials, _ = camera.SplitRTSPURL("rtsp://10.0.0.7:554/cam/realmonitor?channel=1&user=admin&password=New-q-pw2&subtype=0")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	entries, _, err := s.ListAudit(ctx, 0, 10)
	if err != nil || len(entries) == 0 || entries[0].Action != "camera.patch" || !slices.Equal(entries[0].Changes, []string{"rtsp_credentials"}) {
		t.Fatalf("audit after new credentials: %+v, %v", entries, err)
	}
}

// A camera stored before query parameters counted as credentials holds
// them in its rtsp_url (the store takes the URL as given). It reads with
// them split off, from every path that reads cameras, and is dialled as
// stored.
func TestLegacyQueryCredentialsRead(t *testing.T) {
	ctx := context.Background()
	s := registrytest.Open(t)
	const stored = "rtsp://10.0.0.8/cam/realmonitor?channel=2&user=admin&password=Old-q-pw3"
	c := testCamera("CG-OLD")
	c.RTSPURL, c.Credentials = stored, camera.Credentials{}
	if err := s.CreateCamera(ctx, c, police); err != nil {
		t.Fatal(err)
	}
	var read []*camera.Camera
	got, err := s.GetCamera(ctx, "CG-OLD")
	if err != nil {
		t.Fatal(err)
	}
	read = append(read, got)
	list, _, err := s.ListCameras(ctx, "", 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	read = append(read, list...)
	if err := s.ForEachCamera(ctx, func(c *camera.Camera) error { read = append(read, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(read) != 3 {
		t.Fatalf("read %d cameras, want 3", len(read))
	}
	for i, c := range read {
		if c.RTSPURL != "rtsp://10.0.0.8/cam/realmonitor?channel=2" || !c.HasCredentials() || c.StreamURL() != stored {
			t.Errorf("read %d: rtsp_url %q, has credentials %v, stream URL %q", i, c.RTSPURL, c.HasCredentials(), c.StreamURL())
		}
	}
}
