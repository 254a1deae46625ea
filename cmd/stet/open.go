package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

// storeFlags are the flags every command that reads the database shares.
type storeFlags struct {
	config string
	db     string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.config, "config", "", "config file (default: ./config.toml if it exists, else built-in defaults)")
	fs.StringVar(&s.db, "db", "", "database file (overrides [storage] path)")
}

// load reads the config: the -config file, else ./config.toml if present,
// else the built-in defaults.
func (s *storeFlags) load() (*config.Config, error) {
	path := s.config
	if path == "" {
		if _, err := os.Stat("config.toml"); err == nil {
			path = "config.toml"
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	var cfg *config.Config
	if path == "" {
		cfg = config.Default()
	} else {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return nil, err
		}
	}
	if s.db != "" {
		cfg.Storage.Path = s.db
	}
	return cfg, nil
}

// open loads the config and opens its database.
func (s *storeFlags) open(ctx context.Context) (*config.Config, *storage.Store, error) {
	cfg, err := s.load()
	if err != nil {
		return nil, nil, err
	}
	st, err := storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}
