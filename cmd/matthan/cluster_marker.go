package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The shared clips.dir marker. In cluster mode evidence clips are files
// in clips.dir that any node may be asked for, so clips.dir must be one
// file system that every node mounts (NFS, CephFS). A node on a local
// directory by mistake would store clips the others cannot read, and
// answer 404 for theirs. The check: the first node of a cluster writes a
// random value in <clips.dir>/.matthan-cluster and in etcd; every node
// after it must find the same value in its clips.dir, or refuses to
// start.

// clipsMarkerFile is the marker's name in clips.dir.
const clipsMarkerFile = ".matthan-cluster"

// clipsMarkerKey is the marker's key in etcd.
func clipsMarkerKey(clusterName string) string { return "/matthan/" + clusterName + "/clips_marker" }

// checkClipsMarker checks that dir is the cluster's shared clips
// directory, making it so when neither dir nor etcd has a marker yet
// (the first node). A directory with a marker joins a cluster whose etcd
// has none (etcd rebuilt, or the directory moved to a new cluster) and
// its marker becomes the cluster's. The value is put in etcd only if no
// node put one meanwhile, so two first nodes agree on one value.
func checkClipsMarker(ctx context.Context, cli *clientv3.Client, clusterName, dir string) error {
	key := clipsMarkerKey(clusterName)
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read the clips marker from etcd: %w", err)
	}
	path := filepath.Join(dir, clipsMarkerFile)
	local, err := readMarker(path)
	if err != nil {
		return err
	}
	if len(resp.Kvs) == 1 {
		return sameMarker(dir, clusterName, local, string(resp.Kvs[0].Value))
	}
	created := false
	if local == "" {
		if local, created, err = createMarker(dir, path); err != nil {
			return err
		}
	}
	txn, err := cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, local)).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return fmt.Errorf("store the clips marker in etcd: %w", err)
	}
	if txn.Succeeded {
		return nil
	}
	// Another node stored its marker first.
	kvs := txn.Responses[0].GetResponseRange().Kvs
	if len(kvs) != 1 {
		return fmt.Errorf("store the clips marker in etcd: the key %s vanished", key)
	}
	if err := sameMarker(dir, clusterName, local, string(kvs[0].Value)); err != nil {
		if created {
			// The marker written here lost: leave the directory as it was.
			_ = os.Remove(path)
		}
		return err
	}
	return nil
}

// sameMarker compares the marker of dir (local, "" when absent) with the
// cluster's.
func sameMarker(dir, clusterName, local, shared string) error {
	switch {
	case local == "":
		return fmt.Errorf("config: clips.dir: %s is not the cluster's shared directory: it has no %s marker, while cluster %q has one; in cluster mode clips.dir must be the file system every node mounts (NFS, CephFS)", dir, clipsMarkerFile, clusterName)
	case local != shared:
		return fmt.Errorf("config: clips.dir: %s is not the cluster's shared directory: its %s marker differs from cluster %q's (another cluster's directory, or a copy); in cluster mode clips.dir must be the file system every node mounts (NFS, CephFS)", dir, clipsMarkerFile, clusterName)
	}
	return nil
}

// readMarker returns the marker in path, "" when there is none.
func readMarker(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("config: clips.dir: read the cluster marker: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("config: clips.dir: the cluster marker %s is empty: remove it if this is the cluster's shared directory and no node uses it yet", path)
	}
	return v, nil
}

// createMarker writes a new random marker in path, unless another node
// sharing dir wrote one first: then that one is returned. The file is
// complete or absent (written aside, then linked in place, which fails
// if path exists, also on NFS).
func createMarker(dir, path string) (value string, created bool, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", false, fmt.Errorf("config: clips.dir: %w", err)
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // never fails (crypto/rand)
	value = hex.EncodeToString(raw[:])
	tmp, err := os.CreateTemp(dir, clipsMarkerFile+".*.tmp")
	if err != nil {
		return "", false, fmt.Errorf("config: clips.dir: write the cluster marker: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.WriteString(value + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", false, fmt.Errorf("config: clips.dir: write the cluster marker: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			v, rerr := readMarker(path)
			if rerr == nil && v == "" {
				rerr = fmt.Errorf("config: clips.dir: the cluster marker %s vanished while it was written", path)
			}
			return v, false, rerr
		}
		return "", false, fmt.Errorf("config: clips.dir: write the cluster marker: %w", err)
	}
	return value, true, nil
}
