// Package rtsptest runs fake RTSP cameras on loopback ports, for the tests
// of the probe and the poller and for the simulated cameras of
// "matthan demo".
//
// A Camera (Start) is a real RTSP server (gortsplib) with one H.264 stream
// whose SPS carries the picture size you choose, optional Basic or Digest
// credentials, and a Behavior — streaming, frozen, audio only, not found —
// that can be changed while it runs, so a camera can fail and recover on the
// same URL. Its frames are a Picture: real H.264 (a bar moving across a
// grey screen) that a browser decodes, so a clip recorded from a fake
// camera plays in the console like one from a real camera.
//
// A Broken server (StartBroken) is a plain TCP server that misbehaves in one
// of the ways a probe must survive: silence, junk, endless or oversized
// answers, a byte a second, redirects, refused credentials, a hang-up in the
// middle of an answer, or an HTTP server on the camera's port.
//
// Both listen on 127.0.0.1:0 by default, stop every goroutine and close every
// socket in Close, and never sleep: frames and drips are paced by tickers
// stopped on Close. The package does not import "testing", so that the
// daemon's demo mode can use it.
package rtsptest
