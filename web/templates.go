package web

import (
	"embed"
	"html/template"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates in templates/, each rendered inside layout.html.
var pageNames = []string{"index", "change", "pages", "page", "version", "sources", "error"}

// parseTemplates parses each page together with the layout and the
// partials every page may use (change labels and diffs). The templates
// are compiled into the binary, so a parse error is a bug and panics at
// startup (and in every test), not on some request.
func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(template.FuncMap{
		"when":  when,
		"stamp": stamp,
		"short": short,
	}).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	out := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return out
}

// when shows a time in UTC, the same for every reader; "—" for never.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// stamp is the machine-readable form of a time, for <time datetime>.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// short is the prefix of a hash that people compare by eye.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
