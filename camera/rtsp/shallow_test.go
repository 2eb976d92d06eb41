package rtsp_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp"
)

// scriptedSDP is a camera's session with one H.264 video track.
const scriptedSDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n"

// TestShallowProbeKeepsToTheExchange runs a shallow probe against a
// camera that talks out of turn, as some do: before its OPTIONS answer it
// sends an answer to a request the probe never made (another CSeq) and a
// keep-alive OPTIONS request of its own; it answers DESCRIBE without any
// CSeq. (A camera whose very first bytes are not an RTSP answer is
// not_rtsp: TestProbeHostile.) The probe answers the camera's request 200 with its CSeq, skips
// the stray answer, takes the one without CSeq, and finds the camera up —
// what gortsplib's client does with the same camera.
func TestShallowProbeKeepsToTheExchange(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	served := make(chan error, 1)
	go func() { served <- scriptedCamera(ln) }()

	p := &rtsp.Prober{Timeout: 5 * time.Second}
	got := p.Probe(context.Background(), "rtsp://"+ln.Addr().String()+"/stream1", false)
	if got.State != camera.StateUp || got.Codec != "h264" {
		t.Errorf("probe: %s %s %q, want up with h264", got.State, got.Reason, got.Detail)
	}
	if err := <-served; err != nil {
		t.Errorf("the camera's side: %v", err)
	}
}

// scriptedCamera serves one connection as TestShallowProbeKeepsToTheExchange
// says, and returns what the probe did wrong, if anything.
func scriptedCamera(ln net.Listener) error {
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := textproto.NewReader(bufio.NewReader(c))
	request := func() (string, textproto.MIMEHeader, error) {
		line, err := r.ReadLine()
		if err != nil {
			return "", nil, err
		}
		h, err := r.ReadMIMEHeader()
		return line, h, err
	}

	line, h, err := request()
	if err != nil || !strings.HasPrefix(line, "OPTIONS ") {
		return fmt.Errorf("first request %q: %v", line, err)
	}
	cseq := h.Get("CSeq")
	fmt.Fprintf(c, "RTSP/1.0 200 OK\r\nCSeq: 999\r\nPublic: NOTHING\r\n\r\n")
	fmt.Fprintf(c, "OPTIONS rtsp://probe/ RTSP/1.0\r\nCSeq: 77\r\n\r\n")
	fmt.Fprintf(c, "RTSP/1.0 200 OK\r\nCSeq: %s\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n", cseq)

	// The probe's answer to the camera's OPTIONS, then its DESCRIBE.
	status, err := r.ReadLine()
	if err != nil || status != "RTSP/1.0 200 OK" {
		return fmt.Errorf("answer to the camera's OPTIONS %q: %v", status, err)
	}
	if h, err := r.ReadMIMEHeader(); err != nil || h.Get("CSeq") != "77" {
		return fmt.Errorf("answer to the camera's OPTIONS has CSeq %q: %v", h.Get("CSeq"), err)
	}
	line, h, err = request()
	if err != nil || !strings.HasPrefix(line, "DESCRIBE ") || h.Get("Accept") != "application/sdp" {
		return fmt.Errorf("second request %q %v: %v", line, h, err)
	}
	fmt.Fprintf(c, "RTSP/1.0 200 OK\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(scriptedSDP), scriptedSDP)
	return nil
}
