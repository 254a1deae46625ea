package newsroom

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Step is one stage of the demo script. Steps()[0] is the initial publication.
type Step struct {
	Name        string   // short and unique, e.g. "figure changed"
	Description string   // one line a user reads in the demo
	Expect      []Expect // changes the daemon must report for this step, at most one per path; empty when none
}

// Expect is one change the daemon must report after a step.
type Expect struct {
	Path  string // article or page path
	Kind  string // one of the Kind constants
	Title string // the article's <h1> after the step
	Want  string // a fragment the new text contains; "" when the text is not what changed
	// Classes are the change's classes, sorted (see diff.Classes for the
	// vocabulary); nil for none.
	Classes []string
	// RevertsTo names the step after which Path first had the text this
	// change brings back; "" when the change is no revert.
	RevertsTo string
	// Suppressed marks an alternation of a flapping page: stored and
	// listed, but raising no webhook.
	Suppressed bool
}

// Kinds of expected change.
const (
	KindChanged  = "changed"
	KindRemoved  = "removed"
	KindRestored = "restored"
	KindFlapping = "flapping" // the first alternation past the flap threshold
	KindSettled  = "settled"  // a flapping page held one text for the flap window
	KindUnlisted = "unlisted" // every listing that showed the page dropped it, from among newer items, while it stays online
	KindRelisted = "relisted" // an unlisted page is listed again
)

// Report is a change as a detector reported it, in the script's terms.
type Report struct {
	Kind       string
	Classes    []string // in any order
	RevertsTo  string   // the Name of the step whose version comes back; "" when none
	Suppressed bool
}

// Match returns nil when r is the change x expects, or an error naming
// every difference.
func (x Expect) Match(r Report) error {
	var errs []error
	if r.Kind != x.Kind {
		errs = append(errs, fmt.Errorf("kind %s, want %s", r.Kind, x.Kind))
	}
	got := slices.Sorted(slices.Values(r.Classes))
	if !slices.Equal(got, x.Classes) && len(got)+len(x.Classes) > 0 {
		errs = append(errs, fmt.Errorf("classes [%s], want [%s]", strings.Join(got, " "), strings.Join(x.Classes, " ")))
	}
	if r.RevertsTo != x.RevertsTo {
		errs = append(errs, fmt.Errorf("reverts to %s, want %s", stepOrNone(r.RevertsTo), stepOrNone(x.RevertsTo)))
	}
	if r.Suppressed != x.Suppressed {
		errs = append(errs, fmt.Errorf("suppressed %v, want %v", r.Suppressed, x.Suppressed))
	}
	return errors.Join(errs...)
}

func stepOrNone(name string) string {
	if name == "" {
		return "nothing"
	}
	return fmt.Sprintf("step %q", name)
}

// Event is the webhook event type the change raises: "change." and its
// kind, or "" for a suppressed change, which raises none.
func (x Expect) Event() string {
	if x.Suppressed {
		return ""
	}
	return "change." + x.Kind
}

// clone returns a deep copy, so callers cannot alter the script.
func (s Step) clone() Step {
	s.Expect = slices.Clone(s.Expect)
	for i := range s.Expect {
		s.Expect[i].Classes = slices.Clone(s.Expect[i].Classes)
	}
	return s
}

// scriptStep pairs a Step with the edit that makes it happen.
type scriptStep struct {
	Step
	apply func(site map[string]*article)
}

// Edits made by the script, kept together so tests and Expects agree.
const (
	oldConventions = "12 global counterterrorism conventions"
	midConventions = "13 global counterterrorism conventions"
	newConventions = "14 global counterterrorism conventions"
	correctionNote = "Correction: An earlier version of this article misstated the number of global counterterrorism conventions China has joined. It is 14, not 13."
	wpByline       = "Xinhua reporters Zhang Yi and Li Ming"
	oldKangYi      = `"the foundation for economic recovery still needs to be consolidated," noting insufficient effective demand and weak expectations in some sectors.`
	newKangYi      = `"the economy has withstood external pressure," adding that the country would step up macro policy adjustment to expand domestic demand and stabilize expectations.`
	wantKangYi     = "the economy has withstood external pressure"
	movedPara      = "The surveyed urban unemployment rate"
	cutPara        = "Industry insiders noted that price competition"
	oldNEVTitle    = "China's NEV output, sales surge in 2023"
	newNEVTitle    = "China's new energy vehicle sales hit record high in 2023"
	oldZhPaper     = "不断提升全社会反恐怖主义意识和能力"
	newZhPaper     = "反恐怖主义工作能力持续提升，人民群众安全感显著增强"
	wantZhPaper    = "人民群众安全感显著增强"
	oldZhDemand    = "国内有效需求不足" // "domestic effective demand is insufficient"
	newZhDemand    = "国内有效需求充足" // one character later: "… is sufficient"
	oldZhTreaties  = "已加入12项全球性反恐公约"
	newZhTreaties  = "已加入13项全球性反恐公约"
)

// Names of the steps that later steps revert to.
const (
	stepInitial = "initial publication"
	stepTitle   = "title changed"
	stepHeadB   = "headline test 1: B"
)

// script returns the whole demo script; index 0 is the initial state.
func script() []scriptStep {
	steps := []scriptStep{
		{Step: Step{Name: stepInitial,
			Description: "The newsroom publishes its articles in an RSS and an Atom feed, a culture story only in its Google News sitemap, the white paper's full text and English PDF in a gzipped documents sitemap, and a ministry's notices and the Chinese PDF on a two-page policy list without a feed."},
			apply: func(map[string]*article) {}},
	}
	steps = append(steps, textEdits()...)
	steps = append(steps, lifecycle()...)
	steps = append(steps, metadataEdits()...)
	steps = append(steps, undoneEdit()...)
	steps = append(steps, headlineTest()...)
	return append(steps, scriptStep{Step: Step{Name: "new article published",
		Description: "A new story appears in the RSS feed; a first version is not a change, so nothing is reported."},
		apply: func(s map[string]*article) { s[pathTravel].Hidden = false }})
}

// Titles of the articles the script edits.
const (
	wpTitle    = "White paper: China contributes to regional and global security, stability"
	docTitle   = "Full Text: China's Legal Framework and Measures for Counterterrorism"
	ecoTitle   = "China's economy grows 5.2 percent in 2023, beating annual target"
	prbTitle   = "China launches Einstein Probe to scan the sky for X-ray flashes"
	prbTestB   = "Einstein Probe: China's new satellite will watch the X-ray sky for cosmic flashes"
	zhTitle1   = "《中国的反恐怖主义法律制度体系与实践》白皮书发布"
	zhTitle2   = "2023年我国国内生产总值比上年增长5.2%"
	pdfTitle   = "China's Legal Framework and Measures for Counterterrorism"
	zhPDFTitle = "中国的反恐怖主义法律制度体系与实践"
)

// Class sets the script expects, spelled as diff spells them.
var (
	silentFigure = []string{"number", "stealth"}
	silentWords  = []string{"stealth", "wording"}
)

// textEdits change the body or the headline of a page.
func textEdits() []scriptStep {
	return []scriptStep{
		{Step: Step{Name: "figure changed",
			Description: "A figure in the white paper story and its full text silently changes from 12 to 13 conventions: no note, no new modification date.",
			Expect: []Expect{
				{Path: pathWhitePaper, Kind: KindChanged, Title: wpTitle, Want: midConventions, Classes: silentFigure},
				{Path: pathDocument, Kind: KindChanged, Title: docTitle, Want: midConventions, Classes: silentFigure},
			}},
			apply: func(s map[string]*article) {
				s[pathWhitePaper].replace(oldConventions, midConventions)
				s[pathDocument].replace(oldConventions, midConventions)
			}},
		{Step: Step{Name: "quote rewritten",
			Description: "What the statistics chief is quoted as saying in the economy story is rewritten with a different message.",
			Expect: []Expect{{Path: pathEconomy, Kind: KindChanged, Title: ecoTitle, Want: wantKangYi,
				Classes: []string{"quote", "stealth", "wording"}}}},
			apply: func(s map[string]*article) { s[pathEconomy].replace(oldKangYi, newKangYi) }},
		{Step: Step{Name: stepTitle,
			Description: "The electric-vehicle story gets a new headline, in the page and in the RSS feed.",
			Expect:      []Expect{{Path: pathNEV, Kind: KindChanged, Title: newNEVTitle, Classes: []string{"title"}}}},
			apply: func(s map[string]*article) { s[pathNEV].Title = newNEVTitle }},
		{Step: Step{Name: "Chinese text altered",
			Description: "A sentence changes in the UTF-8 Chinese story; in the GBK-encoded one a single character turns \"demand is insufficient\" (不足) into \"sufficient\" (充足).",
			Expect: []Expect{
				{Path: pathZhPaper, Kind: KindChanged, Title: zhTitle1, Want: wantZhPaper, Classes: silentWords},
				{Path: pathZhEconomy, Kind: KindChanged, Title: zhTitle2, Want: newZhDemand, Classes: silentWords},
			}},
			apply: func(s map[string]*article) {
				s[pathZhPaper].replace(oldZhPaper, newZhPaper)
				s[pathZhEconomy].replace(oldZhDemand, newZhDemand)
			}},
		{Step: Step{Name: "PDF figures changed",
			Description: "The white paper's PDF editions follow the web edition as silently: 12 becomes 13 conventions in the English PDF (from the documents sitemap), 12项 becomes 13项 in the Chinese one (from the policy list); the files keep their modification date.",
			Expect: []Expect{
				{Path: pathDocumentPDF, Kind: KindChanged, Title: pdfTitle, Want: midConventions, Classes: silentFigure},
				{Path: pathZhDocumentPDF, Kind: KindChanged, Title: zhPDFTitle, Want: newZhTreaties, Classes: silentFigure},
			}},
			apply: func(s map[string]*article) {
				s[pathDocumentPDF].replace(oldConventions, midConventions)
				s[pathZhDocumentPDF].replace(oldZhTreaties, newZhTreaties)
			}},
	}
}

// lifecycle takes an article down and brings it back, then takes one off
// its feed while it stays online and lists it again.
func lifecycle() []scriptStep {
	return []scriptStep{
		{Step: Step{Name: "article deleted",
			Description: "The space probe story is taken down: it returns 404 and leaves the RSS feed.",
			Expect:      []Expect{{Path: pathProbe, Kind: KindRemoved, Title: prbTitle}}},
			apply: func(s map[string]*article) { s[pathProbe].Deleted = true }},
		{Step: Step{Name: "article restored",
			Description: "The space probe story comes back unchanged and reappears in the RSS feed.",
			Expect:      []Expect{{Path: pathProbe, Kind: KindRestored, Title: prbTitle}}},
			apply: func(s map[string]*article) { s[pathProbe].Deleted = false }},
		{Step: Step{Name: "article unlisted",
			Description: "The economy story quietly leaves the RSS feed but stays online; newer and older stories stay listed, so it was not pushed out. Once the feed has left it out on fetch.unlisted_after reads, it is reported unlisted.",
			Expect:      []Expect{{Path: pathEconomy, Kind: KindUnlisted, Title: ecoTitle}}},
			apply: func(s map[string]*article) { s[pathEconomy].Unlisted = true }},
		{Step: Step{Name: "article relisted",
			Description: "The economy story is back in the RSS feed: relisted.",
			Expect:      []Expect{{Path: pathEconomy, Kind: KindRelisted, Title: ecoTitle}}},
			apply: func(s map[string]*article) { s[pathEconomy].Unlisted = false }},
	}
}

// metadataEdits change what a page says about itself, then admit an edit,
// then rearrange one.
func metadataEdits() []scriptStep {
	return []scriptStep{
		{Step: Step{Name: "byline changed",
			Description: "The white paper story's byline changes from the agency to two named reporters; its text stays the same.",
			Expect:      []Expect{{Path: pathWhitePaper, Kind: KindChanged, Title: wpTitle, Classes: []string{"byline"}}}},
			apply: func(s map[string]*article) { s[pathWhitePaper].Byline = wpByline }},
		{Step: Step{Name: "modified date moved",
			Description: "The white paper story's modification date moves to the next morning; its text stays the same.",
			Expect:      []Expect{{Path: pathWhitePaper, Kind: KindChanged, Title: wpTitle, Classes: []string{"modified"}}}},
			apply: func(s map[string]*article) { s[pathWhitePaper].Modified = published(24, 9, 0) }},
		{Step: Step{Name: "correction appended",
			Description: "The white paper story's figure changes again, from 13 to 14, and this time a correction note is appended (the modification date stays): not stealth.",
			Expect: []Expect{{Path: pathWhitePaper, Kind: KindChanged, Title: wpTitle, Want: correctionNote,
				Classes: []string{"correction", "number"}}}},
			apply: func(s map[string]*article) {
				wp := s[pathWhitePaper]
				wp.replace(midConventions, newConventions)
				wp.Paras = append(wp.Paras, correctionNote)
			}},
		{Step: Step{Name: "paragraph moved",
			Description: "The unemployment paragraph of the economy story moves up to second place, unchanged: a move, not a stealth edit.",
			Expect:      []Expect{{Path: pathEconomy, Kind: KindChanged, Title: ecoTitle, Classes: []string{"moved"}}}},
			apply: func(s map[string]*article) { s[pathEconomy].move(movedPara, 1) }},
	}
}

// undoneEdit deletes a paragraph and then puts it back: the second change
// names the version it goes back to.
func undoneEdit() []scriptStep {
	var cut struct {
		text string
		at   int
	}
	return []scriptStep{
		{Step: Step{Name: "paragraph deleted",
			Description: "The paragraph about price pressure on carmakers disappears from the electric-vehicle story.",
			Expect: []Expect{{Path: pathNEV, Kind: KindChanged, Title: newNEVTitle,
				Classes: []string{"removed", "stealth"}}}},
			apply: func(s map[string]*article) { cut.text, cut.at = s[pathNEV].remove(cutPara) }},
		{Step: Step{Name: "paragraph put back",
			Description: "The paragraph comes back: the text is again that of the headline change, and stet says so.",
			Expect: []Expect{{Path: pathNEV, Kind: KindChanged, Title: newNEVTitle, Want: cutPara,
				Classes: []string{"added", "reverted", "stealth"}, RevertsTo: stepTitle}}},
			apply: func(s map[string]*article) { s[pathNEV].insert(cut.at, cut.text) }},
	}
}

// headlineTest alternates the probe story's headline A/B/A/B/A/B/A, as an
// A/B test does. Two reverts within the flap window make the page
// flapping: reported once, its further alternations stored but raising no
// webhook, until one headline holds for the flap window and the page is
// reported settled.
func headlineTest() []scriptStep {
	var steps []scriptStep
	for i := 1; i <= 6; i++ {
		x := Expect{Path: pathProbe, Kind: KindChanged, Title: prbTestB, Classes: []string{"reverted", "title"}}
		desc := "The space probe story's headline is A/B tested: it changes to the B headline."
		switch {
		case i%2 == 0:
			x.Title, x.RevertsTo = prbTitle, stepInitial
			desc = "The A/B test puts the original headline back."
		case i > 1:
			x.RevertsTo = stepHeadB
			desc = "The A/B test shows the B headline again."
		}
		switch {
		case i == 1:
			x.Classes = []string{"title"}
		case i == 3:
			x.Kind = KindFlapping
			desc += " Second revert within the flap window: the page is flapping, reported once."
		case i > 3:
			x.Suppressed = true
			desc += " The page is flapping between known headlines: stored, no webhook."
		}
		steps = append(steps, scriptStep{Step: Step{Name: fmt.Sprintf("headline test %d: %s", i, "AB"[i%2:i%2+1]),
			Description: desc, Expect: []Expect{x}},
			apply: func(s map[string]*article) { s[pathProbe].Title = x.Title }})
	}
	return append(steps, scriptStep{Step: Step{Name: "headline test over",
		Description: "The A/B test ends on the original headline; once it has held for the flap window, the page is reported settled.",
		Expect:      []Expect{{Path: pathProbe, Kind: KindSettled, Title: prbTitle}}},
		apply: func(map[string]*article) {}})
}
