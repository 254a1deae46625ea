package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestHistoryTimeline(t *testing.T) {
	f := seedChanges(t)
	code, out, stderr := run(t, "history", "-db", f.db, f.url)
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	v := func(i int) string { return strconv.FormatInt(f.v[i], 10) }
	c := func(id int64) string { return "#" + strconv.FormatInt(id, 10) }
	local := func(i int) string { return f.at[i].Local().Format(timeLayout) }
	// Each version, then the change that stored it; changes that stored
	// none follow the version they name, in order.
	want := []string{
		"5 versions; last check",
		"  v" + v(1) + " ",
		"  v" + v(2) + " ", "           by " + c(f.number) + " changed [number, stealth, title]\n",
		"  " + c(f.legacy) + " ", "  changed\n", // a second change naming v2 follows it
		"  v" + v(3) + " ", "           by " + c(f.revert) + " changed [number, reverted]; back to version " + v(1) + " (first seen " + local(1) + ")\n",
		"  v" + v(4) + " ", "           by " + c(f.flapping) + " flapping among versions " + v(1) + ", " + v(2) + " [number, reverted]; back to version " + v(2),
		"  v" + v(5) + " ", "           by " + c(f.suppressed) + " changed [number, reverted]; back to version " + v(1) + " (first seen " + local(1) + "); suppressed: no webhook\n",
		"  " + c(f.removed) + " ", "  removed\n",
		"  " + c(f.restored) + " ", "  restored\n",
		"  " + c(f.settled) + " ", "  settled on version " + v(5) + "\n",
	}
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("history lacks %q after what came before; output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

func TestHistoryJSON(t *testing.T) {
	f := seedChanges(t)
	code, out, stderr := run(t, "history", "-db", f.db, "-json", f.url)
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	type change struct {
		ID         int64    `json:"id"`
		Kind       string   `json:"kind"`
		Classes    []string `json:"classes"`
		Suppressed bool     `json:"suppressed"`
	}
	type version struct {
		ID           int64           `json:"id"`
		IntroducedBy *change         `json:"introduced_by"`
		Events       json.RawMessage `json:"events"`
	}
	var got []version
	for line := range strings.Lines(out) {
		var l version
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if len(got) != 5 {
		t.Fatalf("%d versions printed, want 5:\n%s", len(got), out)
	}
	tests := []struct {
		version    int
		introduced int64
		events     []int64
	}{
		{1, 0, nil},
		{2, f.number, []int64{f.legacy}},
		{3, f.revert, nil},
		{4, f.flapping, nil},
		{5, f.suppressed, []int64{f.removed, f.restored, f.settled}},
	}
	for i, tt := range tests {
		g := got[i]
		if g.ID != f.v[tt.version] {
			t.Errorf("line %d: version %d, want %d", i, g.ID, f.v[tt.version])
		}
		switch {
		case tt.introduced == 0 && g.IntroducedBy != nil:
			t.Errorf("v%d: introduced_by = %+v, want null", g.ID, g.IntroducedBy)
		case tt.introduced != 0 && (g.IntroducedBy == nil || g.IntroducedBy.ID != tt.introduced):
			t.Errorf("v%d: introduced_by = %+v, want change %d", g.ID, g.IntroducedBy, tt.introduced)
		}
		var events []change
		if err := json.Unmarshal(g.Events, &events); err != nil || events == nil {
			t.Errorf("v%d: events = %s, want an array", g.ID, g.Events)
		}
		var evs []int64
		for _, e := range events {
			evs = append(evs, e.ID)
		}
		if !slices.Equal(evs, tt.events) {
			t.Errorf("v%d: events %v, want %v", g.ID, evs, tt.events)
		}
	}
	if s := got[4].IntroducedBy; s == nil || !s.Suppressed || s.Kind != "changed" {
		t.Errorf("v5 introduced by %+v, want the suppressed change", s)
	}
}
