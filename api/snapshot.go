package api

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// SnapshotTickets checks the ticket of a node that copies this node's
// registry to join the cluster (cluster mode; docs/cluster.md, "Joining
// from a peer"). The api package does not know how tickets are kept: the
// daemon checks them in etcd.
type SnapshotTickets interface {
	// CheckSnapshotTicket returns the id of the node that holds ticket,
	// an error coded camera.EUNAUTHORIZED when no node of the cluster
	// holds it, or another error when it cannot tell.
	CheckSnapshotTicket(ctx context.Context, ticket string) (node string, err error)
}

// clusterSnapshot streams a consistent copy of the registry, as the
// backup does, to a node of the cluster that joins: it opens the copy
// and follows the command log from the revision the copy holds. The
// caller shows a snapshot ticket, not a user's token; a bad one counts
// against its address like a bad token. The copy is recorded in the
// audit log as cluster.snapshot, by "node <id>", and never counts as the
// operator's backup.
func (s *Server) clusterSnapshot(c *gin.Context) {
	client := ClientKey(c.ClientIP())
	if s.refuseThrottled(c, client, "Authorization") {
		return
	}
	ticket, ok := bearer(c.GetHeader("Authorization"))
	if !ok {
		s.authFailed(c, client, authMalformed, s.authThrottle.Fail(client))
		s.writeError(c, camera.Errorf(camera.EUNAUTHORIZED, "Authorization", "a node's snapshot ticket is required, as \"Bearer <ticket>\""))
		return
	}
	node, err := s.snapshots.CheckSnapshotTicket(c, ticket)
	if err != nil {
		if camera.ErrorCode(err) == camera.EUNAUTHORIZED {
			s.authFailed(c, client, authUnknown, s.authThrottle.Fail(client))
		} else {
			s.log.Error("check a snapshot ticket", slog.Any("err", err))
			err = camera.Errorf(camera.EUNAVAILABLE, "", "cannot check the snapshot ticket now: try again")
		}
		s.writeError(c, err)
		return
	}
	by := camera.Actor{Name: "node " + node, Role: camera.RoleAdmin}
	c.Set(actorKey, by)
	name := fmt.Sprintf("matthan-%s-%s.db", node, s.now().UTC().Format("20060102T150405Z"))
	n, ok := s.sendCopy(c, name, "snapshot")
	if !ok {
		return
	}
	if err := s.store.RecordSnapshot(context.WithoutCancel(c), by, name, n); err != nil {
		s.log.Error("snapshot not recorded in the audit log", slog.Any("err", err))
	}
}
