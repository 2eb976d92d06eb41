package registry

import (
	"errors"

	"github.com/matthan/matthan/camera"
)

// QueryPart is a part of a question put to the store — a list, a view, a
// count — that the store can refuse: a cursor it did not hand out, a
// window that ends before it starts, a field it cannot sort by. The store
// names the part in its own terms; its caller names it to its user in
// theirs (the api package: by the query parameter that carried it).
type QueryPart int

// The parts of a query.
const (
	QueryCursor   QueryPart = iota + 1 // where a list or a view continues
	QueryStart                         // the start of a time window
	QueryEnd                           // the end of a time window
	QuerySort                          // the field to order rows by
	QueryGrouping                      // how a funding view groups its rows
	QueryCamera                        // the camera to keep
	QueryCategory                      // the category to keep
	QueryRadius                        // the radius of a place around a point
	QueryBox                           // the box a place must be in
)

var queryPartNames = [...]string{QueryCursor: "cursor", QueryStart: "start", QueryEnd: "end", QuerySort: "sort",
	QueryGrouping: "grouping", QueryCamera: "camera", QueryCategory: "category", QueryRadius: "radius", QueryBox: "box"}

// String names the part in the store's words, for logs.
func (p QueryPart) String() string {
	if p > 0 && int(p) < len(queryPartNames) {
		return queryPartNames[p]
	}
	return "query"
}

// QueryError refuses a part of a query. It wraps a *camera.Error of code
// EINVALID without a field: camera.ErrorCode says EINVALID and
// camera.ErrorMessage gives the message, meant for the person who asked;
// the caller names the part.
type QueryError struct {
	Part QueryPart
	Err  *camera.Error
}

// queryErrorf returns a *QueryError of part with a formatted message.
func queryErrorf(part QueryPart, format string, args ...any) error {
	return &QueryError{Part: part, Err: camera.Errorf(camera.EINVALID, "", format, args...)}
}

// Error implements the error interface.
func (e *QueryError) Error() string { return e.Part.String() + ": " + e.Err.Message }

// Unwrap returns the *camera.Error.
func (e *QueryError) Unwrap() error { return e.Err }

// QueryPartOf returns the part refused by the first *QueryError in err's
// chain, 0 when there is none.
func QueryPartOf(err error) QueryPart {
	var qe *QueryError
	if errors.As(err, &qe) {
		return qe.Part
	}
	return 0
}
