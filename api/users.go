package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// UserStore is what the user routes need: the people who sign in to the
// console, managed by admins.
type UserStore interface {
	CreateUser(ctx context.Context, u *camera.User, password string, actor camera.Actor) error
	GetUser(ctx context.Context, name string) (*camera.User, error)
	ListUsers(ctx context.Context, after string, limit int) ([]camera.User, string, error)
	UpdateUser(ctx context.Context, name string, ch registry.UserChange, actor camera.Actor) (*camera.User, error)
}

var _ UserStore = (*registry.Store)(nil)

// userInput is the JSON of a new user, or (every field optional) of a
// change to one.
type userInput struct {
	Name     *string      `json:"name"`
	FullName *string      `json:"full_name"`
	Role     *camera.Role `json:"role"`
	Password *string      `json:"password"`
	Disabled *bool        `json:"disabled"`
}

// createUser adds a person who signs in with a password. The password
// is never answered back.
func (s *Server) createUser(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	var in userInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	switch {
	case in.Name == nil:
		s.writeError(c, invalid("name", "is required"))
		return
	case in.Role == nil:
		s.writeError(c, invalid("role", "is required: admin, police, planner or fundraiser"))
		return
	case in.Password == nil:
		s.writeError(c, invalid("password", "is required"))
		return
	case in.Disabled != nil:
		s.writeError(c, invalid("disabled", "cannot be set on a new user"))
		return
	}
	u := &camera.User{Name: *in.Name, Role: *in.Role}
	if in.FullName != nil {
		u.FullName = *in.FullName
	}
	if err := s.users.CreateUser(c, u, *in.Password, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusCreated, u)
}

// listUsers answers the users in name order, a page at a time.
func (s *Server) listUsers(c *gin.Context) {
	q, err := checkQuery(c, "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.users.ListUsers(c, after, limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []camera.User{}
	}
	ok(c, http.StatusOK, page[camera.User]{Items: items, NextCursor: encodeCursor(next)})
}

func (s *Server) getUser(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.users.GetUser(c, c.Param("name"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, u)
}

// patchUser changes a user's full name, role, password or whether they
// may sign in. A new password or disabling ends their sessions.
func (s *Server) patchUser(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	var in userInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.Name != nil && camera.NormalizeUserName(*in.Name) != camera.NormalizeUserName(c.Param("name")) {
		s.writeError(c, invalid("name", "cannot be changed: create a new user and disable this one"))
		return
	}
	u, err := s.users.UpdateUser(c, c.Param("name"), registry.UserChange{FullName: in.FullName, Role: in.Role, Disabled: in.Disabled, Password: in.Password}, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, u)
}
