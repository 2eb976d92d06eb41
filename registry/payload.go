package registry

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/matthan/matthan/camera"
)

// Payloads in the log: JSON of the kind's payload type, gzipped when
// larger than compressAbove. Imports are most of the log's bytes, and
// every byte of a command is written by every etcd member, replicated,
// synced and sent to every node: records of cameras and donations shrink
// four to six times.
const compressAbove = 8 << 10

// zippedPayload is the form of a compressed payload: a JSON object whose
// one member, gzip, holds the gzipped JSON (base64, as encoding/json
// writes bytes). No payload type has a member named gzip.
type zippedPayload struct {
	Gzip []byte `json:"gzip"`
}

var zippedPrefix = []byte(`{"gzip":`)

// EncodePayload returns the payload of a command: p as JSON, compressed
// when large.
func EncodePayload(p any) ([]byte, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return compressPayload(data)
}

// compressPayload gzips data when it is larger than compressAbove.
func compressPayload(data []byte) ([]byte, error) {
	if len(data) <= compressAbove {
		return data, nil
	}
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(zippedPayload{Gzip: z.Bytes()})
}

// openPayload returns the JSON of a payload, uncompressed.
func openPayload(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, zippedPrefix) {
		return b, nil
	}
	var z zippedPayload
	if err := json.Unmarshal(b, &z); err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(z.Gzip))
	if err != nil {
		return nil, fmt.Errorf("gzipped payload: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gzipped payload: %w", err)
	}
	return out, nil
}

// DecodePayload reads a command's payload (EncodePayload's output) into
// v: what a node's observer of applied commands needs of one beside its
// outcome (the id of a deleted camera).
func DecodePayload(b []byte, v any) error {
	data, err := openPayload(b)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// EncodeCameraRecord returns the record of c as a camera import payload
// holds it (CameraImportPayload): what the taking node encodes once per
// row, to size the parts of a large import and to build them.
func EncodeCameraRecord(c *camera.Camera) ([]byte, error) {
	return CameraRecord{Camera: c}.MarshalJSON()
}

// CameraImportPayload returns the payload of a KindCameraImport whose
// rows are the records given (EncodeCameraRecord): the JSON of a
// CameraImport, built without encoding the rows again.
func CameraImportPayload(rows [][]byte, o ImportOptions, actor camera.Actor) ([]byte, error) {
	tail, err := json.Marshal(struct {
		Options ImportOptions `json:"options"`
		Actor   camera.Actor  `json:"actor"`
	}{o, actor})
	if err != nil {
		return nil, err
	}
	n := len(`{"cameras":[],`) + len(tail)
	for _, r := range rows {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"cameras":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(b, "],"...)
	b = append(b, tail[1:]...) // the members of tail, after the cameras
	return compressPayload(b)
}
