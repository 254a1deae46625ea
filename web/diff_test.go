package web_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// storeChange stores c (its page, versions and kind filled in) as a change
// of a fresh page and returns its id.
func storeChange(t *testing.T, st *storage.Store, c storage.Change) int64 {
	t.Helper()
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindAdhoc, "adhoc", "adhoc:", "", now)
	if err != nil {
		t.Fatal(err)
	}
	var cid int64
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, v := addPage(t, tx, src.ID, "http://gov.test/rules/"+id(now.UnixNano()), "Rules", now, "text")
		c.PageID, c.OldVersionID, c.NewVersionID, c.DetectedAt, c.Title = p.ID, v, v, now, "Rules"
		if c.Kind == "" {
			c.Kind = storage.ChangeChanged
		}
		cid = insertChange(t, tx, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cid
}

// The example of the issue: page text that holds the marks of the old
// text diff, and markup.
const (
	hostileOld = "Prices [-see note] rose by 3 {+x+} <script>alert(1)</script>."
	hostileNew = "Prices [-see note] rose by 4 {+x+} <script>alert(1)</script>."
)

func TestDiffHTML(t *testing.T) {
	full := func(old, new string) []byte { // as stored without Compact
		b, err := json.Marshal(diff.Compare(old, new))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		blocks    []byte
		want, not []string
	}{
		{"word edit", blocksOf(t, "Rates rose by 3 percent.", "Rates rose by 4 percent."),
			[]string{`<p class="replace"><span class="label">¶1</span> Rates rose by <del>3</del><ins>4</ins> percent.</p>`},
			[]string{`class="move"`, `class="gap"`}},
		{"added paragraph with context", blocksOf(t, "A one.\n\nB two.", "A one.\n\nB two.\n\nC three."),
			[]string{`<p class="context">B two.</p>`, `<p class="insert"><span class="label">¶3</span> <ins>C three.</ins></p>`,
				`<div class="gap">⋯ 1 unchanged paragraph</div>`},
			[]string{"A one."}},
		{"removed paragraph", blocksOf(t, "A one.\n\nB two.", "A one."),
			[]string{`<p class="context">A one.</p>`, `<p class="delete"><span class="label">old ¶2</span> <del>B two.</del></p>`}, nil},
		{"moved and edited",
			blocksOf(t, "Officials declined to comment on the matter today.\n\nThe second paragraph is here.\n\nThe third paragraph is here too.\n\nFourth one closes.",
				"The second paragraph is here.\n\nThe third paragraph is here too.\n\nFourth one closes.\n\nOfficials declined to comment on the matter yesterday."),
			[]string{`<div class="gap">⋯ 2 unchanged paragraphs</div>`, `<p class="context">Fourth one closes.</p>`,
				`<div class="move moved"><div class="label">moved ¶1 → ¶4</div><p>Officials declined to comment on the matter <del>today</del><ins>yesterday</ins>.</p></div>`},
			[]string{"The second paragraph", `class="delete"`, `class="insert"`}},
		{"uncompacted blocks fold far paragraphs, which unfold", full("P1.\n\nP2.\n\nP3.\n\nP4.\n\nP5 old.", "P1.\n\nP2.\n\nP3.\n\nP4.\n\nP5 new."),
			[]string{"<details class=\"gap\"><summary>⋯ 3 unchanged paragraphs</summary>\n<p class=\"context\">P1.</p>\n<p class=\"context\">P2.</p>\n<p class=\"context\">P3.</p>\n</details>",
				`<p class="context">P4.</p>`, `<span class="label">¶5</span> P5 <del>old</del><ins>new</ins>.</p>`},
			[]string{`<div class="gap">`}},
		{"text unchanged", blocksOf(t, "Same.", "Same."), []string{`<p class="nodiff">The text did not change.</p>`}, []string{`class="diff"`}},
		{"marks and markup in page text", blocksOf(t, hostileOld, hostileNew),
			[]string{`Prices [-see note] rose by <del>3</del><ins>4</ins> {&#43;x&#43;} &lt;script&gt;alert(1)&lt;/script&gt;.</p>`},
			[]string{"<script>", `\[-`, `<del>see note`}},
		{"markup in inserted and deleted paragraphs", blocksOf(t, "Keep.\n\n<b>gone</b> -] [-", "Keep.\n\n{+ <i>new</i>"),
			[]string{`<del>&lt;b&gt;gone&lt;/b&gt; -] [-</del>`, `<ins>{&#43; &lt;i&gt;new&lt;/i&gt;</ins>`}, []string{"<b>gone", "<i>new"}},
	}
	st := openStore(t)
	h := quietHandler(st, &bytes.Buffer{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := get(t, h, "/changes/"+id(storeChange(t, st, storage.Change{Blocks: tt.blocks, Diff: "[-ignored-]"}))).body
			mustContain(t, "change", body, tt.want...)
			mustNotContain(t, "change", body, tt.not...)
			mustNotContain(t, "change", body, "[-ignored-]", `class="legacy"`) // the text is never read when blocks exist
		})
	}
}

// TestLegacyDiff checks that a change stored before schema 4 shows its
// text diff as it was stored: escaped, preformatted, no mark interpreted.
func TestLegacyDiff(t *testing.T) {
	st := openStore(t)
	h := quietHandler(st, &bytes.Buffer{})
	text := "--- old\n+++ new\n@@ ¶2 @@\n- -- signed\n~ a [-b-] {+c+} [-<b>x</b>\n"
	body := get(t, h, "/changes/"+id(storeChange(t, st, storage.Change{Diff: text}))).body
	mustContain(t, "change", body, "<pre class=\"legacy\">--- old\n&#43;&#43;&#43; new\n@@ ¶2 @@\n- -- signed\n"+
		"~ a [-b-] {&#43;c&#43;} [-&lt;b&gt;x&lt;/b&gt;\n</pre>")
	mustNotContain(t, "change", body, "<del>", "<ins>", "<b>x")

	body = get(t, h, "/changes/"+id(storeChange(t, st, storage.Change{}))).body
	mustContain(t, "change without diff", body, "No text diff was stored")
}
