package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
)

// TestConsoleTips: on a phone, the police open Tin báo from the Vụ việc
// section and read the district's second table off the demo (165 tips:
// 15 criminal cases with 17 people, 24 administrative with 40, 25 people
// educated), then the tips, newest first, filtered by outcome; no
// informant's name is anywhere in the page. Planners and fundraisers get
// no such page and no link to it.
func TestConsoleTips(t *testing.T) {
	d := startConsoleDemo(t)
	var informants []string
	var tips []struct {
		Informant *struct{ Name, Phone string }
	}
	if err := json.Unmarshal(sample.Tips(), &tips); err != nil {
		t.Fatal(err)
	}
	for _, tp := range tips {
		if tp.Informant != nil {
			informants = append(informants, tp.Informant.Name, tp.Informant.Phone)
		}
	}

	police := d.accounts[camera.RolePolice]
	b := newBrowser(t, 390, 844)
	b.signIn(d.url, police.Name, police.Password)
	b.open(d.url, "/incidents")
	if !slices.Contains(b.links(), "/tips") {
		t.Fatalf("the Vụ việc section does not link Tin báo: %v", b.links())
	}
	b.open(d.url, "/tips")
	if got := b.text("h1"); got != "Tin báo tố giác" {
		t.Errorf("heading %q, want Vietnamese first", got)
	}
	for sel, want := range map[string]string{
		`#cards [data-stat=tips] .value`:           "165",
		`#cards [data-stat=criminal] .value`:       "15 vụ, 17 người",
		`#cards [data-stat=administrative] .value`: "24 vụ, 40 người",
		`#cards [data-stat=education] .value`:      "25 người",
		`#outcomes tfoot`:                          "Tổng\t165\t82",
	} {
		if got := b.text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	rows := evalJS[[]string](b, `[...document.querySelectorAll('#outcomes tbody tr')].map(r => r.dataset.outcome + ' ' + [...r.cells].slice(1).map(c => c.textContent).join(' '))`)
	if want := []string{"criminal 15 17", "administrative 24 40", "education 20 25", "unfounded 60 0", "pending 46 0"}; !slices.Equal(rows, want) {
		t.Errorf("outcome rows %v, want %v", rows, want)
	}
	b.waitJS(`document.querySelectorAll('#list li').length === 20`)
	if got := b.text("#count"); got != "20 tin báo đầu tiên" {
		t.Errorf("count %q", got)
	}
	b.noHorizontalScroll("tips")
	b.shot("tips-phone")
	wide := newBrowser(t, 1280, 800)
	wide.signIn(d.url, police.Name, police.Password)
	wide.open(d.url, "/tips")
	wide.waitJS(`document.querySelectorAll('#list li').length === 20`)
	wide.shot("tips-desktop")

	// Filtered by outcome: the 15 tips that became criminal cases.
	b.setSelect("#f-outcome", "criminal")
	b.waitJS(`document.querySelectorAll('#list li').length === 15 && [...document.querySelectorAll('#list li')].every(li => li.dataset.outcome === 'criminal')`)
	if got := b.text("#count"); got != "15 tin báo" {
		t.Errorf("count of the criminal tips %q", got)
	}
	html := do(b, chromedp.OuterHTML(chromedp.CSS("html")))
	for _, secret := range informants {
		if strings.Contains(html, secret) {
			t.Fatalf("the page shows an informant's detail %q…", secret[:min(4, len(secret))])
		}
	}
	if !strings.Contains(html, "Có thông tin người báo (đã mã hóa)") {
		t.Error("no tip says it has a sealed informant")
	}

	for _, role := range []camera.Role{camera.RolePlanner, camera.RoleFundraiser} {
		t.Run(string(role), func(t *testing.T) {
			acc := d.accounts[role]
			b := newBrowser(t, 1280, 800)
			b.signIn(d.url, acc.Name, acc.Password)
			if st := b.openStatus(d.url + "/tips"); st != http.StatusForbidden {
				t.Errorf("GET /tips as %s: %d, want 403", role, st)
			}
			b.open(d.url, "/incidents/counts")
			if slices.Contains(b.links(), "/tips") {
				t.Errorf("%s's links offer /tips: %v", role, b.links())
			}
		})
	}
}
