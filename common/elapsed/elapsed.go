// Package elapsed formats durations the way the Codex CLI shows them:
// "250ms", "1.50s", "1m 15s", "2h 03m 04s".
package elapsed

import (
	"fmt"
	"time"
)

// Format renders d compactly: milliseconds below one second, seconds with
// two decimals below one minute, then minutes and zero-padded seconds, and
// from one hour on hours, minutes and seconds. Negative durations format
// as zero.
func Format(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	ms := d.Milliseconds()
	switch {
	case ms < 1000:
		return fmt.Sprintf("%dms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.2fs", float64(ms)/1000)
	case ms < 3_600_000:
		s := ms / 1000
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	}
	s := ms / 1000
	return fmt.Sprintf("%dh %02dm %02ds", s/3600, s%3600/60, s%60)
}

// Since formats the time elapsed since start according to now.
func Since(start, now time.Time) string { return Format(now.Sub(start)) }
