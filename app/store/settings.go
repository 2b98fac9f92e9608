package store

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/i18n"
)

// Settings are the workstation's preferences.
type Settings struct {
	// ModulePaths are PKCS#11 modules the user added by hand, tried before
	// the ones pkiodesk finds itself.
	ModulePaths []string `json:"module_paths,omitempty"`
	// Language is "nl" or "en"; empty follows the locale.
	Language string `json:"language,omitempty"`
	// OutboxDir is where placed orders are put (app/order's Outbox);
	// empty means "uitgaand" beside the database.
	OutboxDir string `json:"outbox_dir,omitempty"`
}

var (
	bucketSettings = []byte("settings")
	keySettings    = []byte("workstation")
)

// Settings returns the stored preferences (zero value when none).
func (b *Bolt) Settings(ctx context.Context) (Settings, error) {
	var s Settings
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketSettings)
		if bk == nil {
			return nil
		}
		if v := bk.Get(keySettings); v != nil {
			if err := openJSON(v, &s); err != nil {
				return i18n.E("err.settings_damaged", err)
			}
		}
		return nil
	})
	if err != nil {
		return Settings{}, readErr(err)
	}
	return s, nil
}

// SaveSettings replaces the preferences.
func (b *Bolt) SaveSettings(ctx context.Context, s Settings) error {
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bucketSettings)
		if err != nil {
			return err
		}
		v, err := sealJSON(s)
		if err != nil {
			return err
		}
		return bk.Put(keySettings, v)
	})
	if err != nil {
		return writeErr(err)
	}
	return nil
}
