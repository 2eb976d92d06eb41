package api

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gin-gonic/gin"
)

// backup streams a consistent copy of the database. The store writes it
// from one read transaction, so the daemon keeps serving writes meanwhile.
// A backup streamed to the end is recorded in the audit log
// (backup.download) and sets matthan_backup_last_success_timestamp_seconds.
func (s *Server) backup(c *gin.Context) {
	name := fmt.Sprintf("matthan-%s.db", s.now().UTC().Format("20060102T150405Z"))
	n, ok := s.sendCopy(c, name, "backup")
	if !ok {
		return
	}
	s.lastBackup.set(s.now())
	// Who took a copy of everything is kept in the audit log, which also
	// tells the console when the last backup was made, across restarts.
	// The client may be gone once the last byte is out: the record is
	// written all the same.
	if err := s.store.RecordBackup(context.WithoutCancel(c), actor(c), name, n); err != nil {
		s.log.Error("backup not recorded in the audit log", slog.Any("err", err))
	}
}

// sendCopy streams the database as the file name, and reports whether
// it went out whole; what (backup, snapshot) names it in the log.
func (s *Server) sendCopy(c *gin.Context, name, what string) (int64, bool) {
	n, err := s.store.WriteBackup(c.Writer, func(size int64) {
		c.Header("Content-Type", "application/octet-stream")
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Header("Content-Length", strconv.FormatInt(size, 10))
		c.Status(200)
	})
	if err != nil {
		if !c.Writer.Written() {
			s.writeError(c, err)
			return n, false
		}
		// Headers are gone; the short body tells the client it failed.
		s.log.Error(what+" interrupted", slog.Int64("bytes", n), slog.Any("err", err))
		return n, false
	}
	s.log.Info(what+" sent", slog.Int64("bytes", n), slog.String("by", actor(c).Name))
	return n, true
}

// backupGauge is matthan_backup_last_success_timestamp_seconds: absent
// until a backup succeeds, so that the "never backed up" alert can use
// absent() and the "stale" one does not fire on a daemon just started.
type backupGauge struct {
	desc *prometheus.Desc
	at   atomic.Int64 // unix seconds; 0 = none yet
}

func newBackupGauge() *backupGauge {
	return &backupGauge{desc: prometheus.NewDesc("matthan_backup_last_success_timestamp_seconds",
		"Unix time of the last backup streamed to the end since the daemon started; absent before the first.", nil, nil)}
}

func (g *backupGauge) set(t time.Time) { g.at.Store(t.Unix()) }

func (g *backupGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *backupGauge) Collect(ch chan<- prometheus.Metric) {
	if v := g.at.Load(); v != 0 {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(v))
	}
}
