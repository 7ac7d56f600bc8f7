package tools

import (
	"context"
	"encoding/json"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
)

const updatePlanSpec = `{"type":"function","name":"update_plan","strict":false,"description":"Updates the task plan.\nProvide an optional explanation and a list of plan items, each with a step and status.\nAt most one step can be in_progress at a time.\n","parameters":{"type":"object","required":["plan"],"additionalProperties":false,"properties":{"explanation":{"type":"string","description":"Optional explanation for this plan update."},"plan":{"type":"array","description":"The list of steps","items":{"type":"object","required":["step","status"],"additionalProperties":false,"properties":{"step":{"type":"string","description":"Task step text."},"status":{"type":"string","description":"Step status.","enum":["pending","in_progress","completed"]}}}}}}}`

// updatePlanTool is update_plan: the model's plan, reported as a
// plan_update event.
type updatePlanTool struct{}

func (updatePlanTool) builtin()              {}
func (updatePlanTool) Name() string          { return "update_plan" }
func (updatePlanTool) Spec() json.RawMessage { return json.RawMessage(updatePlanSpec) }

func (updatePlanTool) Handle(_ context.Context, inv *Invocation) model.Item {
	var a planArgs
	if err := json.Unmarshal([]byte(inv.call.Arguments), &a); err != nil {
		return inv.Reply("failed to parse function arguments: " + err.Error())
	}
	m := protocol.PlanUpdateMsg{Explanation: a.Explanation, Plan: []protocol.PlanItem{}}
	for _, p := range a.Plan {
		m.Plan = append(m.Plan, protocol.PlanItem{Step: p.Step, Status: p.Status})
	}
	inv.Emit(m)
	return inv.Reply("Plan updated")
}

// planArgs are update_plan's arguments.
type planArgs struct {
	Explanation string `json:"explanation"`
	Plan        []struct {
		Step   string `json:"step"`
		Status string `json:"status"`
	} `json:"plan"`
}
