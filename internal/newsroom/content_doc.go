package newsroom

import "slices"

// whitePaperDocument returns the stand-alone full-text document, watched as a
// [[page]] rather than through a feed. It is a plausible excerpt written for
// the demo, laid out as sections under a table of contents.
func whitePaperDocument() *article {
	return &article{
		Path: pathDocument, Listing: sitemapDocs, Lang: langEN, Section: "Documents", Document: true,
		Title:     "Full Text: China's Legal Framework and Measures for Counterterrorism",
		Byline:    "The State Council Information Office of the People's Republic of China",
		Published: published(23, 10, 0),
		Sections: []section{
			{ID: "preamble", Heading: "Preamble", Paras: []string{
				"Terrorism is a common enemy of humanity. It poses a grave threat to world peace and development, and to the lives and property of people of all countries. Fighting terrorism is the shared responsibility of the international community.",
				"China has long been a victim of terrorism. Drawing on its own experience and on the practices of other countries, it has followed a path of fighting terrorism under the rule of law, and has formed a counterterrorism legal framework suited to its national conditions.",
			}},
			{ID: "legal-system", Heading: "I. Improving the Counterterrorism Legal System", Paras: []string{
				"China treats the law as the basis of counterterrorism work. The Counterterrorism Law, adopted in December 2015, sets out the principles, institutions and measures of the country's counterterrorism work in a systematic way.",
				"Provisions of the Criminal Law, the Criminal Procedure Law, the National Security Law and other laws, together with administrative regulations and local regulations, complement the Counterterrorism Law and make up a complete system of norms.",
			}},
			{ID: "definitions", Heading: "II. Defining Terrorist Activities in Accordance with the Law", Paras: []string{
				"The law defines terrorism, terrorist activities, terrorist organizations and terrorists in clear terms, so that law enforcement and judicial organs act on a precise legal basis and ordinary lawful conduct is not affected.",
				"Designation of terrorist organizations and individuals follows statutory procedures, and those designated may apply for a review of the decision.",
			}},
			{ID: "powers", Heading: "III. Regulating the Exercise of Counterterrorism Powers", Paras: []string{
				"Counterterrorism powers are exercised within the limits set by law. Security measures must be proportionate to the nature, degree and scope of the harm that a terrorist activity may cause.",
				"Supervision by people's congresses, procuratorial oversight and public scrutiny keep the exercise of these powers in check and prevent abuse.",
			}},
			{ID: "human-rights", Heading: "IV. Protecting Human Rights in Counterterrorism", Paras: []string{
				"China respects and protects human rights in counterterrorism work. Suspects and defendants enjoy the right to defense and other procedural rights, and the personal information obtained in counterterrorism work is kept confidential.",
			}},
			{ID: "cooperation", Heading: "V. Promoting International Cooperation", Paras: []string{
				"China has joined 12 global counterterrorism conventions and takes an active part in counterterrorism cooperation under the United Nations and the Shanghai Cooperation Organization.",
				"It supports the central coordinating role of the United Nations and opposes double standards on counterterrorism and linking terrorism with any particular country, ethnic group or religion.",
			}},
			{ID: "conclusion", Heading: "Conclusion", Paras: []string{
				"Countering terrorism under the rule of law is a long-term task. China will continue to improve its counterterrorism legal framework and work with other countries to build a world of lasting peace and universal security.",
			}},
		},
	}
}

// whitePaperPDF is the white paper's English PDF edition, announced in the
// documents sitemap: the full text's sections under the white paper's own
// title, copied so the script can edit the two apart.
func whitePaperPDF() *article {
	a := whitePaperDocument()
	a.Path, a.Listing, a.PDF = pathDocumentPDF, sitemapDocs, true
	a.Title = pdfTitle
	for i := range a.Sections {
		a.Sections[i].Paras = slices.Clone(a.Sections[i].Paras)
	}
	return a
}

// chineseWhitePaperPDF is the white paper's Chinese PDF edition, listed on
// the second page of the ministry's policy list.
func chineseWhitePaperPDF() *article {
	return &article{
		Path: pathZhDocumentPDF, Listing: pathPolicies, Lang: langZH, Section: "政策", Document: true, PDF: true,
		Title:     zhPDFTitle,
		Byline:    "中华人民共和国国务院新闻办公室",
		Published: published(23, 10, 0),
		Sections: []section{
			{Heading: "前言", Paras: []string{
				"恐怖主义是人类社会的公敌，严重威胁世界和平与发展，严重危害各国人民生命财产安全。反对恐怖主义是国际社会的共同责任。",
				"中国是恐怖主义的受害者。中国在借鉴国际经验的基础上，坚持走法治化反恐道路，形成了符合国情的反恐怖主义法律制度体系。",
			}},
			{Heading: "一、不断完善反恐怖主义法律制度", Paras: []string{
				"中国坚持以法治为反恐怖主义工作的根本遵循。2015年12月通过的反恐怖主义法，系统规定了反恐怖主义工作的原则、机制和措施。",
				"刑法、刑事诉讼法、国家安全法等法律的有关规定，以及行政法规和地方性法规，与反恐怖主义法相互衔接，形成了完整的规范体系。",
			}},
			{Heading: "二、依法规范反恐怖主义权力运行", Paras: []string{
				"反恐怖主义权力在法律规定的范围内行使。采取的措施应当与恐怖活动可能造成的社会危害的性质、程度和范围相适应。",
				"人大监督、检察监督和社会监督等多种方式相结合，确保反恐怖主义权力依法规范运行，防止滥用。",
			}},
			{Heading: "三、积极开展国际反恐合作", Paras: []string{
				"中国已加入12项全球性反恐公约，积极参与联合国、上海合作组织框架下的反恐合作。",
				"中国支持联合国发挥中心协调作用，反对在反恐问题上搞双重标准，反对将恐怖主义与特定国家、民族和宗教挂钩。",
			}},
			{Heading: "结束语", Paras: []string{
				"在法治轨道上推进反恐怖主义工作是一项长期任务。中国将继续完善反恐怖主义法律制度体系，同各国一道建设持久和平、普遍安全的世界。",
			}},
		},
	}
}
