package web

import (
	"embed"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// parseTemplates parses each page together with the layout and the
// partials every page may use: partials.html and every part_*.html (each
// area of the UI keeps its partials in its own file). Every other file in
// templates/ is a page, rendered inside layout.html under its base name.
// The templates are compiled into the binary, so a parse error is a bug
// and panics at startup (and in every test), not on some request.
func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs()).ParseFS(templateFS,
		"templates/layout.html", "templates/partials.html", "templates/part_*.html"))
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := make(map[string]*template.Template, len(files))
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" || strings.HasPrefix(name, "part_") {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, f))
	}
	return out
}

// funcs are the template functions every page may call.
func funcs() template.FuncMap {
	return template.FuncMap{
		"when":  when,
		"stamp": stamp,
		"short": short,
	}
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
