// Command matthan is the one binary of Mắt Thần: the daemon that keeps the
// registry of a community's CCTV cameras and polls their RTSP streams
// (serve), a self-contained first look on a sample district with simulated
// cameras (demo), the installer's check of one camera (probe), and the
// operator's tools that talk to a running daemon over its HTTP API
// (import, export, backup) or directly to a stopped daemon's database
// (token create, list and revoke; verify for the evidence clips), and the
// police chief's tools for the informants of hotline tips, which run
// where the chief's private key is (tips reveal, tips rekey).
//
// Usage:
//
//	matthan serve [--config FILE] [--db PATH] [--clips-dir DIR] [--listen ADDR] [--log-level LEVEL] [--poll-interval D]
//	matthan demo [--listen ADDR] [--data DIR] [--log-level LEVEL] [--poll-interval D]
//	matthan probe URL [--deep] [--timeout D] [--json]
//	matthan token create --role ROLE --name NAME [--expires-in D | --expires-at TIME] [--db PATH]
//	matthan token list [--db PATH]
//	matthan token revoke ID [--db PATH]
//	matthan verify [--db PATH] [--clips-dir DIR] [--config FILE]
//	matthan import cameras FILE|- [--server URL] [--token T] [--atomic] [--format csv|geojson]
//	matthan export cameras [--format csv|geojson|xlsx] [--bom] [--output FILE] [--server URL] [--token T]
//	matthan backup FILE [--server URL] [--token T]
//	matthan tips reveal TIP-ID --identity FILE --reason TEXT [--server URL] [--token T]
//	matthan tips rekey --identity OLD-FILE --recipient NEW-KEY [--recipient NEW-KEY]... [--db PATH]
//	matthan version
//	matthan help [COMMAND]
//
// The daemon's configuration comes in four layers, each overriding the one
// before: built-in defaults, a YAML file (configs/matthan.yaml is the
// annotated example), MATTHAN_* environment variables, and command-line
// flags (config.go, where one table maps each key to its variable and
// flag). Besides the keys' variables (MATTHAN_LISTEN, MATTHAN_DB,
// MATTHAN_LOG_LEVEL, MATTHAN_BODY_LIMIT, MATTHAN_IMPORT_LIMIT,
// MATTHAN_SHUTDOWN_TIMEOUT, MATTHAN_READ_HEADER_TIMEOUT,
// MATTHAN_METRICS_RUNTIME, MATTHAN_POLLER_ENABLED, MATTHAN_POLL_INTERVAL,
// MATTHAN_CLIPS_DIR, MATTHAN_CLIPS_MAX_BYTES, MATTHAN_INCIDENTS_RETENTION,
// MATTHAN_INCIDENTS_RETENTION_INTERVAL, MATTHAN_BODY_TIMEOUT,
// MATTHAN_MIN_UPLOAD_RATE, MATTHAN_UPLOAD_GRACE, MATTHAN_TRUSTED_PROXIES,
// MATTHAN_TLS_CERT_FILE, MATTHAN_TLS_KEY_FILE, MATTHAN_TIPS_ENABLED,
// MATTHAN_TIPS_RECIPIENTS, MATTHAN_TIPS_RETENTION):
//
//	MATTHAN_CONFIG       the config file, when --config is not given
//	MATTHAN_ADMIN_TOKEN  an admin token that needs no database entry (never read from the file)
//	MATTHAN_WEBHOOK_SECRET  the secret that signs the webhooks (never read from the file)
//	MATTHAN_SERVER       the daemon the client commands talk to (default http://127.0.0.1:8080)
//	MATTHAN_TOKEN        the token the client commands send
//	MATTHAN_CA_FILE      the certificate an https:// daemon must present, for the client commands
//
// The daemon runs the health poller (package ingest, configured by the
// poller: section) with the RTSP prober of camera/rtsp: it starts once the
// database is open and before /readyz answers ready, and follows camera
// writes through the API without a restart (poller.go, daemon.go). The
// prober, clip capture and the API's camera writes share the network
// policy of the probe: section (config_probe.go): the addresses the
// daemon may connect to on a camera's behalf.
//
// With cluster.etcd_endpoints set (the cluster: section,
// config_cluster.go, MATTHAN_CLUSTER_*), serve runs as one node of a
// cluster on etcd (cluster.go): it checks that clips.dir is the cluster's
// shared directory (cluster_marker.go), joins the live nodes under a
// lease, polls only the cameras the rendezvous hash gives it, moves
// cameras as nodes come and go, and revokes its lease on shutdown.
//
// It keeps the evidence clips of incidents in clips.dir (by default the
// directory "clips" next to the database) and runs the retention job
// (incidents: section) beside the server, stopped before the database
// closes (incidents.go). verify re-hashes every clip of a stopped
// daemon's database, prints one line per clip and exits 1 when a file was
// altered or is missing (verify.go).
//
// serve prints one line on stdout, "matthan listening on http://HOST:PORT"
// (the real port when listening on port 0; https:// when tls.cert_file and
// tls.key_file are set, config_edge.go); logs go to stderr as slog text
// and never contain tokens or camera credentials. Started with no admin
// token in the environment and no token in the database, it warns on
// stderr with the command that creates one (serve.go). SIGINT or SIGTERM stops
// accepting connections, lets requests in flight finish (bounded by
// http.shutdown_timeout), stops the retention job and the poller (which
// writes the results not yet written), closes the database and exits 0.
//
// demo starts one fake RTSP camera (camera/rtsp/rtsptest) on a free
// 127.0.0.1 port for every sample camera, a few of them faulty (down,
// wrong password, frozen, no video, flapping), points the sample's
// rtsp_url at them and polls every 10 s, so that every health state shows
// within a minute; its banner says which camera plays which fault. It
// loads the sample's incidents and, once the poller finds their cameras
// up, captures a few short clips from them. The demo's logic is package
// internal/demo; demo.go is the subcommand.
//
// probe checks one camera now and prints what it found for a person (or,
// with --json, the camera.ProbeResult); it exits 0 when the camera is up,
// 1 when it is not. The URL's password is never printed.
//
// main is thin on purpose: everything runs through run (run.go) with its
// arguments, standard streams and environment passed in, so that the tests
// drive the same code in-process, and also build the real binary to start it
// as a process and signal it (main_test.go).
//
// Exit status: 0 on success, 1 on failure (including an import with
// rejected rows and a probe of a camera that is not up), 2 on a usage
// error (unknown command or flag).
package main
