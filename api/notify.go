package api

import "github.com/matthan/matthan/camera"

// CameraObserver is told about every camera write after it is stored, so
// that the poller and the spatial index follow the registry without a
// restart. Implementations must not block.
type CameraObserver interface {
	CameraChanged(cams ...*camera.Camera)
	CameraRemoved(id string)
}

func (s *Server) notifyCameras(cams ...*camera.Camera) {
	for _, o := range s.observers {
		o.CameraChanged(cams...)
	}
}

func (s *Server) notifyRemoved(id string) {
	for _, o := range s.observers {
		o.CameraRemoved(id)
	}
}
