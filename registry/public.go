package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// Public statements. In Vietnam donors expect a public statement of the
// money ("sao kê"): what came in, what it bought, what is left. An admin
// publishes one per commune; its page is the one thing the daemon shows
// without sign-in. Nothing is published until an admin says so.
//
// Layout: "public_communes": folded commune → the Publication as JSON. A
// district publishes a few dozen communes at most.

// Publication is a commune whose public statement is on.
type Publication struct {
	// Commune is the commune's canonical spelling when it was published.
	Commune string `json:"commune"`
	// Slug names the statement in its address: /cong-khai/{slug}
	// (vntext.Slug of the commune).
	Slug        string       `json:"slug"`
	PublishedAt time.Time    `json:"published_at"`
	PublishedBy camera.Actor `json:"published_by"`
}

// Publish turns on the public statement of a commune that has cameras,
// by its name (accents and case aside) or as a commune filter names it
// ("song binh", "TT. Chợ Gạo"), and
// returns its publication; created is false when it was on already (the
// publication is then unchanged). A name that matches no commune with
// cameras is EINVALID naming commune, and so is one that matches several
// ("Chợ Gạo" when there is a town and a commune of that name: give the
// whole name). A commune whose slug another published commune has is
// ECONFLICT. Audited as "public.publish".
func (s *Store) Publish(ctx context.Context, commune string, actor camera.Actor) (pub Publication, created bool, err error) {
	if err := ctx.Err(); err != nil {
		return pub, false, err
	}
	filter := vntext.NewCommuneFilter(commune)
	if filter.Empty() {
		return pub, false, camera.Errorf(camera.EINVALID, "commune", "is required")
	}
	err = s.update(func(tx *bolt.Tx) error {
		names, _, err := readCommuneNames(tx, s.folds)
		if err != nil {
			return err
		}
		canon := pickCommune(names, commune, filter)
		switch len(canon) {
		case 0:
			return camera.Errorf(camera.EINVALID, "commune", "no camera is in a commune named %q", commune)
		case 1:
		default:
			return camera.Errorf(camera.EINVALID, "commune", "%q names %d communes (%s): give the whole name", commune, len(canon), strings.Join(canon, ", "))
		}
		name := canon[0]
		fold := vntext.Fold(name)
		b := tx.Bucket(bucketPublic)
		if v := b.Get([]byte(fold)); v != nil {
			return json.Unmarshal(v, &pub)
		}
		pub = Publication{Commune: name, Slug: vntext.Slug(name), PublishedAt: s.now().UTC(), PublishedBy: actor}
		if pub.Slug == "" {
			return camera.Errorf(camera.EINVALID, "commune", "%q has no letter or digit to make an address of", name)
		}
		err = eachPublication(tx, func(other Publication) error {
			if other.Slug == pub.Slug {
				return camera.Errorf(camera.ECONFLICT, "commune", "the statement of %s has the same address (/cong-khai/%s): unpublish it first", other.Commune, pub.Slug)
			}
			return nil
		})
		if err != nil {
			return err
		}
		v, err := json.Marshal(pub)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(fold), v); err != nil {
			return err
		}
		created = true
		return appendAudit(tx, pub.PublishedAt, actor, "public.publish", name, []string{"slug: " + pub.Slug})
	})
	return pub, created, err
}

// pickCommune returns the canonical spelling of the commune with
// cameras named exactly so (accents and case aside), or else those of
// the communes filter names, sorted.
func pickCommune(names *communeNames, name string, filter vntext.CommuneFilter) []string {
	if c, ok := names.canon[vntext.Fold(name)]; ok {
		return []string{c}
	}
	var out []string
	for _, name := range names.canon {
		if filter.Match(name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Unpublish turns off the public statement of a commune, named by its
// slug or as Publish names it, and returns the publication it removed.
// A commune that is not published is ENOTFOUND. Audited as
// "public.unpublish". The statement is gone at once: PublicStatement
// reads the publication on every call.
func (s *Store) Unpublish(ctx context.Context, commune string, actor camera.Actor) (Publication, error) {
	var pub Publication
	if err := ctx.Err(); err != nil {
		return pub, err
	}
	filter := vntext.NewCommuneFilter(commune)
	err := s.update(func(tx *bolt.Tx) error {
		var found []Publication
		err := eachPublication(tx, func(p Publication) error {
			if p.Slug == commune || filter.Match(p.Commune) {
				found = append(found, p)
			}
			return nil
		})
		switch {
		case err != nil:
			return err
		case len(found) == 0:
			return camera.Errorf(camera.ENOTFOUND, "commune", "the statement of %q is not published", commune)
		case len(found) > 1:
			return camera.Errorf(camera.EINVALID, "commune", "%q names %d published communes: give the slug", commune, len(found))
		}
		pub = found[0]
		if err := tx.Bucket(bucketPublic).Delete([]byte(vntext.Fold(pub.Commune))); err != nil {
			return err
		}
		return appendAudit(tx, s.now().UTC(), actor, "public.unpublish", pub.Commune, []string{"slug: " + pub.Slug})
	})
	return pub, err
}

// Publications returns the communes whose statement is on, in the order
// of their folded names.
func (s *Store) Publications(ctx context.Context) ([]Publication, error) {
	var out []Publication
	err := s.view(func(tx *bolt.Tx) error {
		return eachPublication(tx, func(p Publication) error {
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// PublicationBySlug returns the publication whose slug is slug, or
// ENOTFOUND: the one lookup an unauthenticated request makes before
// anything else.
func (s *Store) PublicationBySlug(ctx context.Context, slug string) (Publication, error) {
	var pub Publication
	if err := ctx.Err(); err != nil {
		return pub, err
	}
	found := false
	err := s.view(func(tx *bolt.Tx) error {
		return eachPublication(tx, func(p Publication) error {
			if p.Slug == slug {
				pub, found = p, true
			}
			return nil
		})
	})
	if err == nil && !found {
		err = camera.Errorf(camera.ENOTFOUND, "slug", "no public statement at this address")
	}
	return pub, err
}

// eachPublication calls fn with every publication, in key order.
func eachPublication(tx *bolt.Tx, fn func(Publication) error) error {
	b, err := derivedBucket(tx, bucketPublic)
	if err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		var p Publication
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("publication %q: %w", k, err)
		}
		return fn(p)
	})
}
