// Command extract-bench compares stet's article extractor with
// go-trafilatura and go-readability on a folder of NAME.html pages with
// ground truth in NAME.json, in one process. Each extractor's texts are
// written as NAME.txt and scored by the shared extractbench tool, so every
// extractor is judged by the same metric code; the result is one Markdown
// table.
//
//	go run . -data ../../../shared/corpus/trafilatura-eval/pages
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"

	"github.com/stet/stet/extract"
)

// page is one input page, loaded before any timing starts.
type page struct {
	name string
	html []byte
	url  *url.URL
}

// extractor turns page bytes into plain text.
type extractor struct {
	name string
	run  func(p page) (string, error)
}

var extractors = []extractor{
	{"stet extract " + extract.Version, func(p page) (string, error) {
		a, err := extract.HTML(bytes.NewReader(p.html), extract.Options{BaseURL: p.url})
		if err != nil {
			return "", err
		}
		return a.Text, nil
	}},
	{"go-trafilatura v1.12.2", func(p page) (string, error) {
		r, err := trafilatura.Extract(bytes.NewReader(p.html), trafilatura.Options{
			OriginalURL: p.url, EnableFallback: true, ExcludeComments: true,
		})
		if err != nil {
			return "", err
		}
		return r.ContentText, nil
	}},
	{"go-readability v2.1.3", func(p page) (string, error) {
		a, err := readability.FromReader(bytes.NewReader(p.html), p.url)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		if a.Node == nil {
			return "", nil
		}
		err = a.RenderText(&sb)
		return sb.String(), err
	}},
}

func main() {
	data := flag.String("data", "", "folder of NAME.html + NAME.json pages (required)")
	scorer := flag.String("scorer", "", "extractbench binary (default: build ../../../shared/tools/extractbench)")
	only := flag.String("only", "", "comma-separated name prefixes of extractors to run (default all)")
	save := flag.String("save", "", "keep each extractor's texts under this folder")
	tsv := flag.Bool("tsv", false, "also write per-page scores to SAVE/EXTRACTOR.tsv (needs -save)")
	flag.Parse()
	if *data == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*data, *scorer, *only, *save, *tsv); err != nil {
		log.Fatal(err)
	}
}

func run(data, scorer, only, save string, tsv bool) error {
	pages, err := loadPages(data)
	if err != nil {
		return err
	}
	work := save
	if work == "" {
		if work, err = os.MkdirTemp("", "extract-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	if scorer == "" {
		if scorer, err = buildScorer(work); err != nil {
			return err
		}
	}
	fmt.Printf("%d pages from %s\n\n", len(pages), data)
	fmt.Println("| extractor | F1 | P | R | pages/s | MB allocated/page | failures |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, x := range extractors {
		if !selected(x.name, only) {
			continue
		}
		dir := filepath.Join(work, strings.Fields(x.name)[0])
		res, err := measureExtractor(x, pages, dir)
		if err != nil {
			return err
		}
		score, err := scoreDir(scorer, data, dir, tsv)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %s | %s | %s | %.1f | %.2f | %d |\n", x.name, score["F1"], score["P"], score["R"],
			float64(len(pages))/res.elapsed.Seconds(), res.allocMB/float64(len(pages)), res.failures)
	}
	return nil
}

func selected(name, only string) bool {
	if only == "" {
		return true
	}
	for _, p := range strings.Split(only, ",") {
		if p != "" && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func loadPages(dir string) ([]page, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	pages := make([]page, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read page: %w", err)
		}
		p := page{name: strings.TrimSuffix(filepath.Base(f), ".html"), html: b}
		if j, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".json"); err == nil {
			var meta struct {
				URL string `json:"url"`
			}
			if json.Unmarshal(j, &meta) == nil && meta.URL != "" {
				p.url, _ = url.Parse(meta.URL)
			}
		}
		pages = append(pages, p)
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("no *.html pages in %s", dir)
	}
	return pages, nil
}

type result struct {
	elapsed  time.Duration
	allocMB  float64
	failures int
}

// measureExtractor runs x over all pages, timing only the extraction calls,
// and writes NAME.txt per page into dir. A panic or error counts as a
// failure and leaves an empty text, as extractbench scores a crash.
func measureExtractor(x extractor, pages []page, dir string) (result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result{}, err
	}
	var res result
	texts := make([]string, len(pages))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i, p := range pages {
		start := time.Now()
		text, err := safeRun(x, p)
		res.elapsed += time.Since(start)
		if err != nil {
			res.failures++
		}
		texts[i] = text
	}
	runtime.ReadMemStats(&after)
	res.allocMB = float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
	for i, p := range pages {
		if err := os.WriteFile(filepath.Join(dir, p.name+".txt"), []byte(texts[i]), 0o644); err != nil {
			return res, err
		}
	}
	return res, nil
}

func safeRun(x extractor, p page) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("panic: %v", r)
		}
	}()
	return x.run(p)
}

// buildScorer compiles the shared extractbench tool into work.
func buildScorer(work string) (string, error) {
	bin := filepath.Join(work, "extractbench")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..", "..", "shared", "tools", "extractbench")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build scorer in %s: %w", cmd.Dir, err)
	}
	return bin, nil
}

// scoreDir runs the scorer on dir and parses its last line
// ("F1=0.9521 P=0.9180 R=0.9887 pages=181 ...").
func scoreDir(scorer, data, dir string, tsv bool) (map[string]string, error) {
	args := []string{"-data", data, "-pred", dir, "-q", "-bootstrap", "0"}
	if tsv {
		args = append(args, "-tsv", dir+".tsv")
	}
	out, err := exec.Command(scorer, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("score %s: %w", dir, err)
	}
	fields := map[string]string{}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, f := range strings.Fields(lines[len(lines)-1]) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	return fields, nil
}
