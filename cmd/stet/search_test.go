package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// seedSearch stores a rates page whose figure changed (3 → 4) and a
// hostile page whose text carries terminal escapes and a bidi override.
func seedSearch(t *testing.T) (db string, v1, v2 int64) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().Truncate(time.Second)
	src, err := st.EnsureSource(t.Context(), storage.KindFeed, "bank", "http://bank.test/rss", "@every 1m", now)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p := seedPage(t, tx, src.ID, "http://bank.test/rates", now.Add(-3*time.Hour))
		v1 = seedVersion(t, tx, p, "Rates", "Prices rose by 3 percent.\n\nThe board met on Monday.", now.Add(-3*time.Hour))
		v2 = seedVersion(t, tx, p, "Rates rise", "Prices rose by 4 percent.\n\nThe board met on Monday.", now.Add(-2*time.Hour))
		h := seedPage(t, tx, src.ID, "http://evil.test/\x1b[2J", now.Add(-time.Hour))
		seedVersion(t, tx, h, "Evil \x1b]0;pwned\x07title", "Prices \x1b[31mred\x1b[0m and \u202Eesrever rose.", now.Add(-time.Hour))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, v1, v2
}

func TestSearchCommand(t *testing.T) {
	db, v1, v2 := seedSearch(t)
	tests := []struct {
		args []string
		want []string // status and snippet of each hit, in order
	}{
		{[]string{"rose"}, []string{
			"live: Prices  [31mred [0m and esrever [[rose]].",
			"live: Prices [[rose]] by 4 percent.",
			"edited away: Prices [[rose]] by 3 percent.",
		}},
		{[]string{"-deleted", "rose"}, []string{"edited away: Prices [[rose]] by 3 percent."}},
		{[]string{"rose", "-url", "http://bank.test/rates", "percent"}, []string{
			"live: Prices [[rose]] by 4 [[percent]].",
			"edited away: Prices [[rose]] by 3 [[percent]].",
		}},
		{[]string{`"by 3"`}, []string{"edited away: Prices rose [[by 3]] percent."}},
		{[]string{"-since", "150m", "rose"}, []string{
			"live: Prices  [31mred [0m and esrever [[rose]].",
			"live: Prices [[rose]] by 4 percent.",
			"edited away: Prices [[rose]] by 3 percent.", // edited away 2 hours ago
		}},
		{[]string{"-since", "90m", "rose"}, []string{"live: Prices  [31mred [0m and esrever [[rose]]."}},
		{[]string{"rise"}, []string{"live: Rates [[rise]]"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"search", "-db", db}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.ContainsAny(stdout, "\x1b\x07\u202E") {
				t.Errorf("output carries control characters: %q", stdout)
			}
			if got := cliHits(stdout); !slices.Equal(got, tt.want) {
				t.Errorf("hits\n%s\nwant\n%s\n(output:\n%s)", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), stdout)
			}
		})
	}
	_, stdout, _ := run(t, "search", "-db", db, "by 3")
	if want := fmt.Sprint("version ", v1); !strings.Contains(stdout, want) || !strings.Contains(stdout, fmt.Sprint("gone from version ", v2)) ||
		!strings.Contains(stdout, `"Rates"`) {
		t.Errorf("the edited-away hit does not name its versions and title:\n%s", stdout)
	}
}

// cliHits reads `stet search` output: each hit's status and snippet.
func cliHits(out string) []string {
	var got []string
	for block := range strings.SplitSeq(strings.TrimSpace(out), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 4 {
			continue
		}
		status, _, _ := strings.Cut(lines[0], "  ")
		got = append(got, status+": "+strings.TrimSpace(lines[3]))
	}
	return got
}

func TestSearchCommandJSON(t *testing.T) {
	db, v1, v2 := seedSearch(t)
	code, stdout, stderr := run(t, "search", "-db", db, "-json", "rose", "percent")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var hits []web.SearchHitJSON
	for line := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		var h web.SearchHitJSON
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		hits = append(hits, h)
	}
	if len(hits) != 2 || hits[0].Status != "live" || hits[0].Version != v2 || hits[1].Status != "edited_away" ||
		hits[1].Version != v1 || hits[1].EditedVersion == nil || *hits[1].EditedVersion != v2 {
		t.Fatalf("hits = %+v", hits)
	}
	var marks []string
	for _, s := range hits[1].Segments {
		if s.Mark {
			marks = append(marks, s.Text)
		}
	}
	if !slices.Equal(marks, []string{"rose", "percent"}) || hits[1].Snippet != "Prices rose by 3 percent." {
		t.Errorf("snippet %q marks %q", hits[1].Snippet, marks)
	}
}

// A page of hits ends with how to get the next one; following it gives
// the rest, each hit once.
func TestSearchCommandCursor(t *testing.T) {
	db, _, _ := seedSearch(t)
	var got []string
	args := []string{"search", "-db", db, "-limit", "1", "rose"}
	for range 5 {
		code, stdout, stderr := run(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got = append(got, cliHits(stdout)...)
		m := regexp.MustCompile(`more hits: add -cursor (\S+)`).FindStringSubmatch(stderr)
		if m == nil {
			break
		}
		args = []string{"search", "-db", db, "-limit", "1", "-cursor", m[1], "rose"}
	}
	if len(got) != 3 || len(slices.Compact(slices.Clone(got))) != 3 {
		t.Errorf("paged hits %q, want 3 different", got)
	}
	_, _, stderr := run(t, "search", "-db", db, "nowhere")
	if !strings.Contains(stderr, "no hits") {
		t.Errorf("stderr %q, want no hits", stderr)
	}
}

func TestSearchCommandErrors(t *testing.T) {
	db, _, _ := seedSearch(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "the query is empty"},
		{[]string{`"unclosed`}, 2, "quote"},
		{[]string{"ab*"}, 2, "at least 3 letters"},
		{[]string{"-limit", "0", "x"}, 2, "-limit must be between 1 and 1000"},
		{[]string{"-limit", "1001", "x"}, 2, "-limit must be"},
		{[]string{"-since", "-1h", "x"}, 2, "-since must be"},
		{[]string{"-cursor", "x", "rose"}, 2, "cursor"},
		{[]string{"-nosuch", "x"}, 2, "flag provided but not defined"},
		{[]string{"-url", "http://untracked.test/", "x"}, 1, "is not tracked"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"search", "-db", db}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d saying %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}
