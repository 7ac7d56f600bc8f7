package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

// TestCmdRunnerProtocolVersion: CmdRunner sends protocol_version with the
// request, takes a result without one (an older codex-sandbox) and refuses
// one of a newer major version, saying to upgrade.
func TestCmdRunnerProtocolVersion(t *testing.T) {
	for _, tc := range []struct {
		result, want string
	}{
		{`{"exit_code":3,"timed_out":false,"duration_ms":1,"stdout":"","stderr":""}`, ""},
		{`{"protocol_version":1,"exit_code":3,"timed_out":false,"duration_ms":1,"stdout":"","stderr":""}`, ""},
		{`{"protocol_version":2,"exit_code":3,"timed_out":false,"duration_ms":1,"stdout":"","stderr":""}`, "protocol_version 2 is newer than the 1 this program speaks: upgrade"},
	} {
		// The stand-in sandbox checks the request carries the version.
		script := `grep -q '"protocol_version":1' || { echo '{"error":"no version"}'; exit 0; }; echo '` + tc.result + `'`
		res, err := CmdRunner{Argv: []string{"sh", "-c", script}}.Run(context.Background(), protocol.ExecRequest{Argv: []string{"true"}}, nil)
		switch {
		case tc.want == "" && (err != nil || res.ExitCode != 3):
			t.Errorf("%s: %+v, %v; want exit 3", tc.result, res, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.result, err, tc.want)
		}
	}
}
