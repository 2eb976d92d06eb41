// Package evidence keeps the evidence of incidents: the clips police
// upload or record from a camera, stored under their SHA-256 with a chain
// of custody, verified, and purged by retention. It is apart from the
// health poller (package ingest), with which it shares nothing but the
// registry: the poller says which cameras work, this package keeps what
// they filmed.
//
// # Storing a clip
//
// Clips (clips.go) keeps the evidence of incidents. Upload streams a
// request body into the ClipStore (store.go) with one 32 KiB buffer (a
// 500 MB file costs the same memory as a small one), hashing it on the
// way; Capture (capture.go) records up to MaxCaptureDuration of a
// camera's H.264 stream (a VideoSource: rtsp.Prober.Capture) into an MP4
// with vdk's muxer, starting at a keyframe, and fails within
// CaptureStartTimeout with the camera's state when no keyframe comes.
// Either way the file is written to a temporary file, fsynced, renamed to
// its content address <dir>/<sha256[0:2]>/<sha256> (the client's file
// name is kept, sanitised, for display only), inspected (inspect.go:
// codec, size, duration, from the moov box alone; a file that cannot be
// read is kept, flagged) and attached to the incident with a custody
// "create" entry, all or nothing: a cut upload leaves no file and no
// record.
//
// # Reading and checking
//
// Open logs a download or an export in the custody chain before it hands
// out the file; Verify (verify.go) re-hashes a file (match, mismatch,
// missing) and logs that too; VerifyAll does every clip for "matthan
// verify".
//
// # Retention
//
// Retention (retention.go) purges incidents that ended more than its
// period ago, except those on legal hold, with the clips no other
// incident references: records, custody and files.
//
// # Metrics
//
// IncidentMetrics (metrics.go): matthan_incidents_total{category},
// matthan_clip_bytes, matthan_clip_verify_failures_total.
package evidence
