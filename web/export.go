package web

import (
	"mime"
	"net/http"
	"time"

	"github.com/stet/stet/evidence"
	"github.com/stet/stet/storage"
)

// exportStall is how long a download may make no progress before the
// connection is cut; it replaces the server's WriteTimeout, which would
// cut a large file that is still flowing.
const exportStall = 30 * time.Second

// exportChange serves the change's evidence as a WARC file: the page's
// captures up to the change, its versions and changes, written by the same
// code as `stet export -change ID`. The file is streamed as it is read from
// the database; if that fails half-way, the connection is cut, so that the
// download fails rather than ending in a truncated file.
func (h *handler) exportChange(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	x, err := evidence.Resolve(r.Context(), h.st, evidence.Scope{ChangeID: id},
		evidence.Options{ChangeJSON: func(c storage.Change) any { return NewChangeJSON(c) }})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.FileName()}))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := x.WriteTo(r.Context(), &stallWriter{w: w, rc: http.NewResponseController(w)}); err != nil {
		h.logFailure(r, err)
		panic(http.ErrAbortHandler)
	}
}

// stallWriter pushes the write deadline forward on every write.
type stallWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *stallWriter) Write(p []byte) (int, error) {
	_ = s.rc.SetWriteDeadline(time.Now().Add(exportStall)) // not every ResponseWriter supports deadlines
	return s.w.Write(p)
}
