// Package ingest brings the health of the cameras into the registry: the
// health poller probes every active camera on a schedule, confirms
// changes of state, records them, and tells whoever listens. (The
// evidence of incidents, clips uploaded or captured, is package evidence:
// it shares nothing with the poller.)
//
// # Wiring
//
//	p, err := ingest.New(ingest.Options{
//		Config:     ingest.Config{Interval: time.Minute},
//		Prober:     &rtsp.Prober{},
//		Store:      store, // *registry.Store
//		Logger:     log,
//		Registerer: reg,
//	})
//	err = p.Start(ctx) // loads cameras and their last health
//	defer p.Stop()
//
// The API calls p.Upsert (or CameraChanged) after every camera write and
// p.Remove (CameraRemoved) after a delete; p.Sync reloads everything from
// the store. A retired camera is unscheduled and its state becomes
// unknown, reason "retired", so that its uptime stops counting; so is a
// camera without a stream URL (reason "no_url"): not monitored is not
// down, and must not page anyone.
//
// # Schedule
//
// Each camera is probed every Interval (per-camera overrides in
// Config.Intervals) in its own slot: a phase within the interval taken
// from a hash of its id, plus up to Jitter of randomness, so 10,000
// cameras make an even 167 probes a second instead of bursts. One
// goroutine and one timer drive a min-heap of due times, waking at most
// once a Tick (50 ms) to start every probe due by then; probes run in
// two bounded lanes (Concurrency, SlowConcurrency): cameras whose last
// probe was slow (half the timeout or more: black holes, frozen streams)
// wait in the slow lane, so that a thousand dead cameras cannot delay the
// probes of working ones by more than one probe timeout. A camera is never
// probed twice at once.
//
// # Confirmation and retries
//
// A state changes only after Confirm (2) results in a row agree on the new
// one; a single lost answer is ignored. The change is dated at the first
// agreeing result. While a change is being confirmed the camera is probed
// again after Retry (5 s), so an outage is confirmed within seconds; a
// camera that stays failed is retried after 5 s, 10 s, 20 s, 40 s, then
// every interval in its slot. A cancelled probe (state unknown) says
// nothing and is ignored.
//
// # Deep probes
//
// A shallow probe (OPTIONS, DESCRIBE) costs one round trip and a few
// hundred bytes; a deep one (SETUP, PLAY, wait for the first video
// packet) holds a session open until a frame arrives — up to a GOP, often
// 1–4 s — and pulls video over what is, for many donated cameras, a
// metered 4G uplink. It is the only way to see a frozen encoder, which a
// shallow probe reports as up. The policy:
//
//   - a camera not confirmed up (unknown, down, degraded, auth_failed) is
//     always probed deep: for a dead camera it costs the same as a
//     shallow probe (it fails at the same step), and a camera coming back
//     is confirmed up only once it actually sends video;
//   - a probe confirming a change is deep, so that a change found by a
//     deep probe is not undone by a shallow one that cannot see it;
//   - a camera confirmed up gets every DeepEvery-th probe deep (15: every
//     15 minutes at 60 s), its turn offset by a hash of its id so deep
//     probes are spread over the network. A frozen encoder is a slow,
//     rare failure; finding it within 15 minutes, for one fifteenth of
//     the video traffic, is the trade.
//
// # What is stored, and how durable it is
//
// Every result updates the camera's current health (state, since, last
// probe, consecutive failures) and every confirmed change adds a
// transition (registry.RecordHealth). Results are batched: the latest per
// camera is written every FlushInterval (1 s), or as soon as FlushMax are
// pending, in one transaction. A confirmed transition triggers a write at
// once. So a crash (SIGKILL, power cut) loses at most the last second of
// "last probe" updates and a transition confirmed in the few milliseconds
// before it; Stop writes everything pending. After a restart the poller
// resumes from the stored state, so a lost transition is confirmed again
// by the next probes (dated then, not at the lost time).
//
// # Memory
//
// A network may have a million cameras, and the poller holds them all:
// about 190 bytes each (BenchmarkPollerMemory1M). A camera is an 80-byte
// entry with only what scheduling and confirmation need, its id and
// stream URL in one string, and a slot in the id index and in the
// schedule's heap; communes and reasons are interned. The last probe's
// details are not kept: they are in the recorder's pending writes or in
// the store, where Current reads them. A load reads the stored health
// into a compact sorted list and applies each camera as the store yields
// it, so that it never holds every camera at once.
//
// # Webhooks
//
// Every confirmed change is POSTed as JSON (Event) to each of
// Config.Webhooks, from one goroutine and one bounded queue per URL, with
// bounded retries and exponential backoff. The poller never waits for a
// receiver; when a queue is full its oldest event is dropped and counted.
// Events carry the camera id and commune, never its URL or credentials.
// Every attempt is signed (SignatureHeader: HMAC-SHA256 of the time and
// the body under Config.WebhookSecret, which webhooks require), and a
// redirect is a failed delivery, never followed.
//
// # Metrics
//
// matthan_probe_duration_seconds{result}, matthan_probes_total{result,
// reason}, matthan_cameras{commune,state}, matthan_poller_cameras,
// matthan_poller_lag_seconds{lane} (alert on the normal lane: the poller
// is falling behind), matthan_poller_probes_in_flight{lane},
// matthan_health_flushes_total{result},
// matthan_health_flush_duration_seconds, matthan_webhook_deliveries_total
// {result}, matthan_webhook_dropped_total, and, when
// Config.PerCameraMetric is set, matthan_camera_up{camera_id}.
//
// Credentials: the prober gets cam.StreamURL(); logs, metrics, stored
// records and webhook events name a camera by its id only.
package ingest
