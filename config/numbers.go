package config

import (
	"errors"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// bareDurations reports duration keys given as TOML numbers. The decoder
// stores an integer straight into Duration's int64, so "timeout = 30" would
// silently mean 30ns; a unit is required instead.
func bareDurations(ix *keyIndex, name string) error {
	keys := durationKeys(reflect.TypeFor[Config](), "", map[string]bool{})
	var errs []error
	for _, s := range ix.spans {
		if (s.kind != unstable.Integer && s.kind != unstable.Float) || !keys[unindex(s.path)] {
			continue
		}
		line, col := ix.position(s.at)
		errs = append(errs, &Error{File: name, Line: line, Column: col, Key: s.path,
			Err: errors.New("a duration needs a unit and quotes, such as \"30s\", \"15m\" or \"1d\"")})
	}
	return errors.Join(errs...)
}

// durationKeys collects the unindexed key paths of every Duration (and
// Retention) field.
func durationKeys(t reflect.Type, prefix string, keys map[string]bool) map[string]bool {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		switch {
		case ft == reflect.TypeFor[Duration](), ft == reflect.TypeFor[Retention]():
			keys[join(prefix, name)] = true
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[Schedule]():
			durationKeys(ft, join(prefix, name), keys)
		}
	}
	return keys
}
