package config

import "time"

// Changes is how change reports are judged.
type Changes struct {
	// FlapAfter is how many reverts (a page going back to a text it showed
	// before) within FlapWindow make a page flapping: it is reported once,
	// and further alternations among the same texts raise no webhook.
	FlapAfter int `toml:"flap_after"` // default 2
	// FlapWindow is the time span reverts are counted in, and how long a
	// flapping page must hold one text to be reported settled.
	FlapWindow Duration `toml:"flap_window"` // default 24h
}

// ChangeClasses is the vocabulary of change classes a [[webhook]] may
// subscribe to; diff.Classes documents what each means (a daemon test keeps
// the two lists equal).
var ChangeClasses = []string{
	"title", "byline", "published", "modified", "number", "quote", "added", "removed", "moved",
	"wording", "reverted", "correction", "stealth",
}

func (c Changes) validate(p *problems) {
	inRange(p, "changes.flap_after", c.FlapAfter, 1, 50) // the daemon reads the latest 64 versions of the window
	positive(p, "changes.flap_window", c.FlapWindow)
	if c.FlapWindow.D() > 365*24*time.Hour {
		p.add("changes.flap_window", "at most 365d, got %s", c.FlapWindow.D())
	}
}
