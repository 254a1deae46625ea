package newsroom

// Step is one stage of the demo script. Steps()[0] is the initial publication.
type Step struct {
	Name        string   // short, e.g. "figure changed"
	Description string   // one line a user reads in the demo
	Expect      []Expect // changes the daemon must report for this step; empty when none
}

// Expect is one change the daemon must report after a step.
type Expect struct {
	Path  string // article or page path
	Kind  string // "changed", "removed" or "restored"
	Title string // the article's <h1> after the step
	Want  string // a fragment the new text contains (for "changed"); "" otherwise
}

// Kinds of expected change.
const (
	KindChanged  = "changed"
	KindRemoved  = "removed"
	KindRestored = "restored"
)

// clone returns a deep copy, so callers cannot alter the script.
func (s Step) clone() Step {
	s.Expect = append([]Expect(nil), s.Expect...)
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
	newConventions = "24 global counterterrorism conventions"
	oldKangYi      = "NBS head Kang Yi told a press conference that the foundation for economic recovery still needs to be consolidated, noting insufficient effective demand and weak expectations in some sectors."
	newKangYi      = "Speaking at a press conference, NBS head Kang Yi said the economy had withstood external pressure and that the country would step up macro policy adjustment in 2024 to expand domestic demand and stabilize expectations."
	wantKangYi     = "step up macro policy adjustment in 2024"
	oldNEVTitle    = "China's NEV output, sales surge in 2023"
	newNEVTitle    = "China's new energy vehicle sales hit record high in 2023"
	oldZhPaper     = "不断提升全社会反恐怖主义意识和能力"
	newZhPaper     = "反恐怖主义工作能力持续提升，人民群众安全感显著增强"
	wantZhPaper    = "人民群众安全感显著增强"
	oldZhEconomy   = "2023年国民经济回升向好，高质量发展扎实推进。"
	newZhEconomy   = "2023年国民经济持续恢复、总体回升向好，主要预期目标圆满实现。"
	wantZhEconomy  = "主要预期目标圆满实现"
)

// script returns the whole demo script; index 0 is the initial state.
func script() []scriptStep {
	const (
		wpTitle  = "White paper: China contributes to regional and global security, stability"
		docTitle = "Full Text: China's Legal Framework and Measures for Counterterrorism"
		ecoTitle = "China's economy grows 5.2 percent in 2023, beating annual target"
		prbTitle = "China launches Einstein Probe to scan the sky for X-ray flashes"
		zhTitle1 = "《中国的反恐怖主义法律制度体系与实践》白皮书发布"
		zhTitle2 = "2023年我国国内生产总值比上年增长5.2%"
	)
	return []scriptStep{
		{Step: Step{Name: "initial publication",
			Description: "The newsroom publishes its articles, two feeds and the white paper's full text."},
			apply: func(map[string]*article) {}},
		{Step: Step{Name: "figure changed",
			Description: "A figure in the white paper story and its full text silently changes from 12 to 24 conventions.",
			Expect: []Expect{
				{Path: pathWhitePaper, Kind: KindChanged, Title: wpTitle, Want: newConventions},
				{Path: pathDocument, Kind: KindChanged, Title: docTitle, Want: newConventions},
			}},
			apply: func(s map[string]*article) {
				s[pathWhitePaper].replace(oldConventions, newConventions)
				s[pathDocument].replace(oldConventions, newConventions)
			}},
		{Step: Step{Name: "paragraph rewritten",
			Description: "A quote in the economy story is rewritten with a different message.",
			Expect:      []Expect{{Path: pathEconomy, Kind: KindChanged, Title: ecoTitle, Want: wantKangYi}}},
			apply: func(s map[string]*article) { s[pathEconomy].replace(oldKangYi, newKangYi) }},
		{Step: Step{Name: "title changed",
			Description: "The electric-vehicle story gets a new headline, in the page and in the RSS feed.",
			Expect:      []Expect{{Path: pathNEV, Kind: KindChanged, Title: newNEVTitle}}},
			apply: func(s map[string]*article) { s[pathNEV].Title = newNEVTitle }},
		{Step: Step{Name: "Chinese sentences altered",
			Description: "One sentence changes in the UTF-8 Chinese story and one in the GBK-encoded one.",
			Expect: []Expect{
				{Path: pathZhPaper, Kind: KindChanged, Title: zhTitle1, Want: wantZhPaper},
				{Path: pathZhEconomy, Kind: KindChanged, Title: zhTitle2, Want: wantZhEconomy},
			}},
			apply: func(s map[string]*article) {
				s[pathZhPaper].replace(oldZhPaper, newZhPaper)
				s[pathZhEconomy].replace(oldZhEconomy, newZhEconomy)
			}},
		{Step: Step{Name: "article deleted",
			Description: "The space probe story is taken down: it returns 404 and leaves the RSS feed.",
			Expect:      []Expect{{Path: pathProbe, Kind: KindRemoved, Title: prbTitle}}},
			apply: func(s map[string]*article) { s[pathProbe].Deleted = true }},
		{Step: Step{Name: "article restored",
			Description: "The space probe story comes back unchanged and reappears in the RSS feed.",
			Expect:      []Expect{{Path: pathProbe, Kind: KindRestored, Title: prbTitle}}},
			apply: func(s map[string]*article) { s[pathProbe].Deleted = false }},
		{Step: Step{Name: "new article published",
			Description: "A new story appears in the RSS feed; a first version is not a change, so nothing is reported."},
			apply: func(s map[string]*article) { s[pathTravel].Hidden = false }},
	}
}
