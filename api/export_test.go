package api

import "context"

// SetLayerHook sets the function a layer import calls at its stages:
// "read" (the body is read), "built" (the layer is built aside, not yet
// stored nor swapped in) and "end" (the handler is returning). Set it
// before the server takes requests.
func SetLayerHook(s *Server, hook func(ctx context.Context, layer, stage string)) { s.layerHook = hook }
