package main

import (
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"
)

// A camera's link, for the probe benchmarks: on loopback a fake camera
// answers within microseconds, so the probes started together in one
// wake-up of the daemon also end together; over a district's links each
// answer comes back a round trip later, at its own time. linkProxy puts
// that round trip between the daemon and a fake camera.

// linkProxy listens on a loopback port and forwards each connection to a
// fake camera, holding every chunk of bytes for half the connection's
// round trip in each direction. Each connection draws its round trip from
// 0.5–1.5 × the link's, so that probes started together are answered
// apart, as cameras on different links are. It runs in the benchmark's
// process, so none of its CPU is the daemon's.
type linkProxy struct {
	ln     net.Listener
	target string
	rtt    time.Duration // the link's mean round trip
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool // open, for close; nil once closing
}

// linkRTT is MATTHAN_BENCH_RTT: the round trip of the cameras' links in
// the probe benchmarks, 0 (loopback) when unset.
func linkRTT(b *testing.B) time.Duration {
	b.Helper()
	v := os.Getenv("MATTHAN_BENCH_RTT")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("MATTHAN_BENCH_RTT: want a round trip such as 40ms, got %q", v)
	}
	return d
}

// behindLinks returns the fakes' URLs unchanged when rtt is 0, else each
// behind a linkProxy of that round trip.
func behindLinks(b *testing.B, urls []string, rtt time.Duration) []string {
	b.Helper()
	if rtt == 0 {
		return urls
	}
	out := make([]string, len(urls))
	for i, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		p := &linkProxy{ln: ln, target: u.Host, rtt: rtt, conns: map[net.Conn]bool{}}
		p.wg.Add(1)
		go p.serve()
		b.Cleanup(p.close)
		u.Host = ln.Addr().String()
		out[i] = u.String()
	}
	return out
}

func (p *linkProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		t, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, t) {
			return
		}
		oneWay := (p.rtt/2 + rand.N(p.rtt)) / 2
		p.wg.Add(2)
		go p.pipe(t, c, oneWay)
		go p.pipe(c, t, oneWay)
	}
}

// untrack forgets a closed pair.
func (p *linkProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c) // a no-op once closing (nil map)
	}
}

// track records an open pair, or closes it when the proxy is closing.
func (p *linkProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

// chunk is bytes read, and when they may be written.
type chunk struct {
	data []byte
	at   time.Time
}

// pipe copies src to dst, each chunk oneWay after it was read, in order.
// Closing either end closes both.
func (p *linkProxy) pipe(dst, src net.Conn, oneWay time.Duration) {
	defer p.wg.Done()
	queue := make(chan chunk, 64)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 4096)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{buf[:n], time.Now().Add(oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		dst.Close()
		src.Close()
		p.untrack(dst, src)
		for range queue { // let the reader end
		}
	}()
	for c := range queue {
		// The link's delay: a simulated transit time, not a wait for an
		// event.
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
}

func (p *linkProxy) close() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	p.ln.Close()
	for c := range conns {
		c.Close()
	}
	p.wg.Wait()
}
