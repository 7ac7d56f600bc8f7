//go:build !linux

package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/codex-sandbox/seatbelt"
	"github.com/codexgo/common/protocol"
)

// seatbeltExplanation adds the generated profile to the plan.
type seatbeltExplanation struct {
	// ProtocolVersion is the --explain contract's, as on Linux
	// (codex-linux-sandbox/schema/explain.schema.json).
	ProtocolVersion int `json:"protocol_version"`
	*linuxsandbox.Plan
	Mechanism   string           `json:"mechanism"`
	Profile     string           `json:"seatbelt_profile,omitempty"`
	Params      []seatbelt.Param `json:"seatbelt_params,omitempty"`
	Unavailable []string         `json:"unavailable"`
}

// explain prints how plan would be enforced here, without running it.
func explain(plan *linuxsandbox.Plan, _ []string, stdout, stderr io.Writer) int {
	b, err := json.MarshalIndent(explainPlan(plan), "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "%s: encode explanation: %v\n", ToolName, err)
		return 1
	}
	if _, err := stdout.Write(append(b, '\n')); err != nil {
		return 1
	}
	return 0
}

// explainPlan says how plan would be enforced here, without running it.
func explainPlan(plan *linuxsandbox.Plan) any {
	e := seatbeltExplanation{ProtocolVersion: protocol.SandboxReportProtocolVersion, Plan: plan, Mechanism: "none", Unavailable: []string{}}
	if plan.Restricted() {
		if runtime.GOOS != "darwin" {
			e.Unavailable = append(e.Unavailable, "no sandbox mechanism on "+runtime.GOOS)
			return e
		}
		p := seatbelt.Generate(plan)
		e.Mechanism, e.Profile, e.Params = "seatbelt", p.Text, p.Params
		e.Unavailable = append(e.Unavailable, "process-tree: without a subreaper only the command's process group is ended")
	}
	return e
}
