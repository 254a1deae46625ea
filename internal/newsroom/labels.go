package newsroom

// link is one entry of a link list.
type link struct {
	Title string
	URL   string
}

// entry is one line of a list page: a linked title and its date.
type entry struct {
	Title string
	URL   string
	Date  string
}

// ad is one creative of the rotating ad block.
type ad struct {
	Slogan  string
	Sponsor string
	URL     string
}

// labels holds the site chrome of one language.
type labels struct {
	SiteName       string
	Agency         string // byline when an article names none
	Home           string
	Updated        string
	ViewsFmt       string // fmt verb %s receives the formatted count
	Share          []string
	Contents       string
	Related        string
	MostRead       string
	Ad             string
	Newsletter     string
	NewsletterText string
	Email          string
	Subscribe      string
	NotFound       string
	NotFoundText   string
	BackHome       string
	Latest         string
	Documents      string
	Policies       string
	PrevPage       string
	NextPage       string
	Copyright      string
	Nav            []link
	Footer         []link
	MoreStories    []link // headlines that fill link lists besides live articles
	Ads            []ad
}

func labelsFor(lang string) labels {
	if lang == langZH {
		return chineseLabels()
	}
	return englishLabels()
}

func englishLabels() labels {
	return labels{
		SiteName: "Newsroom", Agency: "Xinhua", Home: "Home", Updated: "Updated: ",
		ViewsFmt: "%s views", Share: []string{"Facebook", "X", "LinkedIn", "Email"},
		Contents: "Contents", Related: "Related:", MostRead: "Most read", Ad: "Advertisement",
		Newsletter:     "Newsletter",
		NewsletterText: "Get the day's top stories in your inbox every morning.",
		Email:          "Your email address", Subscribe: "Subscribe",
		NotFound:     "Page not found",
		NotFoundText: "Sorry, the page you requested does not exist or has been removed.",
		BackHome:     "Back to home page", Latest: "Latest news", Documents: "Documents",
		Policies: "Policies", PrevPage: "Previous", NextPage: "Next",
		Copyright: "Copyright © 2000-2024 Newsroom. All rights reserved.",
		Nav: []link{
			{"Home", "/"}, {"China", "/english/china/"}, {"World", "/english/world/"},
			{"Business", "/english/business/"}, {"Sci-Tech", "/english/scitech/"},
			{"Culture", "/english/culture/"}, {"Sports", "/english/sports/"},
			{"Photos", "/english/photos/"}, {"Video", "/english/video/"},
			{"White Papers", "/english/whitepapers/"}, {"中文", "/politics/"},
		},
		Footer: []link{
			{"About us", "/english/about.htm"}, {"Contact us", "/english/contact.htm"},
			{"Privacy policy", "/english/privacy.htm"}, {"Terms of use", "/english/terms.htm"},
			{"Sitemap", "/english/sitemap.htm"}, {"RSS", feedWorld},
		},
		MoreStories: []link{
			{"Harbin ice festival draws record crowds", "/english/2024-01/05/c_1310757520.htm"},
			{"Giant pandas return home from overseas zoos", "/english/2024-01/08/c_1310758101.htm"},
			{"China's box office tops 54 billion yuan in 2023", "/english/2024-01/01/c_1310756411.htm"},
			{"High-speed rail network extends to 45,000 km", "/english/2024-01/12/c_1310759377.htm"},
			{"Scientists map rare plants on Qinghai-Tibet Plateau", "/english/2024-01/15/c_1310759844.htm"},
		},
		Ads: []ad{
			{"Discover the Silk Road", "Travel China", "/ads/click?id=silk-road"},
			{"Learn Mandarin in 12 weeks", "Language Center", "/ads/click?id=mandarin"},
			{"Invest in the Greater Bay Area", "GBA Promotion Office", "/ads/click?id=gba"},
			{"Tea from the hills of Fujian", "Wuyi Tea House", "/ads/click?id=tea"},
		},
	}
}

// chineseLabels avoid characters GBK cannot encode (no ©, no emoji), since the
// same chrome wraps the GBK page.
func chineseLabels() labels {
	return labels{
		SiteName: "Newsroom中文网", Agency: "新华社", Home: "首页", Updated: "更新时间：",
		ViewsFmt: "阅读 %s", Share: []string{"微信", "微博", "QQ空间", "复制链接"},
		Contents: "目录", Related: "相关新闻：", MostRead: "热门排行", Ad: "广告",
		Newsletter: "订阅早报", NewsletterText: "每天早上把重要新闻发送到您的邮箱。",
		Email: "请输入邮箱地址", Subscribe: "订阅",
		NotFound: "页面不存在", NotFoundText: "对不起，您访问的页面不存在或已被删除。",
		BackHome: "返回首页", Latest: "最新新闻", Documents: "文件",
		Policies: "政策", PrevPage: "上一页", NextPage: "下一页",
		Copyright: "版权所有 Newsroom中文网 2000-2024 未经许可不得转载",
		Nav: []link{
			{"首页", "/"}, {"时政", "/politics/"}, {"国际", "/world/"}, {"财经", "/fortune/"},
			{"科技", "/tech/"}, {"文化", "/culture/"}, {"体育", "/sports/"},
			{"图片", "/photo/"}, {"视频", "/video/"}, {"English", "/english/"},
		},
		Footer: []link{
			{"关于我们", "/about.htm"}, {"联系我们", "/contact.htm"}, {"隐私政策", "/privacy.htm"},
			{"网站地图", "/sitemap.htm"}, {"RSS订阅", feedChina},
		},
		MoreStories: []link{
			{"哈尔滨冰雪大世界游客量创新高", "/local/2024-01/05/c_1130058101.htm"},
			{"全国铁路春运预计发送旅客4.8亿人次", "/politics/2024-01/19/c_1130064410.htm"},
			{"我国全年粮食产量再创新高", "/fortune/2024-01/11/c_1130061275.htm"},
			{"冬季旅游持续升温", "/local/2024-01/14/c_1130062238.htm"},
			{"多地出台措施促进消费", "/fortune/2024-01/20/c_1130065133.htm"},
		},
		Ads: []ad{
			{"品味武夷岩茶", "武夷茶庄", "/ads/click?id=tea"},
			{"新春购物季全场满减", "某电商平台", "/ads/click?id=shop"},
			{"大湾区投资机遇", "大湾区推介办公室", "/ads/click?id=gba"},
			{"十二周学好英语", "语言培训中心", "/ads/click?id=english"},
		},
	}
}
