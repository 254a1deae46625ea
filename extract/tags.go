package extract

import "golang.org/x/net/html/atom"

// droppedTags never hold article text.
var droppedTags = setOf(
	atom.Head, atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe,
	atom.Svg, atom.Math, atom.Canvas, atom.Object, atom.Embed, atom.Applet,
	atom.Button, atom.Input, atom.Select, atom.Textarea, atom.Option, atom.Datalist,
	atom.Meta, atom.Link, atom.Title, atom.Map, atom.Area, atom.Audio, atom.Video,
	atom.Source, atom.Track, atom.Picture, atom.Img, atom.Dialog, atom.Frameset,
	atom.Frame, atom.Output, atom.Progress, atom.Meter,
)

// chromeTags are page furniture by definition.
var chromeTags = setOf(atom.Nav, atom.Aside, atom.Footer, atom.Menu, atom.Form)

// blockTags start and end a paragraph.
var blockTags = setOf(
	atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Center,
	atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset,
	atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3,
	atom.H4, atom.H5, atom.H6, atom.Header, atom.Hgroup, atom.Hr, atom.Html,
	atom.Legend, atom.Li, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Pre,
	atom.Section, atom.Summary, atom.Table, atom.Tbody, atom.Td, atom.Tfoot, atom.Th,
	atom.Thead, atom.Tr, atom.Ul, atom.Caption, atom.Dd, atom.Dt, atom.Noscript,
)

// layoutInTable are elements whose presence in a table says it lays out a
// page rather than tabulating data.
var layoutInTable = setOf(
	atom.P, atom.Div, atom.Ul, atom.Ol, atom.Dl, atom.H1, atom.H2, atom.H3, atom.H4,
	atom.H5, atom.H6, atom.Blockquote, atom.Pre, atom.Article, atom.Section, atom.Form,
)

// inlineTags flow within a paragraph; every other element (including
// unknown custom elements) is treated as a block when measuring.
var inlineTags = setOf(
	atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Big, atom.Cite, atom.Code,
	atom.Data, atom.Dfn, atom.Em, atom.Font, atom.I, atom.Kbd, atom.Label, atom.Mark,
	atom.Q, atom.S, atom.Samp, atom.Small, atom.Span, atom.Strike, atom.Strong,
	atom.Sub, atom.Sup, atom.Time, atom.Tt, atom.U, atom.Var, atom.Wbr, atom.Br,
	atom.Img, atom.Nobr, atom.Ins, atom.Del, atom.Acronym,
)

// headingTags are kept as their own paragraphs.
var headingTags = setOf(atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6)

func setOf(as ...atom.Atom) map[atom.Atom]bool {
	m := make(map[atom.Atom]bool, len(as))
	for _, a := range as {
		m[a] = true
	}
	return m
}
