package scale

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"
)

// receiver is a webhook endpoint that notes when the first change.changed
// event about each URL arrived.
type receiver struct {
	srv *http.Server
	url string

	mu      sync.Mutex
	arrived map[string]time.Time // by article URL
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/hook", arrived: map[string]time.Time{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	var ev struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	}
	if err := json.NewDecoder(req.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if ev.Type == "change.changed" {
		r.mu.Lock()
		if _, ok := r.arrived[ev.URL]; !ok {
			r.arrived[ev.URL] = at
		}
		r.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

// at is when the first change about u arrived.
func (r *receiver) at(u string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.arrived[u]
	return t, ok
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arrived)
}

func (r *receiver) close() { _ = r.srv.Close() }
