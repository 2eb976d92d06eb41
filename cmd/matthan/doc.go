// Command matthan is the one binary of Mắt Thần: the daemon that keeps the
// registry of a community's CCTV cameras (serve), a self-contained first look
// on a sample district (demo), and the operator's tools that talk to a
// running daemon over its HTTP API (import, export, backup) or, for the
// bootstrap token, directly to a stopped daemon's database (token create).
//
// Usage:
//
//	matthan serve [--config FILE] [--db PATH] [--listen ADDR] [--log-level LEVEL]
//	matthan demo [--listen ADDR] [--data DIR]
//	matthan token create --role ROLE --name NAME [--db PATH]
//	matthan import cameras FILE|- [--server URL] [--token T] [--atomic] [--format csv|geojson]
//	matthan export cameras [--format csv|geojson] [--output FILE] [--server URL] [--token T]
//	matthan backup FILE [--server URL] [--token T]
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
// MATTHAN_METRICS_RUNTIME):
//
//	MATTHAN_CONFIG       the config file, when --config is not given
//	MATTHAN_ADMIN_TOKEN  an admin token that needs no database entry (never read from the file)
//	MATTHAN_SERVER       the daemon the client commands talk to (default http://127.0.0.1:8080)
//	MATTHAN_TOKEN        the token the client commands send
//
// serve prints one line on stdout, "matthan listening on http://HOST:PORT"
// (the real port when listening on port 0); logs go to stderr as slog text
// and never contain tokens or camera credentials. SIGINT or SIGTERM stops
// accepting connections, lets requests in flight finish (bounded by
// http.shutdown_timeout), closes the database and exits 0.
//
// main is thin on purpose: everything runs through run (run.go) with its
// arguments, standard streams and environment passed in, so that the tests
// drive the same code in-process, and also build the real binary to start it
// as a process and signal it (main_test.go).
//
// Exit status: 0 on success, 1 on failure (including an import with
// rejected rows), 2 on a usage error (unknown command or flag).
package main
