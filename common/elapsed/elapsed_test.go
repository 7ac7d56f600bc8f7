package elapsed

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0ms"},
		{-time.Second, "0ms"},
		{999 * time.Microsecond, "0ms"},
		{250 * time.Millisecond, "250ms"},
		{999 * time.Millisecond, "999ms"},
		{time.Second, "1.00s"},
		{1500 * time.Millisecond, "1.50s"},
		{59999 * time.Millisecond, "60.00s"},
		{time.Minute, "1m 00s"},
		{75 * time.Second, "1m 15s"},
		{65 * time.Second, "1m 05s"},
		{59*time.Minute + 59*time.Second, "59m 59s"},
		{time.Hour, "1h 00m 00s"},
		{2*time.Hour + 3*time.Minute + 4*time.Second, "2h 03m 04s"},
		{100 * time.Hour, "100h 00m 00s"},
	}
	for _, tt := range tests {
		if got := Format(tt.d); got != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := Since(start, start.Add(1500*time.Millisecond)), "1.50s"; got != want {
		t.Errorf("Since = %q, want %q", got, want)
	}
}
