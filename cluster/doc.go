// Package cluster is what several matthan nodes share through etcd: the
// command log every node applies to its own bbolt store, the membership
// of live nodes with their leases, the rendezvous hash that gives each
// camera to one live node for polling, and the compaction of the log.
//
// It owns no domain state. The registry applies commands (Applier), the
// poller asks who owns a camera (Membership.Owner), the daemon wires them;
// this package only talks to etcd (go.etcd.io/etcd/client/v3), the one
// outside library it wraps. etcd gives what a home-made replication
// would have to earn: Raft for agreement, revisions for one total order,
// leases for liveness, watches to hear of changes, and bbolt underneath.
//
// Keys live under /matthan/<cluster>/ (see docs/cluster.md):
//
//	log/<seq>        one command each, seq in 16 hex digits
//	head             the last seq appended
//	floor            how far the log was compacted (seq and revision)
//	nodes/<node-id>  a live node's advertise URL, under its lease
//	applied/<node-id> a live node's last applied revision, under its lease
//
// Caveat: a follower trusts that only this package writes under the
// prefix; it stops with ErrLogCorrupt on anything else in log/.
package cluster
