package sandbox

import linuxsandbox "github.com/codexgo/codex-linux-sandbox"

// explainPlan says how plan would be enforced here, without running it.
func explainPlan(plan *linuxsandbox.Plan) any {
	return linuxsandbox.Prepare(plan).Explanation
}
