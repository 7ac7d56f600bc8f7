package protocol

import (
	"encoding/json"
	"fmt"
)

// marshalTagged encodes v's fields with a leading "type" tag.
func marshalTagged(tag string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	t, err := json.Marshal(tag)
	if err != nil {
		return nil, err
	}
	if string(body) == "{}" || string(body) == "null" {
		return []byte(`{"type":` + string(t) + `}`), nil
	}
	out := make([]byte, 0, len(body)+len(t)+9)
	out = append(out, `{"type":`...)
	out = append(out, t...)
	out = append(out, ',')
	out = append(out, body[1:]...)
	return out, nil
}

// readTag returns the "type" field of a JSON object.
func readTag(b []byte) (string, error) {
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", err
	}
	if head.Type == nil {
		return "", fmt.Errorf("missing \"type\" field")
	}
	return *head.Type, nil
}
