package api

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/gin-gonic/gin"
)

// backup streams a consistent copy of the database. The store writes it
// from one read transaction, so the daemon keeps serving writes meanwhile.
func (s *Server) backup(c *gin.Context) {
	name := fmt.Sprintf("matthan-%s.db", s.now().UTC().Format("20060102T150405Z"))
	n, err := s.store.WriteBackup(c.Writer, func(size int64) {
		c.Header("Content-Type", "application/octet-stream")
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Header("Content-Length", strconv.FormatInt(size, 10))
		c.Status(200)
	})
	if err != nil {
		if !c.Writer.Written() {
			s.writeError(c, err)
			return
		}
		// Headers are gone; the short body tells the client it failed.
		s.log.Error("backup interrupted", slog.Int64("bytes", n), slog.Any("err", err))
		return
	}
	s.lastBackup.SetToCurrentTime()
	s.log.Info("backup sent", slog.Int64("bytes", n), slog.String("by", actor(c).Name))
}
