package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// funders may open the fundraisers' pages: the roles of the donation
// and funding routes.
var funders = []camera.Role{camera.RoleAdmin, camera.RoleFundraiser}

// publicPage is a commune's public statement ("công khai"): the one page
// served without sign-in. Its script reads the one API route that needs
// no credentials, GET /api/v1/public/statements/{slug}, which answers 404
// for a commune whose statement an admin has not published.
var publicPage = page{name: "public-statement", path: "/cong-khai/:slug", title: "public.title"}

// publicStatement answers the public statement's page to anyone, signed
// in or not, alike: it shows what a donor sees, without the navigation,
// the name or the role of whoever opens it.
func (c *Console) publicStatement(ctx *gin.Context) {
	c.render(ctx, http.StatusOK, publicPage.name, &publicPage, nil, map[string]any{"slug": ctx.Param("slug")})
}
