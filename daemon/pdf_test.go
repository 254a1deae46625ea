package daemon_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stet/stet/daemon"
)

// A PDF document is tracked like an article: extracted, versioned, its raw
// bytes kept; a damaged or encrypted PDF is a capture of class error with
// the reason, never a version.
func TestPDFDocuments(t *testing.T) {
	pdf, err := os.ReadFile("../extract/testdata/pdf/regulation-en.pdf")
	if err != nil {
		t.Skipf("PDF fixture not found: %v", err)
	}
	s := newSite(t)
	s.set("/reg.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdf)
	})
	s.set("/broken.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream") // servers lie; the bytes say PDF
		w.Write(pdf[:len(pdf)/3])
	})
	s.set("/locked.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R/Encrypt<</Filter/Standard/V 2>>>>\n%%EOF\n"))
	})
	c := newChecker(t, "")
	r := c.check(s.URL + "/reg.pdf")
	if r.Status != daemon.StatusNew || r.VersionID == 0 || !strings.Contains(r.Text, "\n\n") {
		t.Fatalf("PDF check: status %q (%s), version %d, text %.200q", r.Status, r.Reason, r.VersionID, r.Text)
	}
	caps, err := c.st.Captures(t.Context(), 0, r.PageID, 1)
	if err != nil || len(caps) != 1 || caps[0].BodyHash == "" {
		t.Fatalf("capture of the PDF: %+v, %v", caps, err)
	}
	if body, err := c.st.Body(t.Context(), caps[0].BodyHash); err != nil || len(body) != len(pdf) {
		t.Errorf("the raw PDF is not kept as evidence: %d bytes, %v", len(body), err)
	}
	for _, u := range []string{"/broken.pdf", "/locked.pdf"} {
		r := c.check(s.URL + u)
		if r.Status != daemon.StatusError || string(r.Class) != "error" || r.Reason == "" || r.VersionID != 0 {
			t.Errorf("%s: status %q class %q reason %q version %d; want an error capture", u, r.Status, r.Class, r.Reason, r.VersionID)
		}
	}
}
