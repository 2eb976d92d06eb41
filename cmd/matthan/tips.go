package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/informant"
	"github.com/matthan/matthan/registry"
)

const (
	tipsRevealSynopsis = "matthan tips reveal TIP-ID --identity FILE --reason TEXT [--server URL] [--token T] [--ca-file FILE]"
	tipsRekeySynopsis  = "matthan tips rekey --identity OLD-FILE --recipient NEW-KEY [--recipient NEW-KEY]... [--db PATH] [--config FILE]"
)

// tips dispatches "tips VERB". Both verbs open informants, so both run
// where a police chief's private key is: reveal fetches one sealed
// informant from a running daemon and decrypts it here; rekey reseals
// every informant of a stopped daemon's database to new keys. The
// plaintext stays in this process's memory.
func (c *cli) tips(ctx context.Context, args []string) error {
	v, rest, err := c.subcommand("tips", args, verb{"reveal", tipsRevealSynopsis}, verb{"rekey", tipsRekeySynopsis})
	if err != nil {
		return err
	}
	if v == "rekey" {
		return c.tipsRekey(ctx, rest)
	}
	return c.tipsReveal(ctx, rest)
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// tipsReveal asks the daemon for a tip's sealed informant, giving the
// reason (which the daemon audits before it answers), and opens it with
// the identity file.
func (c *cli) tipsReveal(ctx context.Context, args []string) error {
	fs := c.newFlagSet("tips reveal", tipsRevealSynopsis)
	identity := fs.String("identity", "", "age identity `FILE` (a chief's private key, as age-keygen writes it); it never leaves this machine")
	reason := fs.String("reason", "", "why the informant must be revealed (`TEXT`): required, kept in the daemon's audit log")
	server, token := c.clientFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "TIP-ID"); err != nil {
		return err
	}
	switch {
	case *identity == "":
		return &usageError{msg: "--identity is required: the private key file the informant was sealed to", usage: fs.Usage}
	case strings.TrimSpace(*reason) == "":
		return &usageError{msg: "--reason is required: the daemon keeps it in the audit log", usage: fs.Usage}
	}
	// The key is read first: a wrong path should not cost an audit entry.
	ids, err := informant.ReadIdentities(*identity)
	if err != nil {
		return err
	}
	cl, err := c.newClient(fs, *server, *token)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]string{"reason": *reason})
	if err != nil {
		return err
	}
	resp, err := cl.do(ctx, request{
		method: http.MethodPost, path: "/api/v1/tips/" + url.PathEscape(pos[0]) + "/informant",
		body: bytes.NewReader(body), length: int64(len(body)), contentType: "application/json",
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var ans struct {
		Ciphertext string `json:"ciphertext"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4*informant.MaxSealed)).Decode(&ans); err != nil {
		return fmt.Errorf("read the daemon's answer: %w", err)
	}
	sealed, err := informant.Dearmor(ans.Ciphertext)
	if err != nil {
		return err
	}
	who, err := informant.Open(sealed, ids...)
	if errors.Is(err, informant.ErrWrongIdentity) {
		return fmt.Errorf("tip %s: the key in %s cannot open its informant: it was sealed to other keys (tips.recipients when the tip was recorded)", pos[0], *identity)
	}
	if err != nil {
		return err
	}
	printInformant(c.stdout, pos[0], who)
	*who = camera.Informant{}
	return nil
}

// printInformant writes the informant's details, one per line.
func printInformant(w io.Writer, tipID string, who *camera.Informant) {
	fmt.Fprintf(w, "tip %s, informant:\n", tipID)
	for _, f := range []struct{ label, v string }{
		{"name", who.Name}, {"phone", who.Phone}, {"address", who.Address}, {"note", who.Note},
	} {
		if f.v != "" {
			fmt.Fprintf(w, "  %-8s %s\n", f.label+":", f.v)
		}
	}
}

// tipsRekey reseals every informant of the database to the new
// recipients: opened with the old identity, sealed again, written back,
// all in one transaction (all or none), the plaintext in memory only.
// The daemon must be stopped; afterwards tips.recipients must name the
// new keys, or new tips go on being sealed to the old ones. A cluster
// node's file is refused (registry.ErrRekeyInCluster): the rekey would
// change that node's copy of the informants only.
func (c *cli) tipsRekey(ctx context.Context, args []string) error {
	fs := c.newFlagSet("tips rekey", tipsRekeySynopsis)
	identity := fs.String("identity", "", "age identity `FILE` of the outgoing chief (the private key the informants are sealed to now)")
	var recipients stringList
	fs.Var(&recipients, "recipient", "age public `KEY` (age1…) to seal every informant to from now on; repeat for several chiefs")
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	if *identity == "" {
		return &usageError{msg: "--identity is required: the private key the informants are sealed to now", usage: fs.Usage}
	}
	to, err := informant.NewSealer(recipients)
	if err != nil {
		var re *informant.RecipientError
		if errors.As(err, &re) {
			what := strings.TrimPrefix(re.Error(), fmt.Sprintf("item %d ", re.Index))
			return &usageError{msg: fmt.Sprintf("--recipient number %d %s", re.Index+1, what), usage: fs.Usage}
		}
		return &usageError{msg: "--recipient is required: the new chief's public key (age1…)", usage: fs.Usage}
	}
	// A cluster node's file is refused before a key is read: every node
	// holds the informants, and resealing one file would leave the
	// others' sealed to the old keys.
	cfg, err := c.stoppedConfig(fs, *file)
	if err != nil {
		return err
	}
	if cfg.clustered() {
		return fmt.Errorf("%s is node %q's database in cluster %q (cluster.etcd_endpoints is set): %w; nothing was changed", cfg.DB, cfg.Cluster.NodeID, cfg.Cluster.Name, registry.ErrRekeyInCluster)
	}
	ids, err := informant.ReadIdentities(*identity)
	if err != nil {
		return err
	}
	var n int
	path, err := c.with(stoppedStore{fs, *file, false, "(none: rekey needs the database to itself)"}, func(store *registry.Store) (err error) {
		// A node's file run with its cluster settings left out.
		rev, err := store.LastApplied()
		if err != nil {
			return err
		}
		if rev > 0 {
			return fmt.Errorf("%s is a cluster node's database (it has applied the cluster's log up to revision %d): %w; nothing was changed", cfg.DB, rev, registry.ErrRekeyInCluster)
		}
		n, err = store.RekeyTips(ctx, func(sealed []byte) ([]byte, error) { return to.Reseal(sealed, ids...) }, cliActor)
		return err
	})
	if errors.Is(err, informant.ErrWrongIdentity) {
		return fmt.Errorf("%w: %s opens not every informant; nothing was changed", err, *identity)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "resealed %d informants in %s to %d recipients; set tips.recipients to the same keys before starting the daemon again\n", n, path, to.Recipients())
	return nil
}
