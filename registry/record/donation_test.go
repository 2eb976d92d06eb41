package record

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
)

// TestDonationRecordConsent: a donation without consent is written as a
// version 2 record, exactly as a program from before consent wrote it,
// so that such a program still reads the ledger; one with consent is a
// version 3 record with its flag; both read back as stored. A flag this
// program does not know makes the record damaged, not silently public
// or private.
func TestDonationRecordConsent(t *testing.T) {
	d := &camera.Donation{Donor: "Nguyễn Văn An", AmountVND: 500_000, ReceivedOn: "2024-05-01", CameraID: "CG-0001", Commune: "Chợ Gạo",
		Ref: "FT1", CreatedBy: camera.SystemActor, CreatedAt: time.Date(2024, 5, 2, 1, 0, 0, 0, time.UTC)}
	private := AppendDonation(nil, d)
	if private[0] != 2 {
		t.Errorf("a record without consent is version %d, want 2", private[0])
	}
	d.Public = true
	public := AppendDonation(nil, d)
	if public[0] != 3 || public[len(public)-1] != FlagPublic || len(public) != len(private)+1 {
		t.Errorf("a record with consent: version %d, last byte %x, %d bytes (without: %d); want version 3 ending in the flag", public[0], public[len(public)-1], len(public), len(private))
	}
	for _, tt := range []struct {
		name   string
		rec    []byte
		public bool
	}{{"version 2", private, false}, {"version 3", public, true}} {
		got, err := DecodeDonation(7, tt.rec)
		if err != nil || got.Public != tt.public || got.Donor != d.Donor || got.Ref != d.Ref {
			t.Errorf("%s: %+v, %v; want public %v", tt.name, got, err, tt.public)
		}
	}
	unknown := append([]byte(nil), public...)
	unknown[len(unknown)-1] |= 0x80
	if _, err := DecodeDonation(7, unknown); !errors.Is(err, ErrDamagedDonation) {
		t.Errorf("a record with an unknown flag: %v, want damaged", err)
	}
	if _, err := DecodeDonation(7, public[:len(public)-1]); !errors.Is(err, ErrDamagedDonation) {
		t.Errorf("a version 3 record without its flags: %v, want damaged", err)
	}
}

// FuzzDonationRecord writes a donation and its index values and reads
// them back: every field comes back as written.
func FuzzDonationRecord(f *testing.F) {
	f.Add("Nguyễn Văn An", int64(500_000), uint32(20240501), "CG-0001", "Chợ Gạo", "tiền mặt", "FT24122", int64(1714525200000000000), true)
	f.Add("", int64(0), uint32(0), "", "", "", "", int64(0), false)
	f.Add("a\x00b", int64(-1), uint32(99991231), "x", "\xff", "note\nline", "", int64(-5), false)
	f.Fuzz(func(t *testing.T, donor string, amount int64, date uint32, cameraID, commune, note, ref string, createdAt int64, public bool) {
		date %= 100_000_000 // eight digits: YYYYMMDD
		d := &camera.Donation{Donor: donor, AmountVND: amount, ReceivedOn: DateText(date), CameraID: cameraID, Commune: commune,
			Note: note, Ref: ref, Public: public, CreatedBy: camera.Actor{Name: "x", Role: camera.RoleFundraiser}, CreatedAt: time.Unix(0, createdAt).UTC()}
		if DateNum(d.ReceivedOn) != date {
			t.Fatalf("DateNum(DateText(%d)) = %d", date, DateNum(d.ReceivedOn))
		}
		v := AppendDonation(nil, d)
		if len(v) > DonationSize(d) {
			t.Errorf("record of %d bytes, DonationSize says at most %d", len(v), DonationSize(d))
		}
		got, err := DecodeDonation(12, v)
		if err != nil {
			t.Fatal(err)
		}
		want := *d
		want.ID = camera.FormatDonationID(12)
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("read back %+v, wrote %+v", *got, want)
		}
		if id, ok := DonationCameraID(v); !ok || id != cameraID {
			t.Errorf("DonationCameraID = %q, %v; want %q", id, ok, cameraID)
		}
		if a, donor2, ok := ReadByCamera(AppendByCamera(nil, d)); !ok || a != amount || string(donor2) != donor {
			t.Errorf("by camera: %d %q %v", a, donor2, ok)
		}
		if pool, a, donor2, ok := ReadByCommune(AppendByCommune(nil, d)); !ok || pool != d.Pool() || a != amount || string(donor2) != donor {
			t.Errorf("by commune: %v %d %q %v", pool, a, donor2, ok)
		}
		if a, cam, fold, ok := ReadByDonor(AppendByDonor(nil, d, commune)); !ok || a != amount || string(cam) != cameraID || string(fold) != commune {
			t.Errorf("by donor: %d %q %q %v", a, cam, fold, ok)
		}
		tot := CommuneTotal{Total: amount, Count: createdAt, Pool: -amount, Spelling: commune}
		if back, err := DecodeCommuneTotal(tot.Encode()); err != nil || back != tot {
			t.Errorf("totals: %+v, %v; want %+v", back, err, tot)
		}
		tail := AppendTail([]byte(donor+"\x00"), date, 12)
		if prefix, dt, seq, ok := SplitTail(tail, true); !ok || string(prefix) != donor || dt != date || seq != 12 {
			t.Errorf("SplitTail = %q %d %d %v", prefix, dt, seq, ok)
		}
	})
}

// FuzzDecodeDonation reads arbitrary bytes as a record: an error or a
// donation, never a panic, and a donation it reads writes back to a
// record that reads the same.
func FuzzDecodeDonation(f *testing.F) {
	d := &camera.Donation{Donor: "Trần Thị Bình", AmountVND: 1_000_000, ReceivedOn: "2024-02-29", Commune: "Bình Ninh", Ref: "FT1", Public: true}
	f.Add(AppendDonation(nil, d))
	d.Public = false
	f.Add(AppendDonation(nil, d))
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := DecodeDonation(1, v)
		if err != nil {
			if !errors.Is(err, ErrDamagedDonation) {
				t.Fatalf("error %v is not ErrDamagedDonation", err)
			}
			return
		}
		again, err := DecodeDonation(1, AppendDonation(nil, got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("written back and read: %+v, %v; want %+v", again, err, got)
		}
	})
}
