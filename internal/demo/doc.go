// Package demo is "matthan demo": the sample district (internal/sample)
// loaded into a fresh daemon, with a simulated RTSP camera for each of its
// cameras, so that a first look shows every part of the daemon working.
// It is apart from package main so that the binary's wiring stays thin
// and the demo's own logic can be read and tested on its own; the
// subcommand (cmd/matthan/demo.go) parses the flags, opens the daemon and
// calls this package.
//
// The parts, in the order the subcommand uses them:
//
//   - PrepareDir wipes the demo's own directory, and only that (a marker
//     file says it is the demo's).
//   - SamplePlan and Simulate (simulate.go): one fake camera
//     (camera/rtsp/rtsptest) on a free 127.0.0.1 port per sample camera,
//     a few playing a fault at fixed positions (down, wrong password,
//     frozen, no video, flapping, metered), so that every health state
//     shows within a minute at the poller settings PollInterval,
//     PollTimeout, PollRetry and the plan's Intervals.
//   - Seed (demo.go) sends the sample's data sets through the daemon's API
//     in-process, with an admin token made for the demo, the way an
//     operator would; creates a console account per role (users.go);
//     publishes one commune's public statement (statement.go); stores a
//     month of made-up health history (history.go); and chooses the
//     incidents whose clips CaptureClips records once their cameras are
//     up (incidents.go).
//   - PrintBanner tells the user where to look and what to try.
package demo
