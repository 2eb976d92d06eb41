package sample

import "fmt"

// Vietnamese names for people, businesses, organisations and places. All
// literals are NFC (precomposed letters), the form the system stores.

var (
	familyNames = []string{
		"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Huỳnh", "Võ",
		"Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lý", "Đoàn",
		"Châu", "Lâm", "Mai", "Tô", "Cao",
	}
	maleMiddle   = []string{"Văn", "Văn", "Văn", "Hữu", "Minh", "Thanh", "Hoàng", "Công", "Quốc", "Tấn"}
	femaleMiddle = []string{"Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thu", "Bích"}
	maleGiven    = []string{
		"Hùng", "Dũng", "Tuấn", "Phúc", "Lộc", "Tài", "Sang", "Nhân", "Nghĩa", "Trí",
		"Tín", "Hiếu", "Tâm", "Thành", "Long", "Hải", "Sơn", "Bình", "Khánh", "Đức",
		"Hòa", "Lợi", "Quang", "Tùng", "Vinh", "Thắng", "Kiệt", "Bảy", "Sáu", "Út",
	}
	femaleGiven = []string{
		"Hoa", "Lan", "Mai", "Hạnh", "Thảo", "Cúc", "Đào", "Liên", "Nga", "Hương",
		"Trang", "Yến", "Loan", "Phượng", "Diễm", "Tuyết", "Hồng", "Nhung", "Xuân", "Hiền",
	}

	// businessKinds and businessNames make shop and company names such as
	// "Cửa hàng vật liệu xây dựng Phát Đạt".
	businessKinds = []string{
		"Cửa hàng vật liệu xây dựng", "Tiệm vàng", "Cửa hàng điện máy", "Nhà thuốc",
		"Cơ sở xay xát", "Vựa thanh long", "Đại lý phân bón", "Cửa hàng xe máy",
		"Tiệm sửa xe", "Cơ sở sản xuất bánh tráng", "Cửa hàng tạp hóa", "Quán cà phê",
		"Doanh nghiệp tư nhân", "Công ty TNHH", "Cơ sở chế biến thủy sản", "Đại lý gas",
	}
	businessNames = []string{
		"Phát Đạt", "Kim Hưng", "Thành Công", "Tâm Đức", "Hồng Phát", "Vạn Lợi",
		"Minh Tâm", "Phú Quý", "Thanh Tâm", "Út Hiền", "Ba Đức", "Tư Lực", "Ngọc Ánh",
		"Hưng Thịnh", "Tấn Phát", "Kim Yến", "Thuận Thành", "Hai Lúa", "Mỹ Ngọc", "Phước Lộc",
	}

	// districtDonors give to cameras all over the district.
	districtDonors = []string{
		"Công ty TNHH Thanh long Chợ Gạo",
		"Hợp tác xã Thanh long Chợ Gạo",
		"Ngân hàng Nông nghiệp và Phát triển Nông thôn chi nhánh huyện Chợ Gạo",
		"Hội Doanh nhân trẻ huyện Chợ Gạo",
		"Hội đồng hương Chợ Gạo tại Thành phố Hồ Chí Minh",
		"Nhà hảo tâm giấu tên",
	}

	pagodaNames = []string{
		"Linh Phước", "Bửu Lâm", "Phước Thạnh", "Long Hòa", "Thiên Phước", "Vĩnh Tràng",
		"Hội Phước", "Kim Quang", "Phước Hưng", "Bửu Quang", "Long Phước", "Tịnh Độ",
		"Phước Long", "Thanh Lương", "Hưng Long", "Linh Sơn", "Bửu Hưng", "An Phước",
		"Phổ Đà", "Long Thạnh", "Hòa Long", "Vạn Phước", "Giác Lâm", "Phước Hậu",
	}
	hamletFirst  = []string{"An", "Bình", "Hòa", "Long", "Tân", "Phú", "Mỹ", "Thạnh", "Phước", "Lợi", "Hưng", "Thuận", "Vĩnh", "Quới", "Trung", "Nhơn"}
	hamletSecond = []string{"Thạnh", "Hòa", "Phú", "Đông", "Tây", "Trung", "Lợi", "An", "Long", "Quới", "Hưng", "Thới", "Điền", "Lộc", "Nghĩa", "Hội"}
)

// personName returns a made-up personal name such as "Nguyễn Văn Hùng".
func personName(r *rng) string {
	if r.chance(0.55) {
		return pick(r, familyNames) + " " + pick(r, maleMiddle) + " " + pick(r, maleGiven)
	}
	return pick(r, familyNames) + " " + pick(r, femaleMiddle) + " " + pick(r, femaleGiven)
}

// businessName returns a made-up shop or company name.
func businessName(r *rng) string {
	return pick(r, businessKinds) + " " + pick(r, businessNames)
}

// organisations returns the mass organisations of a commune that raise
// money for its cameras.
func organisations(c *commune) []string {
	t := c.title()
	return []string{
		"Ủy ban Mặt trận Tổ quốc " + t,
		"Hội Nông dân " + t,
		"Đoàn Thanh niên " + t,
		"Hội Liên hiệp Phụ nữ " + t,
		"Hội Cựu chiến binh " + t,
	}
}

// hamlets returns n hamlet names ("Bình Hòa") for a commune, none of them
// in seen, which it updates: names stay unique across the district.
func hamlets(n int, r *rng, seen map[string]bool) []string {
	var out []string
	for len(out) < n {
		a, b := pick(r, hamletFirst), pick(r, hamletSecond)
		h := a + " " + b
		if a == b || seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	return out
}

// uniquePick picks a name of xs not in seen and marks it seen; once all
// are taken it allows repeats.
func uniquePick(r *rng, xs []string, seen map[string]bool) string {
	var free []string
	for _, x := range xs {
		if !seen[x] {
			free = append(free, x)
		}
	}
	if len(free) == 0 {
		return pick(r, xs)
	}
	x := pick(r, free)
	seen[x] = true
	return x
}

// compass names the direction of a heading in Vietnamese, for telling
// apart two cameras of one place: "hướng Đông Bắc".
func compass(deg int) string {
	words := []string{"Bắc", "Đông Bắc", "Đông", "Đông Nam", "Nam", "Tây Nam", "Tây", "Tây Bắc"}
	return "hướng " + words[((deg+22)%360)/45]
}

// kmName writes a chainage as Vietnamese road signs do: "Km 71+350".
func kmName(m int) string { return fmt.Sprintf("Km %d+%03d", m/1000, m%1000) }
