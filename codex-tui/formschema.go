package tui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// formField is one field of an MCP elicitation form, read from the
// requested schema's properties (MCP's primitive schemas: string, number
// or integer, boolean, and single-select enums).
type formField struct {
	name, title, desc string
	// kind is "string", "number", "integer", "boolean", "enum", or
	// "unsupported" (a multi-select array, which the form cannot fill).
	kind     string
	required bool
	// options are an enum's values and their labels.
	options []formOption
	min     *float64
	max     *float64
	minLen  *int
	maxLen  *int
	format  string // email, uri, date, date-time
	def     json.RawMessage
}

type formOption struct{ value, label string }

// label is the field's name as shown: its title, else its key.
func (f formField) label() string {
	if f.title != "" {
		return f.title
	}
	return f.name
}

// parseFormSchema reads the fields of a requested schema in the order
// the server wrote them.
func parseFormSchema(raw json.RawMessage) ([]formField, error) {
	var s struct {
		Properties json.RawMessage `json:"properties"`
		Required   []string        `json:"required"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("requested schema: %w", err)
	}
	names, props, err := orderedObject(s.Properties)
	if err != nil {
		return nil, fmt.Errorf("requested schema properties: %w", err)
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	fields := make([]formField, 0, len(names))
	for i, name := range names {
		var p struct {
			Type        string   `json:"type"`
			Title       string   `json:"title"`
			Description string   `json:"description"`
			Enum        []string `json:"enum"`
			EnumNames   []string `json:"enumNames"`
			OneOf       []struct{ Const, Title string }
			Default     json.RawMessage `json:"default"`
			Minimum     *float64        `json:"minimum"`
			Maximum     *float64        `json:"maximum"`
			MinLength   *int            `json:"minLength"`
			MaxLength   *int            `json:"maxLength"`
			Format      string          `json:"format"`
		}
		if err := json.Unmarshal(props[i], &p); err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		f := formField{name: name, title: p.Title, desc: p.Description, kind: p.Type, required: required[name],
			min: p.Minimum, max: p.Maximum, minLen: p.MinLength, maxLen: p.MaxLength, format: p.Format, def: p.Default}
		switch {
		case p.Type == "string" && len(p.OneOf) > 0:
			f.kind = "enum"
			for _, o := range p.OneOf {
				f.options = append(f.options, formOption{o.Const, firstNonEmpty(o.Title, o.Const)})
			}
		case p.Type == "string" && len(p.Enum) > 0:
			f.kind = "enum"
			for j, v := range p.Enum {
				label := v
				if j < len(p.EnumNames) && p.EnumNames[j] != "" {
					label = p.EnumNames[j]
				}
				f.options = append(f.options, formOption{v, label})
			}
		case p.Type == "string", p.Type == "number", p.Type == "integer", p.Type == "boolean":
		default:
			f.kind = "unsupported"
		}
		fields = append(fields, f)
	}
	return fields, nil
}

// orderedObject splits a JSON object into its keys, in order, and values.
func orderedObject(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return nil, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, errors.New("not an object")
	}
	var names []string
	var vals []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		names, vals = append(names, name), append(vals, v)
	}
	return names, vals, nil
}

// parseText checks typed text against a string, number or integer
// field: the value to send, or (nil, nil) for an optional field left
// empty, or what is wrong.
func (f formField) parseText(text string) (any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		if f.required {
			return nil, errors.New("this field is required")
		}
		return nil, nil
	}
	switch f.kind {
	case "number", "integer":
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		if f.kind == "integer" && v != math.Trunc(v) {
			return nil, fmt.Errorf("%q is not a whole number", text)
		}
		if f.min != nil && v < *f.min {
			return nil, fmt.Errorf("must be at least %s", fmtNum(*f.min))
		}
		if f.max != nil && v > *f.max {
			return nil, fmt.Errorf("must be at most %s", fmtNum(*f.max))
		}
		if f.kind == "integer" {
			return int64(v), nil
		}
		return v, nil
	}
	n := utf8.RuneCountInString(text)
	if f.minLen != nil && n < *f.minLen {
		return nil, fmt.Errorf("must be at least %d characters", *f.minLen)
	}
	if f.maxLen != nil && n > *f.maxLen {
		return nil, fmt.Errorf("must be at most %d characters", *f.maxLen)
	}
	if err := checkFormat(f.format, text); err != nil {
		return nil, err
	}
	return text, nil
}

// checkFormat checks the string formats MCP forms may ask for.
func checkFormat(format, s string) error {
	switch format {
	case "email":
		local, domain, ok := strings.Cut(s, "@")
		if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t") {
			return errors.New("not an email address")
		}
	case "uri":
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return errors.New("not a URI (scheme://…)")
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return errors.New("not a date (YYYY-MM-DD)")
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return errors.New("not a date and time (RFC 3339, e.g. 2026-01-02T15:04:05Z)")
		}
	}
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// defaultText is a text field's default, as typed.
func (f formField) defaultText() string {
	var s string
	if json.Unmarshal(f.def, &s) == nil {
		return s
	}
	var v float64
	if json.Unmarshal(f.def, &v) == nil {
		return fmtNum(v)
	}
	return ""
}
