package newsroom

// whitePaperDocument returns the stand-alone full-text document, watched as a
// [[page]] rather than through a feed. It is a plausible excerpt written for
// the demo, laid out as sections under a table of contents.
func whitePaperDocument() *article {
	return &article{
		Path: pathDocument, Lang: langEN, Section: "Documents", Document: true,
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
