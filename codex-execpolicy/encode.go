package execpolicy

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/codexgo/common/jsonlite"
	"github.com/codexgo/common/protocol"
)

// appendVerdict appends v as one JSON line, byte for byte what
// encoding/json (with HTML escaping off) produces, without reflection: the
// JSONL stream spends most of its time encoding. TestAppendVerdictMatchesJSON
// holds it to encoding/json's output.
func appendVerdict(b []byte, v *protocol.PolicyVerdict) []byte {
	b = append(b, '{')
	if v.ProtocolVersion != 0 {
		b = append(b, `"protocol_version":`...)
		b = strconv.AppendInt(b, int64(v.ProtocolVersion), 10)
		b = append(b, ',')
	}
	if len(v.ID) > 0 {
		b = append(b, `"id":`...)
		b = appendRaw(b, v.ID)
		b = append(b, ',')
	}
	b = append(b, `"decision":`...)
	b = appendStr(b, string(v.Decision))
	if v.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendStr(b, v.Reason)
	}
	if len(v.Commands) > 0 {
		b = append(b, `,"commands":[`...)
		for i := range v.Commands {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCommand(b, &v.Commands[i])
		}
		b = append(b, ']')
	}
	if v.Error != "" {
		b = append(b, `,"error":`...)
		b = appendStr(b, v.Error)
	}
	if v.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(v.Line), 10)
	}
	b = optStrs(b, `,"suggested_prefix":`, v.SuggestedPrefix)
	return append(b, '}', '\n')
}

func appendCommand(b []byte, c *protocol.ParsedCommand) []byte {
	b = append(b, `{"argv":`...)
	b = appendStrs(b, c.Argv)
	b = append(b, `,"program":`...)
	b = appendStr(b, c.Program)
	b = append(b, `,"decision":`...)
	b = appendStr(b, string(c.Decision))
	b = optStr(b, `,"rule":`, c.Rule)
	b = optStr(b, `,"reason":`, c.Reason)
	b = optStr(b, `,"kind":`, string(c.Kind))
	b = optStrs(b, `,"read_files":`, c.ReadFiles)
	b = optStrs(b, `,"write_files":`, c.WriteFiles)
	b = optStr(b, `,"executable":`, c.Executable)
	b = optStrs(b, `,"via":`, c.Via)
	b = optStrs(b, `,"flags":`, c.Flags)
	if len(c.Options) > 0 {
		b = append(b, `,"options":[`...)
		for i, o := range c.Options {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendStr(b, o.Name)
			b = append(b, `,"value":`...)
			b = appendStr(b, o.Value)
			b = append(b, `,"type":`...)
			b = appendStr(b, o.Type)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(c.Args) > 0 {
		b = append(b, `,"args":[`...)
		for i, a := range c.Args {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"index":`...)
			b = strconv.AppendInt(b, int64(a.Index), 10)
			b = append(b, `,"type":`...)
			b = appendStr(b, a.Type)
			b = append(b, `,"value":`...)
			b = appendStr(b, a.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(c.Redirects) > 0 {
		b = append(b, `,"redirects":[`...)
		for i, r := range c.Redirects {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"op":`...)
			b = appendStr(b, r.Op)
			b = optStr(b, `,"target":`, r.Target)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(c.MatchedRules) > 0 {
		b = append(b, `,"matched_rules":[`...)
		for i, m := range c.MatchedRules {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"source":`...)
			b = appendStr(b, m.Source)
			b = append(b, `,"kind":`...)
			b = appendStr(b, m.Kind)
			b = append(b, `,"decision":`...)
			b = appendStr(b, string(m.Decision))
			b = optStrs(b, `,"pattern":`, m.Pattern)
			b = optStr(b, `,"justification":`, m.Justification)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func optStr(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendStr(append(b, key...), s)
}

func optStrs(b []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return b
	}
	return appendStrs(append(b, key...), ss)
}

func appendStrs(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, s)
	}
	return append(b, ']')
}

// appendRaw appends a raw JSON value compacted, as encoding/json does.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if plainID(raw) {
		return append(b, raw...) // what json.Compact would give
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return append(b, "null"...)
	}
	return append(b, buf.Bytes()...)
}

// appendStr quotes s like encoding/json with HTML escaping off.
func appendStr(b []byte, s string) []byte { return jsonlite.AppendString(b, s, false) }

// plainID reports whether raw is a JSON value json.Compact leaves as it
// is: a non-negative integer without leading zeros (ids are mostly
// counters), or valid JSON without white space.
func plainID(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	digits := raw[0] != '0' || len(raw) == 1
	for _, c := range raw {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	return digits || !bytes.ContainsAny(raw, " \t\r\n") && json.Valid(raw)
}
