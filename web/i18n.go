package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

// Languages of the console: Vietnamese first, English on a switch.
const (
	langVI      = "vi"
	langEN      = "en"
	defaultLang = langVI
	// langCookie keeps the switch's choice. It is a preference, not a
	// credential: readable by the page's script, sent on every request.
	langCookie = "matthan_lang"
)

var languages = []string{langVI, langEN}

// catalogues are the console's texts by language, then key.
type catalogues map[string]map[string]string

// loadCatalogues reads i18n/<lang>/*.json — one file per area of the
// console, so that pages added side by side do not edit one file — and
// checks that no key is in two files and that every language has the
// same keys as Vietnamese: a text missing in one language would show its
// key to a user.
func loadCatalogues(fsys fs.FS) (catalogues, error) {
	cs := catalogues{}
	for _, lang := range languages {
		files, err := fs.Glob(fsys, "i18n/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("i18n/%s: no catalogue", lang)
		}
		m := map[string]string{}
		from := map[string]string{}
		for _, name := range files {
			raw, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(raw, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range part {
				if prev, dup := from[k]; dup {
					return nil, fmt.Errorf("%s: %q is in %s too", name, k, prev)
				}
				m[k], from[k] = v, name
			}
		}
		cs[lang] = m
	}
	for _, lang := range languages[1:] {
		for k := range cs[defaultLang] {
			if _, ok := cs[lang][k]; !ok {
				return nil, fmt.Errorf("i18n/%s: no text for %q", lang, k)
			}
		}
		for k := range cs[lang] {
			if _, ok := cs[defaultLang][k]; !ok {
				return nil, fmt.Errorf("i18n/%s: %q is not in i18n/%s", lang, k, defaultLang)
			}
		}
	}
	return cs, nil
}

// text returns the text of key in lang with {name} placeholders filled
// from args (name, value, name, value...). An unknown key comes back as
// itself, so that a missing text is visible rather than blank.
func (cs catalogues) text(lang, key string, args ...any) string {
	s, ok := cs[lang][key]
	if !ok {
		return key
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

// langOf returns the language a request asks for: the switch's cookie,
// else Vietnamese. Accept-Language is not consulted: a phone set to
// English in a Vietnamese commune office still gets the Vietnamese
// console, and English is one tap away.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range languages {
			if c.Value == l {
				return l
			}
		}
	}
	return defaultLang
}
