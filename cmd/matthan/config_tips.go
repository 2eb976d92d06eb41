package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/matthan/matthan/internal/informant"
)

// tipsConfig is the tips: section: whether the daemon keeps hotline tips,
// the police chiefs' age public keys their informants are sealed to, and
// how long tips are kept.
type tipsConfig struct {
	Enabled bool `yaml:"enabled"`
	// Recipients are age X25519 public keys ("age1…"), one per chief who
	// may read informants. The daemon holds no private key.
	Recipients []string `yaml:"recipients"`
	// Retention is how long a tip is kept after it was received; 0
	// keeps everything forever. Tips on legal hold are never purged.
	Retention duration `yaml:"retention"`
}

func defaultTipsConfig() tipsConfig {
	return tipsConfig{Recipients: []string{}, Retention: duration(defaultRetention)}
}

// validateTips checks the tips: section: with tips enabled there must be
// someone to seal informants to, and every key must be one.
func (c *config) validateTips(bad func(key, format string, args ...any) error) error {
	if r := time.Duration(c.Tips.Retention); r < 0 || r > 0 && r < minRetention {
		return bad("tips.retention", "must be 0s (keep forever) or at least %v, got %v", minRetention, c.Tips.Retention)
	}
	if _, err := informant.NewSealer(c.Tips.Recipients); err != nil {
		var re *informant.RecipientError
		switch {
		case errors.As(err, &re):
			// The key is named whether tips are enabled or not: a
			// broken key waiting in the file is a broken key.
			key := "tips.recipients[" + strconv.Itoa(re.Index) + "]"
			if re.Private {
				return bad(key, "is an age private key (AGE-SECRET-KEY-1…), which must never be on the server: list its public key (age1…) instead, and make a new key pair, since this one has been exposed")
			}
			return bad(key, "is not an age public key (age1… as age-keygen prints it)")
		case c.Tips.Enabled:
			return bad("tips.recipients", "must list at least one age public key (age1…) of a police chief when tips.enabled is true: informants are sealed to them before anything is written")
		}
	}
	return nil
}

// tipSealer returns the sealer of informants, nil when tips are disabled.
func (c *config) tipSealer() (*informant.Sealer, error) {
	if !c.Tips.Enabled {
		return nil, nil
	}
	s, err := informant.NewSealer(c.Tips.Recipients)
	if err != nil {
		return nil, fmt.Errorf("config: tips.recipients: %w", err)
	}
	return s, nil
}
