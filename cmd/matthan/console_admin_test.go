package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// setSelect chooses value in the <select> sel as a person does: the
// change event fires.
func (b *browser) setSelect(sel, value string) {
	b.t.Helper()
	ok := evalJS[bool](b, fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		if (!s) return false;
		s.value = %q;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.value === %q;
	})()`, sel, value, value))
	if !ok {
		b.t.Fatalf("no option %q in %s", value, sel)
	}
}

// confirm answers yes in the confirmation dialog.
func (b *browser) confirm() {
	b.t.Helper()
	b.run(chromedp.WaitVisible(chromedp.CSS("dialog.confirm [data-action=confirm]")), chromedp.Click(chromedp.CSS("dialog.confirm [data-action=confirm]")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog.confirm")))
}

// auditOf lists "action target actor" of the entries the API answers
// for query, newest first, following every page.
func auditOf(t *testing.T, d *consoleDemo, query string) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		var p struct {
			Items []registry.AuditEntry `json:"items"`
			Next  string                `json:"next_cursor"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/audit?"+query+"&limit=1000&cursor="+cursor, d.token, "", nil), &p)
		for _, e := range p.Items {
			out = append(out, e.Action+" "+e.Target+" "+e.Actor.Name)
		}
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
}

// TestConsoleAdmin: the administration's pages on a phone, against the
// demo daemon: a token made on the page works until it is revoked there;
// a user made on the page signs in, and resetting their password ends
// their session; the last admin is kept, with the refusal beside the
// control; the audit log filters as the API does; a backup downloads
// with the session and is then known as the last one; the settings show
// no secret.
func TestConsoleAdmin(t *testing.T) {
	d := startConsoleDemo(t)
	admin := d.accounts[camera.RoleAdmin]
	b := newBrowser(t, 390, 844)
	b.signIn(d.url, admin.Name, admin.Password)

	t.Run("a token made on the page works until it is revoked there", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/admin/tokens")
		b.noHorizontalScroll("tokens")
		const name = "Máy chủ báo cáo của huyện"
		b.run(chromedp.SendKeys(chromedp.CSS("#token-name"), name))
		b.setSelect("#token-role", "planner")
		b.run(chromedp.Click(chromedp.CSS("#token-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#token-secret")))
		b.shot("token-created")
		b.noHorizontalScroll("token created")
		secret := b.text("#token-secret")
		if !strings.HasPrefix(secret, registry.TokenPrefix) {
			t.Fatalf("the page shows %q as the secret", secret)
		}
		if w := b.text(".secret-warning"); !strings.Contains(w, "MỘT LẦN") {
			t.Errorf("the warning says %q", w)
		}
		// The secret is the token: a tool uses it as it is.
		mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/cameras?limit=1", secret, "", nil)
		id := registry.HashToken(secret)[:registry.TokenIDLen]
		row := fmt.Sprintf(`#tokens li[data-id="%s"]`, id)
		if got := b.text(row + " .expiry"); !strings.HasPrefix(got, "lúc ") {
			t.Errorf("expiry of the new token: %q, want a time 90 days on", got)
		}
		// Shown once: the list never has it, nor the page once reloaded.
		b.open(d.url, "/admin/tokens")
		if html := evalJS[string](b, `document.documentElement.outerHTML`); strings.Contains(html, secret) {
			t.Errorf("the secret is on the page after a reload")
		}
		b.run(chromedp.Click(chromedp.CSS(row + " [data-action=revoke]")))
		b.shot("token-revoke-confirm")
		b.confirm()
		b.run(chromedp.WaitNotPresent(chromedp.CSS(row)))
		if status, body := call(t, "GET", d.url+"/api/v1/cameras?limit=1", secret, "", nil); status != http.StatusUnauthorized {
			t.Errorf("a revoked token: %d %s, want 401", status, body)
		}
		if got := auditOf(t, d, "action=token.revoke"); len(got) == 0 || got[0] != "token.revoke "+name+" "+admin.Name {
			t.Errorf("audit of the revocation: %q", got)
		}
	})

	var password string
	const user = "ca.xuandong"
	t.Run("a user made on the page signs in", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/admin/users")
		b.noHorizontalScroll("users")
		b.run(chromedp.SendKeys(chromedp.CSS("#new-name"), user), chromedp.SendKeys(chromedp.CSS("#new-full"), "Công an xã Xuân Đông"))
		b.run(chromedp.Click(chromedp.CSS("#user-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#new-user-password")))
		b.shot("user-created")
		password = b.text("#new-user-password")
		if len(password) != 29 {
			t.Errorf("generated password %q: want six groups of four", password)
		}
		b.run(chromedp.WaitVisible(chromedp.CSS(`#users li[data-name="` + user + `"]`)))
		u := newBrowser(t, 390, 844)
		u.signIn(d.url, user, password)
		if got := evalJS[string](u, `document.querySelector('.who-name').textContent`); got != "Công an xã Xuân Đông" {
			t.Errorf("signed in as %q", got)
		}
	})

	t.Run("resetting the password ends the user's session", func(t *testing.T) {
		if password == "" {
			t.Skip("no user was made")
		}
		u := newBrowser(t, 390, 844)
		u.signIn(d.url, user, password)
		b := b.on(t)
		b.open(d.url, "/admin/users")
		row := `#users li[data-name="` + user + `"]`
		b.run(chromedp.Click(chromedp.CSS(row+" [data-action=reset]")), chromedp.Click(chromedp.CSS(row+" [data-action=reset-confirm]")),
			chromedp.WaitVisible(chromedp.CSS(row+" #reset-password")))
		b.shot("password-reset")
		fresh := b.text(row + " #reset-password")
		if fresh == password || len(fresh) != 29 {
			t.Errorf("new password %q", fresh)
		}
		// The user's next page goes to sign-in; the new password works.
		u.goTo(d.url + "/map")
		u.run(chromedp.WaitVisible(chromedp.CSS("#login-form")))
		if loc := u.location(); !strings.HasPrefix(loc, "/login") {
			t.Errorf("after the reset the user is on %s", loc)
		}
		u.signIn(d.url, user, fresh)
	})

	t.Run("the last admin is kept, the refusal beside the control", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/admin/users")
		row := `#users li[data-name="` + admin.Name + `"]`
		b.setSelect(row+" select.role", "planner")
		b.run(chromedp.Click(chromedp.CSS(row+" [data-action=role]")), chromedp.WaitVisible(chromedp.CSS(row+` [data-error-for=role]`)))
		if got := b.text(row + " [data-error-for=role]"); !strings.Contains(got, "last enabled admin") || !strings.HasPrefix(got, "Không thực hiện được") {
			t.Errorf("beside the role: %q", got)
		}
		b.run(chromedp.Click(chromedp.CSS(row + " [data-action=disable]")))
		b.confirm()
		b.run(chromedp.WaitVisible(chromedp.CSS(row + ` [data-error-for=disabled]`)))
		b.shot("last-admin")
		if got := b.text(row + " [data-error-for=disabled]"); !strings.Contains(got, "last enabled admin") {
			t.Errorf("beside disabling: %q", got)
		}
		var me camera.User
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/users/"+admin.Name, d.token, "", nil), &me)
		if me.Role != camera.RoleAdmin || me.Disabled {
			t.Errorf("the last admin is now %+v", me)
		}
	})

	t.Run("the audit log filters as the API does", func(t *testing.T) {
		b := b.on(t)
		entries := func() []string {
			return evalJS[[]string](b, `[...document.querySelectorAll('#audit > li')].map(li => li.dataset.action + ' ' + (li.querySelector('.target') ? li.querySelector('.target').textContent : '') + ' ' + li.querySelector('.entry-actor').textContent)`)
		}
		b.open(d.url, "/admin/audit?action=user.*,token.*")
		b.shot("audit")
		b.noHorizontalScroll("audit")
		if got, want := entries(), auditOf(t, d, "action="+url.QueryEscape("user.*,token.*")); !slices.Equal(got, want) || len(want) < 4 {
			t.Errorf("the page lists %q, the API %q", got, want)
		}
		// The form: who, what, and a day range in the daemon's zone.
		// The day of the password reset, in the daemon's zone.
		var resets struct {
			Items []registry.AuditEntry `json:"items"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/audit?action=user.update&limit=1", d.token, "", nil), &resets)
		if len(resets.Items) == 0 {
			t.Fatal("no user.update in the audit log")
		}
		today := resets.Items[0].At.In(hoChiMinh(t)).Format(time.DateOnly)
		b.run(chromedp.Click(chromedp.CSS("[data-action=clear]")), chromedp.WaitVisible(chromedp.CSS("#audit > li")))
		b.run(chromedp.SendKeys(chromedp.CSS("#f-actor"), "QUANTRI"), chromedp.SendKeys(chromedp.CSS("#f-action"), "user.update"),
			chromedp.SetValue(chromedp.CSS("#f-from"), today), chromedp.SetValue(chromedp.CSS("#f-to"), today),
			chromedp.Click(chromedp.CSS("#audit-form button[type=submit]")))
		want := auditOf(t, d, "actor=quantri&action=user.update&from="+today+"&to="+today)
		deadline := time.Now().Add(browserDeadline)
		for !slices.Equal(entries(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("the filtered page lists %q, the API %q (see %s)", entries(), want, b.shot("audit-filtered"))
			}
			pause(t, 100*time.Millisecond)
		}
		if !slices.Contains(want, "user.update "+user+" "+admin.Name) {
			t.Errorf("the filter found %q: want the password reset of %s", want, user)
		}
		if q := evalJS[string](b, `location.search`); !strings.Contains(q, "actor=QUANTRI") || !strings.Contains(q, "from="+today) {
			t.Errorf("the address keeps %q", q)
		}
		// A bad filter is refused beside its field.
		b.run(chromedp.SetValue(chromedp.CSS("#f-action"), "User.Create"), chromedp.Click(chromedp.CSS("#audit-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(`[data-error-for=action]`)))
		if got := b.text("[data-error-for=action]"); !strings.HasPrefix(got, "Bộ lọc không hợp lệ") || !strings.Contains(got, "User.Create") {
			t.Errorf("beside the action: %q", got)
		}
	})

	t.Run("a backup downloads with the session and is then the last one", func(t *testing.T) {
		b := b.on(t)
		dir := t.TempDir()
		b.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
			return err
		}))
		b.open(d.url, "/admin/backup")
		b.noHorizontalScroll("backup")
		if got := b.text("#last-backup"); got != "Chưa có lần sao lưu nào được ghi nhận." {
			t.Errorf("before any backup: %q", got)
		}
		b.run(chromedp.Click(chromedp.CSS("#backup-download")))
		var file string
		deadline := time.Now().Add(browserDeadline)
		for file == "" {
			matches, _ := filepath.Glob(filepath.Join(dir, "matthan-*.db"))
			if len(matches) == 1 {
				file = matches[0]
			} else if time.Now().After(deadline) {
				entries, _ := os.ReadDir(dir)
				t.Fatalf("no backup downloaded in %s: %v (see %s)", browserDeadline, entries, b.shot("backup"))
			} else {
				pause(t, 100*time.Millisecond)
			}
		}
		// The page finds the backup in the log once the last byte is out.
		b.run(chromedp.WaitVisible(chromedp.CSS("#backups li[data-seq]")))
		b.shot("backup-done")
		if got := b.text("#last-backup"); !strings.Contains(got, "bởi "+admin.Name) {
			t.Errorf("after the download: %q", got)
		}
		store, err := registry.Open(file, registry.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("the downloaded backup does not open: %v", err)
		}
		if err := store.Check(); err != nil {
			t.Errorf("the downloaded backup: %v", err)
		}
		store.Close()
		metrics := string(mustCall(t, http.StatusOK, "GET", d.url+"/metrics", "", "", nil))
		if !strings.Contains(metrics, "\nmatthan_backup_last_success_timestamp_seconds ") {
			t.Errorf("no metric of the last backup after the page's download")
		}
	})

	t.Run("the settings show no secret", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/admin/settings")
		b.shot("settings")
		b.noHorizontalScroll("settings")
		var api settingsAnswer
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/settings", d.token, "", nil), &api)
		var want []string
		for _, s := range api.Settings {
			want = append(want, s.Key)
		}
		got := evalJS[[]string](b, `[...document.querySelectorAll('.setting[data-key]')].map(r => r.dataset.key)`)
		if !slices.Equal(got, want) || len(want) < 40 {
			t.Errorf("the page shows keys %q, the API %q", got, want)
		}
		if got := b.text(`.setting[data-key=listen] .value`); got != "127.0.0.1:0" { // as the demo was started
			t.Errorf("listen shows %q", got)
		}
		html := evalJS[string](b, `document.documentElement.outerHTML`)
		noSecrets(t, "the settings page", []byte(html), d.token, admin.Password)
	})

	t.Run("on a desk", func(t *testing.T) {
		w := newBrowser(t, 1280, 800)
		w.signIn(d.url, admin.Name, admin.Password)
		for _, p := range []string{"users", "tokens", "audit", "backup", "settings"} {
			w.open(d.url, "/admin/"+p)
			w.shot("desk-" + p)
			w.noHorizontalScroll(p)
			// The administration is one entry of the navigation, marked
			// as current on each of its pages.
			if cur := evalJS[string](w, `(document.querySelector('#nav a[aria-current=page]') || {}).textContent || ''`); cur != "Quản trị" {
				t.Errorf("/admin/%s: the current entry of the navigation is %q", p, cur)
			}
		}
	})

	t.Run("in English", func(t *testing.T) {
		b := b.on(t)
		b.goTo(d.url + "/lang/en?next=/admin/tokens")
		b.run(chromedp.WaitVisible(chromedp.CSS("body[data-ready]")))
		if got := b.text("h1"); got != "API tokens" {
			t.Errorf("heading %q", got)
		}
		b.goTo(d.url + "/lang/vi?next=/admin/users")
		b.run(chromedp.WaitVisible(chromedp.CSS("body[data-ready]")))
	})
}
