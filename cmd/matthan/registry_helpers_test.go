package main

import (
	"context"
	"testing"

	"github.com/matthan/matthan/registry"
)

// lookupToken opens a database file and looks a token up.
func lookupToken(t *testing.T, db, secret string) registry.Token {
	t.Helper()
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, err := s.LookupToken(context.Background(), secret)
	if err != nil {
		t.Fatalf("LookupToken: %v", err)
	}
	return tok
}
