package main

import (
	"strings"

	"github.com/matthan/matthan/camera"
)

// reportText is what "matthan report" prints in one language: every label
// and sentence of the report, so that a language is one entry of
// reportCatalogue and no text hides in the printing code. A "\n" in a
// column heading breaks it over two lines, to keep the table within 100
// columns. Formats take their arguments in the order of the English ones.
type reportText struct {
	title      string // %s: when the report was made
	uptimeWin  string // %s, %s: from, to
	incWin     string // %s, %s: from, to
	incAll     string // incidents of all time
	camTitle   string
	moneyTitle string
	commune    string
	total      string
	none       string // a figure that does not apply: no junctions, no uptime yet
	decimal    string // the decimal separator of percentages
	timeFmt    string // the layout of times, always with their offset

	cameras, upNow, uptime, junctions  string
	installed, live, natInst, natLive  string
	received, cost, criminal, suspects string
	otherIncidents                     string
	footer                             string // %d communes, %d cameras, %s received, %d cases, %d suspects

	// The table of hotline tips, when the daemon keeps tips.
	tipsTitle, outcome, tips, people string
	outcomes                         map[camera.Outcome]string
	tipsFooter                       string // %d tips, %d criminal cases, %d suspects, %d administrative cases, %d people, %d educated
}

// reportCatalogue holds the report's languages, by the code --lang takes.
var reportCatalogue = map[string]*reportText{
	"en": {
		title:      "District summary as of %s",
		uptimeWin:  "Uptime from %s to %s.",
		incWin:     "Incidents from %s to %s.",
		incAll:     "Incidents of all time.",
		camTitle:   "Cameras and junctions covered (installed: by an active camera; live: by one that is up)",
		moneyTitle: "Funding and incidents",
		commune:    "commune",
		total:      "total",
		none:       "—",
		decimal:    ".",
		timeFmt:    "2006-01-02 15:04 -07:00",

		cameras:        "cameras",
		upNow:          "up\nnow",
		uptime:         "uptime",
		junctions:      "junctions",
		installed:      "covered\ninstalled",
		live:           "covered\nlive",
		natInst:        "national rd\ninstalled",
		natLive:        "national rd\nlive",
		received:       "funding received",
		cost:           "cameras' cost",
		criminal:       "criminal\ncases",
		suspects:       "suspects",
		otherIncidents: "other\nincidents",
		footer:         "%d communes, %d cameras, %s received, %d criminal cases with %d suspects.",

		tipsTitle: "Hotline tips and what came of them",
		outcome:   "outcome",
		tips:      "tips",
		people:    "people",
		outcomes: map[camera.Outcome]string{
			camera.OutcomeCriminal: "criminal case", camera.OutcomeAdministrative: "administrative case",
			camera.OutcomeEducation: "educated", camera.OutcomeUnfounded: "unfounded", camera.OutcomePending: "being checked",
		},
		tipsFooter: "%d tips: %d criminal cases with %d suspects, %d administrative cases with %d people, %d people educated.",
	},
	"vi": {
		title:      "Báo cáo tổng hợp toàn huyện, lập lúc %s",
		uptimeWin:  "Thời gian hoạt động tính từ %s đến %s.",
		incWin:     "Vụ việc tính từ %s đến %s.",
		incAll:     "Vụ việc: từ trước đến nay.",
		camTitle:   "Camera và độ phủ nút giao (lắp đặt: camera đang dùng; thực tế: camera đang hoạt động)",
		moneyTitle: "Kinh phí và vụ việc",
		commune:    "Xã/phường",
		total:      "Tổng cộng",
		none:       "—",
		decimal:    ",",
		timeFmt:    "02/01/2006 15:04 -07:00",

		cameras:        "Camera",
		upNow:          "Đang\nhoạt động",
		uptime:         "Thời gian\nhoạt động",
		junctions:      "Nút giao",
		installed:      "Độ phủ\nlắp đặt",
		live:           "Độ phủ\nthực tế",
		natInst:        "Quốc lộ\nlắp đặt",
		natLive:        "Quốc lộ\nthực tế",
		received:       "Tiền nhận được",
		cost:           "Chi phí camera",
		criminal:       "Vụ án\nhình sự",
		suspects:       "Đối tượng",
		otherIncidents: "Vụ việc\nkhác",
		footer:         "%d xã, phường, thị trấn; %d camera; đã nhận %s; %d vụ án hình sự với %d đối tượng.",

		tipsTitle: "Tin báo tố giác và kết quả xử lý",
		outcome:   "Kết quả",
		tips:      "Tin báo",
		people:    "Số người",
		outcomes: map[camera.Outcome]string{
			camera.OutcomeCriminal: "Khởi tố hình sự", camera.OutcomeAdministrative: "Xử lý hành chính",
			camera.OutcomeEducation: "Giáo dục, nhắc nhở", camera.OutcomeUnfounded: "Không có cơ sở", camera.OutcomePending: "Đang xác minh",
		},
		tipsFooter: "%d tin báo: %d vụ hình sự với %d đối tượng, %d vụ xử lý hành chính với %d người, giáo dục %d người.",
	},
}

// reportLang picks the report's language: --lang when given, else the
// locale's (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them):
// Vietnamese for vi_VN.UTF-8 and the like, English otherwise.
func reportLang(flagValue string, getenv func(string) string) (string, bool) {
	if flagValue != "" {
		_, ok := reportCatalogue[flagValue]
		return flagValue, ok
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "vi") {
				return "vi", true
			}
			return "en", true
		}
	}
	return "en", true
}
