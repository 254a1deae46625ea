// Package diff compares two versions of extracted text. It does no I/O and
// imports nothing from stet, so it can be fuzzed and benchmarked in isolation.
//
// # The change is data
//
// Compare returns a Result: the paragraphs of both versions as Blocks, each
// equal, inserted, deleted, replaced (an old paragraph paired with its
// rewritten form, with word-level Spans) or moved (one paragraph found at
// another place, with Spans when it was also edited). The Result is what
// storage keeps, as JSON (see Result), and every report is rendered from
// it: Text for people and the command line, Summary for one-line counts,
// Classes for the kind of change. No renderer reads another's output.
//
// # JSON
//
// Result, Block and Span marshal with encoding/json to a stable shape and
// unmarshal back to an equal Result:
//
//	{"blocks":[
//	  {"op":"equal","old_index":2,"new_index":2,"old":"Intro.","new":"Intro."},
//	  {"op":"replace","old_index":3,"new_index":3,"old":"joined 12 pacts","new":"joined 13 pacts",
//	   "spans":[{"op":"equal","text":"joined "},{"op":"delete","text":"12"},{"op":"insert","text":"13"},{"op":"equal","text":" pacts"}]},
//	  {"op":"move","old_index":9,"new_index":4,"old":"Officials declined to comment.","new":"Officials declined to comment."},
//	  {"op":"insert","new_index":5,"new":"A new paragraph."},
//	  {"op":"delete","old_index":10,"old":"An old paragraph."},
//	  {"op":"equal","old_index":11,"new_index":6}
//	]}
//
// Indices are 1-based paragraph numbers and are left out when the paragraph
// does not exist on that side. An "equal" block without text was dropped
// by Result.Compact, the form to store: it keeps the text of every changed
// block and of the one unchanged paragraph on each side of a change, which
// is all that Text, Summary and Classes read. OldText and NewText need a
// full Result.
//
// # Text
//
// Result.Text renders a report like this one:
//
//	--- version 4
//	+++ version 5
//	@@ ¶3 @@
//	  …end of the paragraph before
//	- It added that China has joined 12 global counterterrorism conventions.
//	+ It added that China has joined 13 global counterterrorism conventions.
//	~ It added that China has joined [-12-]{+13+} global counterterrorism conventions.
//	  Start of the paragraph after…
//	@@ ¶9 → ¶4 moved @@
//	  …end of the paragraph before its new place
//	= Officials declined to comment.
//	  Start of the paragraph after…
//
// Each line starts with what it is: "@@" a hunk header naming paragraphs
// of the new version ("¶7", "¶7–9"; "old ¶7" when a hunk only deletes; "¶3 →
// ¶7 moved" for a paragraph that moved from ¶3 of the old version to ¶7 of
// the new one), "  " a shortened unchanged paragraph shown for context,
// "-" a deleted or old paragraph, "+" an inserted or new paragraph, "=" a
// moved paragraph whose text did not change, and "~" the word diff of a
// replaced or moved-and-edited paragraph, following its "-" and "+" lines.
// Normalized paragraphs never contain a line break, so every paragraph is
// one line.
//
// "-", "+" and "=" lines carry the paragraph text verbatim. A "~" line marks
// deleted text [-like this-] and inserted text {+like this+}, and shortens
// long unchanged stretches with "…" (the "-" and "+" lines above it are
// whole). So that page text can never be read as a mark, the text on a "~"
// line is escaped: a backslash is put before every backslash and before
// the first character of every "[-", "-]", "{+" and "+}" in the text
// (occurrences may overlap: "[-]" becomes `\[\-]`). To read a "~" line,
// scan it from the left: a backslash makes the next character literal;
// outside a mark, an unescaped "[-" or "{+" opens one; inside a mark, only
// its own unescaped closer ("-]" or "+}") ends it.
package diff
