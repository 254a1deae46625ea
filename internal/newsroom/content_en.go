package newsroom

import "time"

// Paths of the articles and documents. They look like a state-media site's
// URLs: a dated directory and an opaque id; a government site's PDFs are
// attachments named by date and number.
const (
	pathWhitePaper    = "/english/2024-01/23/c_1310761562.htm"
	pathEconomy       = "/english/2024-01/17/c_1310760417.htm"
	pathNEV           = "/english/2024-01/11/c_1310759205.htm"
	pathProbe         = "/english/2024-01/09/c_1310758831.htm"
	pathTravel        = "/english/2024-01/24/c_1310761890.htm"
	pathCulture       = "/english/2024-01/22/c_1310761377.htm"
	pathDocument      = "/english/documents/2024-01/23/c_1310761600.htm"
	pathDocumentPDF   = "/english/documents/2024-01/23/W020240123595348.pdf"
	pathZhPaper       = "/politics/2024-01/23/c_1130066001.htm"
	pathZhEconomy     = "/fortune/2024-01/17/c_1130063002.htm"
	pathZhNotice      = "/zhengce/content/2024-01/22/content_6927501.htm"
	pathZhGrain       = "/zhengce/content/2023-12/11/content_6919403.htm"
	pathZhDocumentPDF = "/zhengce/pdf/2024-01/23/P020240123551842.pdf"
)

// Paths of the listings: two feeds, a sitemap index and the two sitemaps it
// names, and a ministry's policy list, which has no feed (its second page
// is at pathPolicies + "index_1.htm").
const (
	feedWorld    = "/feeds/world.rss"
	feedChina    = "/feeds/china.atom"
	sitemapIndex = "/sitemap.xml"
	sitemapDocs  = "/sitemap-docs.xml.gz"
	sitemapNews  = "/news-sitemap.xml"
	pathPolicies = "/zhengce/"
)

// beijing is the publisher's time zone.
func beijing() *time.Location { return time.FixedZone("CST", 8*60*60) }

func published(day, hour, minute int) time.Time {
	return time.Date(2024, time.January, day, hour, minute, 0, 0, beijing())
}

// englishArticles returns fresh copies of the English articles; the script
// mutates them, so they are never shared between Newsrooms.
func englishArticles() []*article {
	return []*article{
		{
			Path: pathWhitePaper, Listing: feedWorld, Lang: langEN, Section: "White Papers",
			Title:     "White paper: China contributes to regional and global security, stability",
			Published: published(23, 10, 15),
			Paras: []string{
				"China carries out counterterrorism work in accordance with the law, and has heightened the people's sense of security, defended national security, and contributed to regional and global security and stability, said a white paper issued by China's State Council Information Office Tuesday.",
				"According to the white paper titled \"China's Legal Framework and Measures for Counterterrorism,\" China actively promotes improved terrorism prevention standards in key sectors and localities, formulates or revises counterterrorism contingency plans, and encourages and supports counterterrorism-related scientific research and technological innovation.",
				"Apart from specialized efforts, China also relies on the public in working to counter terrorism. It conducts extensive public education, with its counterterrorism capacity constantly improving, according to the white paper.",
				"China has continued to take tough action against violent terrorism, effectively safeguarding national security and social stability, and markedly improving people's sense of security, said the document.",
				"While striking hard at unlawful and criminal terrorist activities, China attaches greater importance to the education and rehabilitation of victims of extremist teachings who have committed only minor offenses, said the document.",
				"Relevant government departments, women's associations and other social organizations, religious groups, schools, and families collaborate to offer targeted intervention measures, in order to protect them from further harmful impact, it said.",
				"It added that China has joined 12 global counterterrorism conventions and facilitated the formulation of documents such as the Shanghai Convention on Combating Terrorism, Separatism and Extremism and the Shanghai Cooperation Organization (SCO) Member States Agreement on Border Defense Cooperation, playing an important role in maintaining international and regional security and stability.",
			},
		},
		{
			Path: pathEconomy, Listing: feedWorld, Lang: langEN, Section: "Business",
			Title:     "China's economy grows 5.2 percent in 2023, beating annual target",
			Published: published(17, 11, 2),
			Paras: []string{
				"China's gross domestic product (GDP) grew 5.2 percent year on year in 2023, surpassing the annual target of around 5 percent, the National Bureau of Statistics (NBS) said Wednesday.",
				"The country's GDP reached 126.06 trillion yuan (about 17.7 trillion U.S. dollars) last year, according to the NBS. In the fourth quarter alone, the economy expanded 5.2 percent year on year.",
				"Retail sales of consumer goods, a key indicator of consumption, rose 7.2 percent to 47.15 trillion yuan, with services retail sales growing markedly faster than sales of goods, the bureau said.",
				"Value-added industrial output increased 4.6 percent from a year earlier, while fixed-asset investment went up 3 percent. Investment in high-tech industries grew 10.3 percent.",
				"The surveyed urban unemployment rate averaged 5.2 percent for the year, down 0.4 percentage points from 2022. Per capita disposable income of residents rose 6.1 percent in real terms.",
				`NBS head Kang Yi told a press conference that "the foundation for economic recovery still needs to be consolidated," noting insufficient effective demand and weak expectations in some sectors.`,
				"Analysts expect policy support for consumption, technological innovation and the property sector to continue in 2024 as the government works to sustain the recovery.",
			},
		},
		{
			Path: pathNEV, Listing: feedWorld, Lang: langEN, Section: "Sci-Tech",
			Title:     "China's NEV output, sales surge in 2023",
			Published: published(11, 16, 40),
			Paras: []string{
				"China's production and sales of new energy vehicles (NEVs) both exceeded 9 million units in 2023, keeping the country the world's largest NEV market for the ninth consecutive year, an industry association said Thursday.",
				"NEV production reached 9.587 million units last year, up 35.8 percent year on year, while sales rose 37.9 percent to 9.495 million units, according to the China Association of Automobile Manufacturers (CAAM).",
				"NEVs accounted for 31.6 percent of total new vehicle sales in the country, up 5.9 percentage points from a year earlier.",
				"Exports were a bright spot. China exported 1.203 million NEVs in 2023, a year-on-year increase of 77.6 percent, the CAAM data showed.",
				"Overall vehicle sales in China topped 30 million units for the first time, reaching 30.09 million, up 12 percent year on year.",
				"The association said it expects NEV sales to reach around 11.5 million units in 2024, supported by continued policy incentives, expanding charging infrastructure and new models from domestic carmakers.",
				"Industry insiders noted that price competition intensified in the second half of the year, putting pressure on the profit margins of some manufacturers.",
			},
		},
		{
			Path: pathProbe, Listing: feedWorld, Lang: langEN, Section: "Sci-Tech",
			Title:     "China launches Einstein Probe to scan the sky for X-ray flashes",
			Published: published(9, 17, 25),
			Paras: []string{
				"China on Tuesday launched a new space science satellite, the Einstein Probe, to monitor the X-ray sky and capture transient cosmic phenomena such as black hole activity and stellar explosions.",
				"The satellite was launched aboard a Long March-2C carrier rocket at 3:03 p.m. (Beijing Time) from the Xichang Satellite Launch Center in southwest China's Sichuan Province, and entered its planned orbit successfully.",
				"The Einstein Probe, developed by the Chinese Academy of Sciences (CAS), carries two main instruments: a wide-field X-ray telescope with lobster-eye micro-pore optics, and a follow-up X-ray telescope for more detailed observations.",
				"The lobster-eye design, inspired by the structure of a lobster's eyes, allows the wide-field telescope to observe about one-eleventh of the whole sky at once, scientists said.",
				"The mission is a collaboration between CAS, the European Space Agency and the Max Planck Institute for Extraterrestrial Physics in Germany, which contributed to the calibration and construction of the follow-up telescope.",
				"Scientists expect the probe to detect faint and distant transient X-ray sources, helping to study the formation of black holes, mergers of neutron stars and the origins of gravitational waves.",
			},
		},
		{
			Path: pathTravel, Listing: feedWorld, Lang: langEN, Section: "China",
			Title:     "Record 9 billion trips expected during Spring Festival travel rush",
			Published: published(24, 9, 30),
			Hidden:    true, // published by the script
			Paras: []string{
				"China's 40-day Spring Festival travel rush, which starts on Jan. 26, is expected to see a record of about 9 billion inter-regional trips, officials said Wednesday.",
				"Self-driving trips are expected to account for about 80 percent of the total, while railways and civil aviation are preparing for record passenger volumes, according to the officials.",
				"Railway authorities said they would add more trains on busy routes and extend the operating hours of some stations to meet the demand of travelers returning home for the holiday.",
				"Transport departments also called for enhanced road safety checks and timely information services on weather and traffic conditions during the travel season.",
				"The Spring Festival, or Chinese Lunar New Year, falls on Feb. 10 this year. It is the most important occasion for family reunions in China.",
			},
		},
		{
			// The culture desk has no feed: its stories are announced only in
			// the Google News sitemap.
			Path: pathCulture, Listing: sitemapNews, Lang: langEN, Section: "Culture",
			Title:     "Palace Museum opens exhibition to greet the Year of the Dragon",
			Published: published(22, 15, 10),
			Paras: []string{
				"The Palace Museum in Beijing on Monday opened an exhibition of dragon-themed cultural relics to greet the Year of the Dragon, which begins on Feb. 10.",
				"More than 200 pieces from the museum's collection are on display, including porcelain, jade, textiles and paintings from the Shang Dynasty to the Qing Dynasty, the museum said.",
				"The dragon, a symbol of good fortune and strength in Chinese culture, is the fifth of the 12 animals of the Chinese zodiac.",
				"Highlights include a Ming Dynasty blue-and-white vase decorated with dragons among clouds and an imperial robe embroidered with nine dragons.",
				"The exhibition runs until May 5. Visitors must book tickets online in advance, and the museum will extend its opening hours during the Spring Festival holiday.",
			},
		},
	}
}
