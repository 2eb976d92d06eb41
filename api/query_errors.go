package api

import (
	"errors"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// queryParams are the query parameters that carry the parts of a query
// the store can refuse (registry.QueryError): the store names the part,
// the API the parameter.
var queryParams = map[registry.QueryPart]string{
	registry.QueryCursor:   "cursor",
	registry.QueryStart:    "from",
	registry.QueryEnd:      "to",
	registry.QuerySort:     "sort",
	registry.QueryGrouping: "group_by",
	registry.QueryCamera:   "camera_id",
	registry.QueryCategory: "category",
	registry.QueryRadius:   "radius_m",
	registry.QueryBox:      "bbox",
}

// paramError returns the error of a part of a query the store refused as
// an *camera.Error naming its query parameter, with the store's message;
// any other error as it is.
func paramError(err error) error {
	var qe *registry.QueryError
	if !errors.As(err, &qe) {
		return err
	}
	name, ok := queryParams[qe.Part]
	if !ok {
		return err
	}
	return &camera.Error{Code: qe.Err.Code, Field: name, Message: qe.Err.Message}
}
