package web_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// storeDiff stores one change whose diff is d and returns its id.
func storeDiff(t *testing.T, st *storage.Store, d string) int64 {
	t.Helper()
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindAdhoc, "adhoc", "adhoc:", "", now)
	if err != nil {
		t.Fatal(err)
	}
	var cid int64
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, v := addPage(t, tx, src.ID, "http://gov.test/rules", "Rules", now, "text")
		cid = insertChange(t, tx, storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: now,
			OldVersionID: v, NewVersionID: v, Title: "Rules", Diff: d})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cid
}

func TestDiffRendering(t *testing.T) {
	tests := []struct {
		name, diff string
		want       []string
	}{
		{"title hunk", "--- old\n+++ new\n@@ title @@\n- Old title\n+ New title\n",
			[]string{`<div class="hunk">@@ title @@</div>`, `<div class="del">- Old title</div>`, `<div class="add">&#43; New title</div>`}},
		{"several marks", "@@ ¶2 @@\n~ a [-b-] c {+d+} e [-f-]{+g+}\n",
			[]string{`<div class="inline">~ a <del>b</del> c <ins>d</ins> e <del>f</del><ins>g</ins></div>`}},
		{"unterminated marks stay text", "@@ ¶2 @@\n~ x [-y and {+z\n",
			[]string{`<div class="inline">~ x [-y and {&#43;z</div>`}},
		{"dashes inside a hunk are a paragraph", "--- a\n+++ b\n@@ ¶1 @@\n- -- signed, the editor\n--- not a header\n",
			[]string{`<div class="del">- -- signed, the editor</div>`, `<div class="other">--- not a header</div>`}},
		{"context keeps its indent", "@@ ¶3 @@\n  …the end of it.\n",
			[]string{`<div class="context">  …the end of it.</div>`}},
		{"marks around markup", "@@ ¶1 @@\n~ [-<b>bold</b>-]{+<a href=\"javascript:x\">y</a>+}\n",
			[]string{`<del>&lt;b&gt;bold&lt;/b&gt;</del><ins>&lt;a href=&#34;javascript:x&#34;&gt;y&lt;/a&gt;</ins>`}},
	}
	st := openStore(t)
	h := quietHandler(st, &bytes.Buffer{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := get(t, h, "/changes/"+id(storeDiff(t, st, tt.diff))).body
			mustContain(t, "change", body, tt.want...)
		})
	}
}

// FuzzParseDiff checks that parsing loses nothing: the lines, with their
// marks written back, are the stored diff. So whatever a crawled page puts
// in a diff is shown, as text, and never dropped or reinterpreted.
func FuzzParseDiff(f *testing.F) {
	f.Add("--- old\n+++ new\n@@ ¶1 @@\n- a\n+ b\n~ [-a-]{+b+}\n  c\n")
	f.Add("~ [-{+-]+}x[-")
	f.Add("~ {+[--]+}[-")
	f.Fuzz(func(t *testing.T, s string) {
		got := strings.Join(web.Rebuild(web.ParseDiff(s)), "\n")
		if want := strings.TrimRight(s, "\n"); got != want {
			t.Errorf("rebuilt %q, want %q", got, want)
		}
	})
}
