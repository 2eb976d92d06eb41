package exchange

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestDonationCSVRecords checks what the donation decoder has from the
// record loop it shares with the camera decoder (csvRecords): a byte
// order mark, CRLF, rows numbered by the line they start on across
// quoted line breaks and blank lines, broken records and text that is
// not UTF-8 rejected with their line and field.
func TestDonationCSVRecords(t *testing.T) {
	in := utf8BOM + "donor,amount_vnd,received_on,camera_id,commune,note\r\n" +
		"An,100,2024-01-01,CG-0001,,\"hai\r\ndòng\"\r\n" + // 2-3
		"\r\n" + // 4: blank
		" , , , , , \r\n" + // 5: blank fields
		"Bình,100,2024-01-01,CG-0001,,\"không đóng\r\n" + // 6: a quote left open...
		"Cường,100,2024-01-01,CG-0001,,\r\n" // ...to the end
	rows := readDonationRows(t, in)
	want := []struct {
		line   int
		field  string
		reason string
	}{{2, "", ""}, {6, "note", "not closed"}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		r := rows[i]
		switch {
		case r.Line != w.line:
			t.Errorf("row %d: line %d, want %d", i, r.Line, w.line)
		case w.reason == "" && (r.Donation == nil || r.Donation.Note != "hai\ndòng"):
			t.Errorf("row %d: %+v, want the donation with a two-line note", i, r)
		case w.reason != "" && (r.Reject == nil || r.Reject.Field != w.field || !strings.Contains(r.Reject.Reason, w.reason) || r.Reject.ID != "CG-0001"):
			t.Errorf("row %d: %+v, want a rejection of %s (%q) quoting CG-0001", i, r.Reject, w.field, w.reason)
		}
	}

	bad := "donor,amount_vnd,received_on,camera_id\nAn\xff,1,2024-01-01,CG-1\nAn,\"1\"x,2024-01-01,CG-1\nAn,1,2024-01-01\n"
	rows = readDonationRows(t, bad)
	for i, w := range []struct {
		line          int
		field, reason string
	}{{2, "donor", "not valid UTF-8"}, {3, "amount_vnd", "stray"}, {4, "", "number of fields than the header's 4"}} {
		if r := rows[i].Reject; r == nil || r.Line != w.line || r.Field != w.field || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("row %d: %+v, want line %d, field %q, %q", i, r, w.line, w.field, w.reason)
		}
	}

	huge := strings.Repeat("x", MaxCSVRecordBytes+csvBufferSize+1)
	_, err := NewDonationCSVDecoder(strings.NewReader(huge), nil, donationNow).Next()
	if camera.ErrorField(err) != "header" || !strings.Contains(err.Error(), "is this a donation CSV?") {
		t.Errorf("a huge first line: %v", err)
	}
}

// readDonationRows decodes every row of in, failing on a fatal error.
func readDonationRows(t *testing.T, in string) []DonationRow {
	t.Helper()
	d := NewDonationCSVDecoder(bytes.NewReader([]byte(in)), nil, donationNow)
	var rows []DonationRow
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, r)
	}
}
