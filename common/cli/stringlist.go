package cli

import "strings"

// StringList is a repeatable string flag: each use appends a value.
type StringList []string

// String joins the values with commas.
func (s *StringList) String() string { return strings.Join(*s, ",") }

// Set appends v.
func (s *StringList) Set(v string) error { *s = append(*s, v); return nil }
