package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/matthan/matthan/camera"
)

// vnd reads an amount as the console writes it ("-1.234.567 ₫").
func vnd(t *testing.T, s string) int64 {
	t.Helper()
	neg := strings.HasPrefix(strings.TrimSpace(s), "-")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		t.Fatalf("not an amount: %q", s)
	}
	if neg {
		n = -n
	}
	return n
}

// statementSheet writes a bank statement as a workbook, the way a bank
// exports one: title rows, then the header, then the rows; and returns
// its path.
func statementSheet(t *testing.T, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]any{
		{"SAO KÊ TÀI KHOẢN — Ủy ban MTTQ xã Hòa Định"},
		{"Từ ngày 01/05/2024 đến ngày 31/05/2024"},
		{},
		{"received_on", "donor", "amount_vnd", "camera_id", "commune", "note", "public"},
	}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "sao-ke-2024-05.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// communeBalance reads a commune's balance on the funding page, by
// commune.
func communeBalance(b *browser, commune string) int64 {
	b.t.Helper()
	return vnd(b.t.(*testing.T), b.text(fmt.Sprintf(`#rows tbody tr[data-key=%q] td.balance`, commune)))
}

func TestConsoleFunds(t *testing.T) {
	d := startConsoleDemo(t)
	fund := d.accounts[camera.RoleFundraiser]
	const commune = "Hòa Định"

	// The sheet: a gift to one of the commune's cameras whose donor agrees
	// to be named, one to its pool, an amount with decimals, and a gift
	// the ledger holds already (the sample's).
	var cams struct{ Items []struct{ ID string } }
	unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/cameras?limit=1&commune="+url.QueryEscape(commune), d.token, "", nil), &cams)
	var stored struct {
		Items []struct {
			Donor      string
			AmountVND  int64  `json:"amount_vnd"`
			ReceivedOn string `json:"received_on"`
			CameraID   string `json:"camera_id"`
		}
	}
	unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/donations?limit=1&commune="+url.QueryEscape(commune), d.token, "", nil), &stored)
	if len(cams.Items) == 0 || len(stored.Items) == 0 {
		t.Fatalf("the demo has no camera or gift in %s", commune)
	}
	old := stored.Items[0]
	sheet := statementSheet(t, [][]any{
		{"02/05/2024", "Cửa hàng điện máy Hòa Định", 2_500_000, cams.Items[0].ID, "", "chuyển khoản", "có"},
		{"03/05/2024", "Trần Thị Mai", "1.200.000 ₫", "", "hoa dinh", "", ""},
		{"04/05/2024", "Lê Văn Tám", 1.5, cams.Items[0].ID, "", "", ""},
		{old.ReceivedOn, old.Donor, old.AmountVND, old.CameraID, "", "", ""},
	})
	const added = 2_500_000 + 1_200_000

	b := newBrowser(t, 390, 844)
	b.signIn(d.url, fund.Name, fund.Password)
	var before int64
	t.Run("the funding page shows every commune's balance", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/funding")
		b.shot("funding-phone")
		b.noHorizontalScroll("funding")
		before = communeBalance(b, commune)
		var api struct {
			Items []struct {
				BalanceVND int64 `json:"balance_vnd"`
			}
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/funding?group_by=commune&commune="+url.QueryEscape(commune), d.token, "", nil), &api)
		if len(api.Items) != 1 || api.Items[0].BalanceVND != before {
			t.Errorf("the page says %s's balance is %d, the API %+v", commune, before, api.Items)
		}
		// Still to fund is red.
		if before < 0 && !evalJS[bool](b, fmt.Sprintf(`document.querySelector('#rows tbody tr[data-key=%q] td.balance').classList.contains('neg')`, commune)) {
			t.Errorf("a negative balance is not marked")
		}
		if bars := evalJS[int](b, `document.querySelectorAll('#chart rect.vbar').length`); bars < 12 {
			t.Errorf("the chart of money over time has %d bars (see %s)", bars, b.shot("chart"))
		}
	})
	t.Run("import a statement: preview, then confirm", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/donations/import")
		b.run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{sheet}), chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#preview")))
		b.shot("import-preview")
		b.noHorizontalScroll("import preview")
		storedRows := evalJS[[]string](b, `[...document.querySelectorAll('#stored tbody tr')].map(r => r.dataset.line + ' ' + r.querySelector('th').textContent)`)
		if want := []string{"5 Cửa hàng điện máy Hòa Định", "6 Trần Thị Mai"}; !slices.Equal(storedRows, want) {
			t.Errorf("rows to store %q, want %q", storedRows, want)
		}
		refused := evalJS[[]string](b, `[...document.querySelectorAll('#refused tbody tr')].map(r => r.dataset.line + ' ' + r.querySelector('.reason').textContent)`)
		if len(refused) != 2 || !strings.HasPrefix(refused[0], "7 must be a whole number") || !strings.HasPrefix(refused[1], "8 repeats donation DN-") {
			t.Errorf("rows refused %q, want line 7 (decimals) and line 8 (a stored gift)", refused)
		}
		if got := b.text("#confirm"); !strings.Contains(got, "2 khoản") || !strings.Contains(got, "3.700.000 ₫") {
			t.Errorf("the confirm button says %q", got)
		}
		// Nothing is stored before the confirmation.
		if st := communeTotal(t, d, commune); st != before {
			t.Fatalf("the preview changed the balance: %d, was %d", st, before)
		}
		b.run(chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#result-text")))
		b.shot("import-done")
		if got := b.text("#result-text"); !strings.HasPrefix(got, "Đã lưu 2 khoản, tổng 3.700.000 ₫") {
			t.Errorf("result %q", got)
		}
		if n := evalJS[int](b, `document.querySelectorAll('#result-changed').length`); n != 0 {
			t.Errorf("the result says the ledger changed since the preview")
		}
	})
	t.Run("the commune's balance changes by what was imported", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/funding")
		if after := communeBalance(b, commune); after != before+added {
			t.Errorf("%s's balance %d after the import, want %d + %d (see %s)", commune, after, before, added, b.shot("balance"))
		}
	})
	t.Run("the same statement again stores nothing", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/donations/import")
		b.run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{sheet}), chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#preview")))
		if n := evalJS[int](b, `document.querySelectorAll('#stored tbody tr').length`); n != 0 || !evalJS[bool](b, `document.querySelector('#confirm').disabled`) {
			t.Errorf("a statement imported already previews %d rows to store", n)
		}
	})
	t.Run("a statement imported by someone else between preview and confirm", func(t *testing.T) {
		b := b.on(t)
		other := statementSheet(t, [][]any{{"05/05/2024", "Võ Văn Em", 300_000, "", "hoa dinh", "", ""}})
		b.open(d.url, "/donations/import")
		b.run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{other}), chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#preview")))
		if n := evalJS[int](b, `document.querySelectorAll('#stored tbody tr').length`); n != 1 {
			t.Fatalf("the preview would store %d rows, want 1", n)
		}
		// Someone else imports the same statement meanwhile.
		sheetBytes, err := os.ReadFile(other)
		if err != nil {
			t.Fatal(err)
		}
		mustCall(t, http.StatusOK, "POST", d.url+"/api/v1/donations/import", d.token, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sheetBytes)
		b.run(chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#result-changed")))
		b.shot("import-changed")
		if got := b.text("#result-text"); got != "Không có khoản nào được lưu." {
			t.Errorf("result %q, want nothing stored", got)
		}
		if refused := evalJS[[]string](b, `[...document.querySelectorAll('#refused tbody tr')].map(r => r.dataset.line)`); !slices.Equal(refused, []string{"5"}) {
			t.Errorf("the refusals shown are %v, want the import's own: line 5, stored meanwhile", refused)
		}
		if got := communeTotal(t, d, commune); got != before+added+300_000 {
			t.Errorf("balance %d, want %d: the gift counted once", got, before+added+300_000)
		}
	})
	t.Run("correct a gift: delete it with a reason", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/donations?commune="+url.QueryEscape(commune)+"&donor=tran+thi+mai")
		b.noHorizontalScroll("donations")
		ids := evalJS[[]string](b, `[...document.querySelectorAll('#list tbody tr')].map(r => r.dataset.id)`)
		if len(ids) != 1 {
			t.Fatalf("the ledger filtered to Trần Thị Mai in %s shows %v", commune, ids)
		}
		b.run(chromedp.Click(chromedp.CSS(`#list tbody tr [data-action=delete]`)), chromedp.WaitVisible(chromedp.CSS("#delete")),
			chromedp.Click(chromedp.CSS("#delete-confirm")), chromedp.WaitVisible(chromedp.CSS("#reason-error")))
		b.run(chromedp.SendKeys(chromedp.CSS("#reason"), "nhập nhầm xã"), chromedp.Click(chromedp.CSS("#delete-confirm")), chromedp.WaitNotVisible(chromedp.CSS("#delete")))
		if n := evalJS[int](b, `document.querySelectorAll('#list tbody tr').length`); n != 0 {
			t.Errorf("the deleted gift is still listed")
		}
		mustCall(t, http.StatusNotFound, "GET", d.url+"/api/v1/donations/"+ids[0], d.token, "", nil)
		if got := communeTotal(t, d, commune); got != before+2_500_000+300_000 {
			t.Errorf("balance after the deletion %d, want %d", got, before+2_500_000+300_000)
		}
	})
	t.Run("a cash gift entered by hand, and again", func(t *testing.T) {
		b := b.on(t)
		was := communeTotal(t, d, commune)
		b.open(d.url, "/donations")
		b.run(chromedp.Click(chromedp.CSS("#add summary")), chromedp.WaitVisible(chromedp.CSS("#add-donor")))
		b.noHorizontalScroll("donation form")
		// Nothing filled: each required field says so.
		b.run(chromedp.Click(chromedp.CSS("#add-submit")))
		b.waitJS(`!document.querySelector('#add-amount-error').hidden && !document.querySelector('#add-donor-error').hidden`)
		b.run(
			chromedp.SendKeys(chromedp.CSS("#add-donor"), "Bà Năm bán tạp hóa"),
			chromedp.SendKeys(chromedp.CSS("#add-amount"), "500.000 ₫"),
			chromedp.SetValue(chromedp.CSS("#add-commune"), commune),
			chromedp.Click(chromedp.CSS("#add-public")),
			chromedp.Click(chromedp.CSS("#add-submit")),
		)
		b.waitJS(giftSaved)
		b.shot("gift-entered")
		if got := communeTotal(t, d, commune); got != was+500_000 {
			t.Fatalf("balance %d after a gift of 500.000 ₫ by hand, want %d (see %s)", got, was+500_000, b.shot("gift"))
		}
		var list struct {
			Items []struct {
				Public   bool
				CameraID string `json:"camera_id"`
			}
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/donations?donor=ba+nam", d.token, "", nil), &list)
		if len(list.Items) != 1 || !list.Items[0].Public || list.Items[0].CameraID != "" {
			t.Errorf("the gift entered by hand: %+v, want one gift to the pool with consent", list.Items)
		}
		// The same again is a repeat, stored only when told so.
		b.run(
			chromedp.SendKeys(chromedp.CSS("#add-donor"), "Bà Năm bán tạp hóa"),
			chromedp.SendKeys(chromedp.CSS("#add-amount"), "500000"),
			chromedp.SetValue(chromedp.CSS("#add-commune"), commune),
			chromedp.Click(chromedp.CSS("#add-public")),
			chromedp.Click(chromedp.CSS("#add-submit")),
		)
		b.waitJS(`!document.querySelector('#add-anyway').hidden`)
		if got := b.text("#add-error"); !strings.Contains(got, "trùng với khoản đã có DN-") {
			t.Errorf("a repeat says %q", got)
		}
		b.run(chromedp.Click(chromedp.CSS("#add-anyway")))
		b.waitJS(giftSaved)
		if got := communeTotal(t, d, commune); got != was+1_000_000 {
			t.Errorf("balance %d after the second gift, told it is another, want %d", got, was+1_000_000)
		}
	})
	t.Run("the public statement names only the donors who agreed", func(t *testing.T) {
		pb := newBrowser(t, 390, 844) // nobody signed in
		pb.open(d.url, "/cong-khai/song-binh")
		pb.shot("public-phone")
		pb.noHorizontalScroll("public statement")
		if n := evalJS[int](pb, `document.querySelectorAll('#nav').length`); n != 0 {
			t.Errorf("the public page has the console's navigation")
		}
		var list struct {
			Items []struct {
				Donor  string
				Public bool
			}
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/donations?limit=1000&commune=song+binh", d.token, "", nil), &list)
		var want []string
		for _, g := range list.Items {
			if g.Public {
				want = append(want, g.Donor)
			} else {
				want = append(want, "Nhà hảo tâm")
			}
		}
		got := evalJS[[]string](pb, `[...document.querySelectorAll('#gifts tbody .donor')].map(td => td.textContent)`)
		if !slices.Equal(got, want) {
			t.Errorf("donors on the public statement:\n%q\nwant\n%q", got, want)
		}
		if !slices.ContainsFunc(got, func(s string) bool { return s != "Nhà hảo tâm" }) || !slices.Contains(got, "Nhà hảo tâm") {
			t.Errorf("the demo's statement should name some donors and hide others: %q", got)
		}
		body := evalJS[string](pb, `document.body.innerText`)
		for _, g := range list.Items {
			if !g.Public && strings.Contains(body, g.Donor) {
				t.Errorf("the public page shows %q, who did not agree", g.Donor)
			}
		}
		pb.open(d.url, "/cong-khai/hoa-dinh")
		if n := evalJS[int](pb, `document.querySelectorAll('#notfound').length`); n != 1 {
			t.Errorf("an unpublished commune's statement is shown (see %s)", pb.shot("unpublished"))
		}
		wide := newBrowser(t, 1280, 900)
		wide.open(d.url, "/cong-khai/song-binh")
		wide.shot("public-desktop")
	})
	t.Run("an admin publishes a commune from the funding page", func(t *testing.T) {
		admin := d.accounts[camera.RoleAdmin]
		ab := newBrowser(t, 1280, 900)
		ab.signIn(d.url, admin.Name, admin.Password)
		ab.open(d.url, "/funding")
		sel := fmt.Sprintf(`#public li[data-commune=%q]`, commune)
		ab.run(chromedp.Click(chromedp.CSS(sel+` [data-action=publish]`)), chromedp.WaitVisible(chromedp.CSS(sel+`[data-published="1"] a.publink`)))
		ab.shot("funding-desktop-admin")
		ab.open(d.url, "/cong-khai/hoa-dinh")
		if got := ab.text("#title"); got != "Công khai quỹ camera — "+commune {
			t.Errorf("the newly published statement's title %q", got)
		}
		// Its named donor is the one who agreed in the sheet.
		if got := evalJS[[]string](ab, `[...document.querySelectorAll('#gifts tbody tr.named .donor')].map(td => td.textContent)`); !slices.Equal(got, []string{"Cửa hàng điện máy Hòa Định", "Bà Năm bán tạp hóa", "Bà Năm bán tạp hóa"}) {
			t.Errorf("named donors of %s: %q", commune, got)
		}
	})
	t.Run("other roles are refused the fundraisers' pages", func(t *testing.T) {
		for _, role := range camera.Roles {
			acc := d.accounts[role]
			rb := newBrowser(t, 1280, 800)
			rb.signIn(d.url, acc.Name, acc.Password)
			rb.open(d.url, "/funding") // the section's entry; its tabs lead to the others
			nav := rb.links()
			may := role == camera.RoleAdmin || role == camera.RoleFundraiser
			for _, p := range []string{"/funding", "/donations", "/donations/import"} {
				if slices.Contains(nav, p) != may {
					t.Errorf("%s: navigation %v, %s listed: %v", role, nav, p, !may)
				}
				rb.open(d.url, p) // the error page, too, says when it is shown
				refused := evalJS[bool](rb, `document.body.classList.contains('page-error')`)
				if refused == may {
					t.Errorf("%s opening %s: refused %v", role, p, refused)
				}
			}
		}
	})
}

// communeTotal is a commune's balance from the API.
// giftSaved holds once the page has stored a gift entered by hand: the
// form is emptied only after the API answered 201. The flash that says so
// is no cue, since the list's reload may hide it before a poll sees it,
// nor is the repeat's button hiding, which happens before the request.
const giftSaved = `document.querySelector('#add-donor').value === '' && !document.querySelector('#add-submit').disabled`

func communeTotal(t *testing.T, d *consoleDemo, commune string) int64 {
	t.Helper()
	var api struct {
		Items []struct {
			BalanceVND int64 `json:"balance_vnd"`
		}
	}
	unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/funding?group_by=commune&commune="+url.QueryEscape(commune), d.token, "", nil), &api)
	if len(api.Items) != 1 {
		t.Fatalf("funding of %s: %+v", commune, api.Items)
	}
	return api.Items[0].BalanceVND
}
