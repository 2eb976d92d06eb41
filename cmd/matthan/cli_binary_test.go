package main

import (
	"net"
	"regexp"
	"strings"
	"testing"
)

// TestBinaryHelp: help that was asked for goes to stdout with exit 0, so
// that "matthan report --help | less" works; a wrong flag goes to stderr
// with the usage and exit 2.
func TestBinaryHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stdout
	}{
		{[]string{"--help"}, "Commands:"},
		{[]string{"-h"}, "Commands:"},
		{[]string{"help"}, "Commands:"},
		{[]string{"help", "report"}, "matthan report"},
		{[]string{"report", "--help"}, "matthan report"},
		{[]string{"report", "-h"}, "matthan report"},
		{[]string{"serve", "--help"}, "--listen ADDR"},
		{[]string{"export", "cameras", "--help"}, "-o, --output FILE"},
		{[]string{"import", "--help"}, "matthan import cameras"},
		{[]string{"import", "cameras", "x.csv", "--help"}, "--atomic"},
		{[]string{"help", "token", "create"}, "--role ROLE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runBinary(t, nil, tt.args...)
			if code != 0 || errOut != "" || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant exit 0, nothing on stderr, %q on stdout", code, errOut, out, tt.want)
			}
		})
	}
	for _, args := range [][]string{{"report", "--frm", "2026-01-01"}, {"serve", "-port", "80"}, {"export", "cameras", "--utf8"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := runBinary(t, nil, args...)
			if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined: --") || !strings.Contains(errOut, "Usage:") {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2, nothing on stdout, the error and usage on stderr", code, out, errOut)
			}
		})
	}
}

// TestBinaryFlagListing: flags are listed as they are typed, one dash for
// a one-letter alias and two for a name, the alias on its flag's line;
// never the flag package's "-output" or "--o".
func TestBinaryFlagListing(t *testing.T) {
	single := regexp.MustCompile(`(?m)^\s+-[a-z][a-z-]+`) // "-output": a name with one dash
	for _, args := range [][]string{
		{"help", "serve"}, {"help", "demo"}, {"help", "report"}, {"help", "probe"}, {"help", "verify"},
		{"help", "backup"}, {"help", "token", "create"}, {"help", "import", "cameras"}, {"help", "export", "cameras"},
		{"help", "tips", "reveal"}, {"help", "tips", "rekey"},
	} {
		out, _, code := runBinary(t, nil, args...)
		if code != 0 || !strings.Contains(out, "\nFlags:\n") {
			t.Errorf("%v: exit %d, stdout:\n%s", args, code, out)
			continue
		}
		if strings.Contains(out, "--o ") || strings.Contains(out, "--o\n") || single.MatchString(out) {
			t.Errorf("%v lists a flag with the wrong dashes:\n%s", args, out)
		}
		if strings.Contains(out, "short for") {
			t.Errorf("%v lists an alias on a line of its own:\n%s", args, out)
		}
	}
	out, _, _ := runBinary(t, nil, "help", "export", "cameras")
	if !strings.Contains(out, "\n  -o, --output FILE\n") || !strings.Contains(out, "\n      --server URL\n") {
		t.Errorf("export's flags:\n%s", out)
	}
}

// TestBinaryUnreachableServer: a daemon that is not there is one sentence
// naming the URL and what to check, not Go's dial error.
func TestBinaryUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	for _, args := range [][]string{
		{"report", "--server", down, "--token", "secret-token-value"},
		{"export", "cameras", "--server", down, "--token", "secret-token-value"},
		{"backup", "b.db", "--server", down, "--token", "secret-token-value"},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, errOut, code := runBinary(t, nil, args...)
			want := "matthan " + args[0] + ": cannot reach the daemon at " + down + `: connection refused — is "matthan serve" running there? (set --server or MATTHAN_SERVER)` + "\n"
			if code != 1 || errOut != want {
				t.Errorf("exit %d, stderr %q\nwant exit 1, %q", code, errOut, want)
			}
		})
	}
	// The server from the environment, the same sentence.
	_, errOut, code := runBinary(t, []string{"MATTHAN_SERVER=" + down, "MATTHAN_TOKEN=t"}, "report")
	if code != 1 || !strings.Contains(errOut, "cannot reach the daemon at "+down+": connection refused") || strings.Contains(errOut, "dial tcp") {
		t.Errorf("MATTHAN_SERVER: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runBinary(t, nil, "report", "--server", "http://no-such-host.invalid:8080", "--token", "t")
	if code != 1 || !strings.Contains(errOut, `cannot reach the daemon at http://no-such-host.invalid:8080: the host name "no-such-host.invalid" does not resolve`) {
		t.Errorf("unknown host: exit %d, stderr %q", code, errOut)
	}
}

// TestBinaryProbeWithoutScheme: HOST:PORT, the way installers write a
// camera's address, is answered with the URL to write.
func TestBinaryProbeWithoutScheme(t *testing.T) {
	tests := []struct{ arg, want string }{
		{"192.168.1.64:554", "write rtsp://192.168.1.64:554/path"},
		{"admin:s3cret-pw@192.168.1.64:554/Streaming/Channels/101", "write rtsp://USER:PASSWORD@192.168.1.64:554/Streaming/Channels/101"},
		{"http://admin:s3cret-pw@192.168.1.64/doc/page/login.asp", "URL must start with rtsp:// or rtsps://, not http://"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			out, errOut, code := runBinary(t, nil, "probe", tt.arg)
			if code != 2 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tt.want)
			}
			if strings.Contains(errOut, "s3cret-pw") {
				t.Errorf("the error repeats the password: %s", errOut)
			}
		})
	}
}
