package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The demo publishes one commune's public statement, so that a first look
// shows the page residents read without signing in. In it the gifts of
// organisations and businesses name their donor, as such donors usually
// agree to; residents' read "Nhà hảo tâm" (a benefactor), as they do until
// they agree. Both are done through the API with the demo's admin token,
// the way an admin and a fundraiser do them in the console.

// statementCommune is the commune whose statement the demo publishes:
// the commune of the demo's police account.
const statementCommune = "Song Bình"

// namedDonors are how the names of the donors who agree to be named
// begin: the commune's mass organisations, the district's companies and
// cooperatives, the shops. It is never written.
var namedDonors = []string{
	"Ủy ban ", "Hội ", "Đoàn ", "Công ty ", "Hợp tác xã ", "Ngân hàng ", "Doanh nghiệp ",
	"Cửa hàng ", "Tiệm ", "Nhà thuốc ", "Cơ sở ", "Vựa ", "Đại lý ", "Quán ",
}

// publishStatement records the consent of the named donors of
// statementCommune, publishes its statement and returns the path of its
// page and how many donors are named.
func publishStatement(ctx context.Context, api client) (path string, named int, err error) {
	call := func(method, target string, body []byte, out any) error {
		ctype := ""
		if body != nil {
			ctype = "application/json"
		}
		raw, err := api.call(ctx, method, target, ctype, body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, target, err)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(raw, out)
	}
	var list struct {
		Items []struct {
			ID, Donor string
		}
		Next string `json:"next_cursor"`
	}
	target := "/api/v1/donations?limit=1000&commune=" + url.QueryEscape(statementCommune)
	if err := call(http.MethodGet, target, nil, &list); err != nil {
		return "", 0, err
	}
	if list.Next != "" {
		return "", 0, fmt.Errorf("%s has more than 1000 gifts in the sample", statementCommune)
	}
	donors := map[string]bool{}
	for _, d := range list.Items {
		if !agreesToBeNamed(d.Donor) {
			continue
		}
		if err := call(http.MethodPatch, "/api/v1/donations/"+d.ID, []byte(`{"public":true}`), nil); err != nil {
			return "", 0, err
		}
		donors[d.Donor] = true
	}
	var pub struct{ Path string }
	if err := call(http.MethodPut, "/api/v1/statements/"+url.PathEscape(statementCommune), nil, &pub); err != nil {
		return "", 0, err
	}
	return pub.Path, len(donors), nil
}

// agreesToBeNamed reports whether a sample donor is one the demo names.
func agreesToBeNamed(donor string) bool {
	for _, p := range namedDonors {
		if strings.HasPrefix(donor, p) {
			return true
		}
	}
	return false
}

// printStatement tells where the public statement is.
func printStatement(w io.Writer, base, path string, named int) {
	fmt.Fprintf(w, "\nPublic statement of %s (no sign-in; %d donors agreed to be named): %s%s\n", statementCommune, named, base, path)
}
