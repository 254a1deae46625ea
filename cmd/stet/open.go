package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"

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
	fs.StringVar(&s.db, "db", "", "database: a file, sqlite:FILE or postgres://… (overrides [storage])")
}

// load reads the config: the -config file, else ./config.toml if present,
// else the built-in defaults; -db overrides its database path. named says
// whether the user chose the database, with a config file or -db, rather
// than getting the built-in default.
func (s *storeFlags) load() (cfg *config.Config, named bool, err error) {
	path := s.config
	if path == "" {
		if _, err := os.Stat("config.toml"); err == nil {
			path = "config.toml"
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
	}
	if path == "" {
		cfg = config.Default()
	} else if cfg, err = config.Load(path); err != nil {
		return nil, false, err
	}
	if s.db != "" {
		setDatabase(cfg, s.db)
	}
	return cfg, path != "" || s.db != "", nil
}

// openWrite loads the config and opens its database for writing, creating
// it if needed: it is for `run` and `check`, and only for a database the
// user named, so a command run in the wrong folder creates nothing.
func (s *storeFlags) openWrite(ctx context.Context) (*config.Config, *storage.Store, error) {
	cfg, named, err := s.load()
	if err != nil {
		return nil, nil, err
	}
	if !named {
		return nil, nil, fmt.Errorf("%w: no database named: pass -config FILE (or run where a config.toml is) or -db FILE", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// setDatabase points cfg at the database db names: postgres://… (or
// postgresql://…), sqlite:FILE, or a file.
func setDatabase(cfg *config.Config, db string) {
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		cfg.Storage.Driver, cfg.Storage.DSN = config.DriverPostgres, config.Secret(db)
	default:
		cfg.Storage.Driver, cfg.Storage.DSN = config.DriverSQLite, ""
		cfg.Storage.Path = strings.TrimPrefix(db, "sqlite:")
	}
}

// openStore opens the database cfg names, for writing (creating and
// migrating it) or read-only.
func openStore(ctx context.Context, cfg *config.Config, write bool) (*storage.Store, error) {
	switch {
	case cfg.Storage.Driver == config.DriverPostgres && write:
		return storage.OpenPostgres(ctx, string(cfg.Storage.DSN))
	case cfg.Storage.Driver == config.DriverPostgres:
		return storage.OpenPostgresReadOnly(ctx, string(cfg.Storage.DSN))
	case write:
		return storage.Open(ctx, cfg.Storage.Path)
	default:
		return storage.OpenReadOnly(ctx, cfg.Storage.Path)
	}
}

// openRead loads the config and opens its database read-only: it never
// creates, migrates or writes to the file.
func (s *storeFlags) openRead(ctx context.Context) (*config.Config, *storage.Store, error) {
	cfg, named, err := s.load()
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, false)
	if errors.Is(err, fs.ErrNotExist) {
		if !named {
			return nil, nil, fmt.Errorf("database %s does not exist (no config.toml here: pass -config FILE or -db FILE)", cfg.Storage.Path)
		}
		return nil, nil, fmt.Errorf("database %s does not exist", cfg.Storage.Path)
	}
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}
