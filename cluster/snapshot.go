package cluster

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A node that joins, or that has fallen behind the log's floor, starts
// from a copy of a peer's registry (docs/cluster.md, "Joining from a
// peer"). The peer must know the copy goes to a node of the cluster: the
// copy holds everything, token and password hashes included. Nodes share
// no secret of their own, but they share etcd, and whoever may write
// under the cluster's prefix may already append any command, so a proof
// of that access grants nothing new. That proof is a ticket: the joining
// node draws 256 random bits, writes their SHA-256 under tickets/ with a
// lease, and sends the ticket; the peer hashes what it got and looks the
// key up. Only the hash is in etcd; the lease ends the ticket after
// SnapshotTicketTTL even if the joining node dies, and Revoke ends it as
// soon as the copy is made.

// SnapshotTicketTTL is how long a ticket is good for: long enough to
// start copying a country's registry from a slow peer (the check is at
// the start of the copy, not its end).
const SnapshotTicketTTL = 10 * time.Minute

// ErrBadTicket means a snapshot ticket is not one a node of this cluster
// holds (unknown, expired or revoked).
var ErrBadTicket = errors.New("not a snapshot ticket of this cluster")

// SnapshotTicket is a ticket this node holds while it copies a peer's
// registry.
type SnapshotTicket struct {
	// Value is what the node sends, as a bearer token.
	Value string
	cli   *clientv3.Client
	lease clientv3.LeaseID
}

// ticketsPrefix holds the hashes of live snapshot tickets, each under its
// own lease, valued by the id of the node that holds it.
func (k keys) ticketsPrefix() string { return k.root + "tickets/" }

// ticketKey is where a ticket's hash is kept.
func (k keys) ticketKey(ticket string) string {
	sum := sha256.Sum256([]byte(ticket))
	return k.ticketsPrefix() + hex.EncodeToString(sum[:])
}

// IssueSnapshotTicket draws a ticket for node and registers it in the
// named cluster for SnapshotTicketTTL.
func IssueSnapshotTicket(ctx context.Context, cli *clientv3.Client, cluster, node string) (*SnapshotTicket, error) {
	k, err := newKeys(cluster)
	if err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	t := &SnapshotTicket{Value: "mtj_" + base64.RawURLEncoding.EncodeToString(raw[:]), cli: cli}
	lease, err := cli.Grant(ctx, int64(SnapshotTicketTTL/time.Second))
	if err != nil {
		return nil, fmt.Errorf("issue a snapshot ticket: %w", err)
	}
	t.lease = lease.ID
	if _, err := cli.Put(ctx, k.ticketKey(t.Value), node, clientv3.WithLease(lease.ID)); err != nil {
		_ = t.Revoke(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("issue a snapshot ticket: %w", err)
	}
	return t, nil
}

// Revoke ends the ticket.
func (t *SnapshotTicket) Revoke(ctx context.Context) error {
	if _, err := t.cli.Revoke(ctx, t.lease); err != nil {
		return fmt.Errorf("revoke the snapshot ticket: %w", err)
	}
	return nil
}

// CheckSnapshotTicket returns the node that holds ticket in the named
// cluster, or ErrBadTicket. An error of etcd is returned as it is: the
// caller answers it as unavailable, not as a refusal.
func CheckSnapshotTicket(ctx context.Context, cli *clientv3.Client, cluster, ticket string) (string, error) {
	k, err := newKeys(cluster)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(ticket, "mtj_") {
		return "", ErrBadTicket
	}
	resp, err := cli.Get(ctx, k.ticketKey(ticket))
	if err != nil {
		return "", fmt.Errorf("check a snapshot ticket: %w", err)
	}
	if len(resp.Kvs) != 1 {
		return "", ErrBadTicket
	}
	return string(resp.Kvs[0].Value), nil
}
