package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/cluster"
	"github.com/matthan/matthan/registry"
)

// Joining from a peer (docs/cluster.md, "Joining from a peer"). A node
// whose registry is empty, or whose applied revision is below the log's
// floor (it was down while the log was compacted), does not replay the
// log: it copies a live peer's registry — the backup stream, which holds
// the revision the peer has applied, in the same file — and follows the
// log from there. For an empty node that is also the faster way: a copy
// of a country's registry takes seconds, the whole log of it minutes.

// snapshotHeaderTimeout bounds the wait for a peer to start sending its
// copy; the copy itself takes as long as it takes.
const snapshotHeaderTimeout = 30 * time.Second

// snapshotTickets checks, for the API, the ticket of a node that copies
// this node's registry (api.SnapshotTickets).
type snapshotTickets struct{ n *clusterNode }

func (t snapshotTickets) CheckSnapshotTicket(ctx context.Context, ticket string) (string, error) {
	node, err := cluster.CheckSnapshotTicket(ctx, t.n.cli, t.n.cfg.Cluster.Name, ticket)
	if errors.Is(err, cluster.ErrBadTicket) {
		return "", camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "not the snapshot ticket of a node of this cluster")
	}
	return node, err
}

// startLocal returns the registry the node follows the log from: local
// as it is, or, when it must start from a peer's copy, the copy, put in
// the place of local (closed then) and opened with reopen.
func (n *clusterNode) startLocal(ctx context.Context, local *registry.Store, reopen func() (*registry.Store, error)) (*registry.Store, error) {
	why, floor, err := n.needsCopy(ctx, local)
	if err != nil || why == "" {
		return local, err
	}
	peers, err := n.copyPeers(ctx)
	if err != nil {
		return local, err
	}
	if len(peers) == 0 {
		if why == whyEmpty {
			// The first node of a cluster: there is nothing to copy; it
			// replays the log, if there is one.
			return local, nil
		}
		return local, fmt.Errorf("config: db: %s has applied the command log up to a revision the log was compacted past, and no live node of the cluster can give it a copy: start a node that holds the cluster's registry first, or restore a backup of one (matthan backup) into this path", n.cfg.DB)
	}
	keepOld := why == whyBehind
	if err := local.Close(); err != nil {
		return nil, fmt.Errorf("close %s before copying a peer's: %w", n.cfg.DB, err)
	}
	var errs []error
	for _, p := range peers {
		err := n.copyFrom(ctx, p, keepOld)
		if err == nil {
			break
		}
		n.log.Warn("copy a peer's registry", slog.String("peer", p.ID), slog.Any("err", err))
		errs = append(errs, fmt.Errorf("from %s (%s): %w", p.ID, p.AdvertiseURL, err))
	}
	if len(errs) == len(peers) {
		err := fmt.Errorf("join the cluster from a peer's registry: %w", errors.Join(errs...))
		if why == whyEmpty && floor == 0 {
			// The whole log is still there: slower, but as good.
			n.log.Warn("no peer gave a copy of its registry: replaying the whole command log instead", slog.Any("err", err))
			return reopen()
		}
		return nil, err
	}
	return reopen()
}

// Why a node starts from a peer's copy.
const (
	whyEmpty  = "empty"  // its registry holds nothing yet
	whyBehind = "behind" // the log was compacted past what it applied
)

// needsCopy tells why the node must start from a peer's copy, "" when it
// follows the log from its own registry, and the revision the log was
// compacted up to.
func (n *clusterNode) needsCopy(ctx context.Context, local *registry.Store) (string, int64, error) {
	applied, err := local.LastApplied()
	if err != nil {
		return "", 0, err
	}
	empty, err := local.Empty()
	if err != nil {
		return "", 0, err
	}
	cmdLog, err := cluster.NewLog(n.cli, n.cfg.Cluster.Name)
	if err != nil {
		return "", 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	ext, err := cmdLog.Extent(rctx)
	if err != nil {
		return "", 0, fmt.Errorf("read the cluster's log: %w", err)
	}
	switch {
	case applied == 0 && empty:
		return whyEmpty, ext.FloorRev, nil
	case applied == 0 && ext.Head > 0:
		// Records that came from no command of this log: following it
		// would mix them with the cluster's, and the nodes would differ.
		return "", 0, fmt.Errorf("config: db: %s holds records but has applied none of the cluster's command log, which holds %d commands: a database joins a cluster only as its first node (before any write) or empty; start this node on an empty database to copy a live node's", n.cfg.DB, ext.Head)
	case applied > 0 && applied < ext.FloorRev:
		return whyBehind, ext.FloorRev, nil
	}
	return "", ext.FloorRev, nil
}

// copyPeers returns the live nodes to copy from, the one that has
// applied the most first. A node that has not published its applied
// revision yet is still catching up itself, or not serving: it is left
// out.
func (n *clusterNode) copyPeers(ctx context.Context) ([]cluster.Node, error) {
	rctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	live, applied, err := cluster.LiveNodes(rctx, n.cli, n.cfg.Cluster.Name)
	if err != nil {
		return nil, err
	}
	var peers []cluster.Node
	for id, p := range live {
		if _, ok := applied[id]; ok && id != n.self.ID && p.AdvertiseURL != "" {
			peers = append(peers, p)
		}
	}
	slices.SortFunc(peers, func(a, b cluster.Node) int {
		return cmp.Or(cmp.Compare(applied[b.ID], applied[a.ID]), cmp.Compare(a.ID, b.ID))
	})
	return peers, nil
}

// copyFrom copies peer's registry into the node's database path, under a
// ticket that proves to the peer this node is one of the cluster's. The
// copy replaces the file only once it is whole and opens as a matthan
// database; with keepOld the file it replaces is kept beside it.
func (n *clusterNode) copyFrom(ctx context.Context, peer cluster.Node, keepOld bool) error {
	started := time.Now()
	tctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	ticket, err := cluster.IssueSnapshotTicket(tctx, n.cli, n.cfg.Cluster.Name, n.self.ID)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), etcdDialTimeout)
		defer cancel()
		if err := ticket.Revoke(rctx); err != nil {
			n.log.Warn("revoke the snapshot ticket (it expires by itself)", slog.Any("err", err))
		}
	}()
	client, err := n.peerClient()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(peer.AdvertiseURL, "/")+"/api/v1/cluster/snapshot", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+ticket.Value)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	var applied int64
	size, err := writeFileAtomic(n.cfg.DB,
		func(w io.Writer) (int64, error) { return io.Copy(w, resp.Body) },
		func(tmp string, got int64) error {
			if resp.ContentLength >= 0 && got != resp.ContentLength {
				return fmt.Errorf("copy incomplete: got %d of %d bytes", got, resp.ContentLength)
			}
			rev, err := appliedOf(tmp)
			if err != nil {
				return err
			}
			applied = rev
			if keepOld {
				aside := fmt.Sprintf("%s.behind-%s", n.cfg.DB, time.Now().UTC().Format("20060102T150405Z"))
				if err := os.Rename(n.cfg.DB, aside); err != nil {
					return fmt.Errorf("keep the database that fell behind: %w", err)
				}
				n.log.Warn("the database fell behind the cluster's log: kept beside the copy", slog.String("kept_at", aside))
			}
			return nil
		})
	if err != nil {
		return err
	}
	n.log.Info("copied a peer's registry to join the cluster", slog.String("peer", peer.ID), slog.Int64("bytes", size),
		slog.Int64("applied_revision", applied), slog.Duration("took", time.Since(started)))
	return nil
}

// appliedOf opens a copy read-only and returns the revision of the log
// it holds: a file that is not a matthan database of this schema, or
// holds none, is refused.
func appliedOf(path string) (int64, error) {
	s, err := registry.Open(path, registry.Options{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("the copy is not a usable database: %w", err)
	}
	defer s.Close()
	return s.LastApplied()
}

// peerClient is the HTTP client to other nodes: their certificates are
// checked against cluster.tls.ca_file when it is set (the CA that signs
// the cluster's certificates), else against the system's.
func (n *clusterNode) peerClient() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = snapshotHeaderTimeout
	tlsCfg, err := n.cfg.etcdTLS()
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		tr.TLSClientConfig = tlsCfg.Clone()
	} else {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}
