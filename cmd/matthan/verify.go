package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/registry"
)

const verifySynopsis = "matthan verify [--db PATH] [--clips-dir DIR] [--config FILE]"

// verify re-hashes every evidence clip of a stopped daemon's database and
// says, one line per clip, whether its file still matches its SHA-256;
// each check is appended to the clip's chain of custody. It exits 1 when
// any file was altered or is missing. Like "token create" it opens the
// database file itself, so the daemon must be stopped; a running daemon
// verifies a clip at GET /api/v1/clips/{id}/verify.
func (c *cli) verify(ctx context.Context, args []string) error {
	fs := c.newFlagSet("verify", verifySynopsis)
	file := fs.String("config", "", "YAML configuration `FILE` to take the database and clips paths from (default $"+envConfig+")")
	fs.String("db", defaultDB, "database file `PATH`")
	fs.String("clips-dir", "", "evidence clips `DIR` (default clips.dir: \"clips\" next to the database)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	src := configSource{File: *file, Getenv: c.getenv, Flags: map[string]string{}}
	if src.File == "" {
		src.File = c.getenv(envConfig)
	}
	for name, v := range setFlags(fs) {
		if name == "db" || name == "clips-dir" {
			src.Flags[name] = v
		}
	}
	cfg, err := loadConfig(src)
	if err != nil {
		return err
	}
	store, err := registry.Open(cfg.DB, registry.Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		if errors.Is(err, registry.ErrLocked) {
			return fmt.Errorf("%w\nstop the daemon first, or verify clips one at a time through it: GET /api/v1/clips/{id}/verify", err)
		}
		return err
	}
	err = c.verifyAll(ctx, store, cfg.Clips.Dir)
	if cerr := store.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	return err
}

// verifyAll prints one line per clip and a summary; errReported when a
// file is altered or missing.
func (c *cli) verifyAll(ctx context.Context, store *registry.Store, dir string) error {
	files, err := evidence.NewClipStore(dir)
	if err != nil {
		return err
	}
	clips := &evidence.Clips{Store: store, Files: files}
	counts := map[string]int{}
	var bytes int64
	err = clips.VerifyAll(ctx, func(r evidence.VerifyResult) error {
		counts[r.Result]++
		bytes += r.Bytes
		clip, err := store.GetClip(ctx, r.ClipID)
		if err != nil {
			return err
		}
		incidents := strings.Join(clip.IncidentIDs, ",")
		switch r.Result {
		case camera.VerifyMatch:
			fmt.Fprintf(c.stdout, "ok        %s  %d bytes  incidents %s\n", r.ClipID, r.Bytes, incidents)
		case camera.VerifyMismatch:
			fmt.Fprintf(c.stdout, "MISMATCH  %s  the file now hashes to %s: altered on disk  incidents %s\n", r.ClipID, r.SHA256, incidents)
		default:
			fmt.Fprintf(c.stdout, "MISSING   %s  no file at %s  incidents %s\n", r.ClipID, files.Path(r.ClipID), incidents)
		}
		return nil
	})
	if err != nil {
		return err
	}
	total := counts[camera.VerifyMatch] + counts[camera.VerifyMismatch] + counts[camera.VerifyMissing]
	fmt.Fprintf(c.stdout, "%d clips verified in %s (%d bytes re-hashed): %d ok, %d altered, %d missing\n",
		total, dir, bytes, counts[camera.VerifyMatch], counts[camera.VerifyMismatch], counts[camera.VerifyMissing])
	if total > counts[camera.VerifyMatch] {
		fmt.Fprintf(c.stderr, "matthan verify: %d of %d clips do not match their hash; each check is in the clip's chain of custody\n", total-counts[camera.VerifyMatch], total)
		return errReported
	}
	return nil
}
