package tools

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestClampYield(t *testing.T) {
	for _, tc := range []struct {
		ms          float64
		def, lo, hi int
		want        time.Duration
	}{
		{0, defaultExecYieldMS, minYieldMS, maxYieldMS, 10 * time.Second},
		{10, defaultExecYieldMS, minYieldMS, maxYieldMS, 250 * time.Millisecond},
		{99999, defaultExecYieldMS, minYieldMS, maxYieldMS, 30 * time.Second},
		{1200, defaultWriteYieldMS, minYieldMS, maxYieldMS, 1200 * time.Millisecond},
		{0, defaultWriteYieldMS, minYieldMS, maxYieldMS, 250 * time.Millisecond},
		{1000, minPollYieldMS, minPollYieldMS, maxPollYieldMS, 5 * time.Second},
		{1e9, minPollYieldMS, minPollYieldMS, maxPollYieldMS, 300 * time.Second},
	} {
		if got := clampYield(tc.ms, tc.def, tc.lo, tc.hi); got != tc.want {
			t.Errorf("clampYield(%v, %d, %d, %d) = %v, want %v", tc.ms, tc.def, tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestWriteStdinSessionID(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    int
		wantErr bool
	}{
		{`1001`, 1001, false},
		{`"1001"`, 1001, false},
		{`" 12 "`, 12, false},
		{`1001.0`, 1001, false},
		{`1.5`, 0, true},
		{`"abc"`, 0, true},
		{``, 0, true},
		{`null`, 0, true},
		{`true`, 0, true},
	} {
		got, err := writeStdinArgs{SessionID: json.RawMessage(tc.raw)}.sessionID()
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("sessionID(%s) = %d, %v; want %d, error %v", tc.raw, got, err, tc.want, tc.wantErr)
		}
	}
}

// FuzzWriteStdinSessionID: any session_id the model sends parses or is
// refused, never panics, and a parsed one is the number it spelled.
func FuzzWriteStdinSessionID(f *testing.F) {
	for _, s := range []string{`1001`, `"1001"`, `1.5`, `null`, `"x"`, `1e3`, `-7`, `"  42 "`, `9e99`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := writeStdinArgs{SessionID: json.RawMessage(raw)}.sessionID()
		if err != nil {
			return
		}
		var again int
		if json.Unmarshal(json.RawMessage(fmt.Sprint(id)), &again) != nil || again != id {
			t.Errorf("sessionID(%q) = %d, which does not round-trip", raw, id)
		}
	})
}
