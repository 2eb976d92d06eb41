package registry

// Donation layout.
//
//   - "donations": seq(8) → the record (record.AppendDonation), compact binary:
//     five million donations are read by every funding view, and JSON
//     would make decoding the cost of the view.
//   - "donations_by_date": date(4) seq(8) → donor. The order of every
//     list: (received_on, id).
//   - "donations_by_camera": camera id 0x00 date(4) seq(8) → amount,
//     donor; gifts to a camera only.
//   - "donations_by_commune": folded commune 0x00 date(4) seq(8) → pool
//     flag, amount, donor; every gift.
//   - "donations_by_donor": donor 0x00 date(4) seq(8) → amount, camera
//     id, folded commune. Its bucket sequence counts the distinct donors.
//   - "donation_totals": folded commune (see totalsKey) → total(8)
//     count(8) pool(8) spelling: the running sums behind the donation
//     metrics.
//   - "donations_by_gift": date(4) hash(8) seq(8) → empty: finds a stored gift
//     identical to a new one (donations_dupes.go). Since schema 2.
//   - "donations_by_ref": folded ref 0x00 seq(8) → empty: finds the
//     stored donations of a bank transaction (donations_dupes.go); gifts
//     with a ref only. Since schema 5.
//
// seq(8) is the number of the id (DN-0000012 is 12), big-endian; date(4)
// is received_on as the number YYYYMMDD, big-endian, so byte order is
// date order. Camera ids, donors and folded communes are printable text
// (no 0x00, see camera.Validate), so the 0x00 separator cannot occur
// inside a prefix, and every index sorts one prefix's donations by
// (received_on, id).
//
// Each index carries in its value what the funding view grouped by it
// needs, and the donor for the donor filter of lists, so that neither
// reads a record: a view is one sequential pass over one index. Index
// entries and totals are written in the transaction that writes the
// record.
//
// The byte formats of the record, of each index's value and of the
// totals are the record package's (registry/record); the buckets and
// their keys are this package's.

// totalsKey is the donation_totals key of a folded commune. bbolt keys
// cannot be empty, and gifts to a camera without a commune have the
// empty commune: that one is 0x00, which no folded name holds.
func totalsKey(fold string) []byte {
	if fold == "" {
		return []byte{0}
	}
	return []byte(fold)
}
