package linuxsandbox

import (
	"reflect"
	"testing"
)

func TestFastStartEnvRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		restore []string
	}{
		{"unset", []string{"A=1", "PATH=/bin"}, []string{"A=1", "PATH=/bin"}},
		{"set", []string{"GOMAXPROCS=8", "A=1"}, []string{"A=1", "GOMAXPROCS=8"}},
		{"empty", nil, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fast := FastStartEnv(tc.env)
			if got := FastStartEnv(fast); !reflect.DeepEqual(got, fast) {
				t.Errorf("applied twice: %q, want %q", got, fast)
			}
			n := 0
			for _, kv := range fast {
				if kv == "GOMAXPROCS=1" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("fast env %q has %d GOMAXPROCS=1", fast, n)
			}
			if got := RestoreEnv(fast); !reflect.DeepEqual(got, tc.restore) {
				t.Errorf("restored %q, want %q", got, tc.restore)
			}
		})
	}
	if got := RestoreEnv([]string{"GOMAXPROCS=3"}); !reflect.DeepEqual(got, []string{"GOMAXPROCS=3"}) {
		t.Errorf("env without marker changed: %q", got)
	}
}
