package agent

import (
	"github.com/codexgo/codex-agent/tools"
	"github.com/codexgo/common/protocol"
)

// The tools moved to package tools; these names stay for the front ends
// and tests that import the agent (a facade, see the package doc).
type (
	// ToolSet is tools.ToolSet.
	ToolSet = tools.ToolSet
	// ShellTool is tools.ShellTool.
	ShellTool = tools.ShellTool
	// ExternalTool is tools.ExternalTool.
	ExternalTool = tools.ExternalTool
	// ApprovingTool is tools.ApprovingTool.
	ApprovingTool = tools.ApprovingTool
	// ToolEnv is tools.ToolEnv.
	ToolEnv = tools.ToolEnv
	// MCPLister is tools.MCPLister.
	MCPLister = tools.MCPLister
	// MCPTools is tools.MCPTools.
	MCPTools = tools.MCPTools
	// ToolHandler is tools.ToolHandler.
	ToolHandler = tools.ToolHandler
	// Invocation is tools.Invocation.
	Invocation = tools.Invocation
)

// The shell tool forms (tools.ShellExecCommand, tools.ShellClassic).
const (
	ShellExecCommand = tools.ShellExecCommand
	ShellClassic     = tools.ShellClassic
)

// DeclinedExitCode is tools.DeclinedExitCode.
const DeclinedExitCode = tools.DeclinedExitCode

// DefaultShellTimeoutMS is tools.DefaultShellTimeoutMS.
const DefaultShellTimeoutMS = tools.DefaultShellTimeoutMS

// EndStatus is tools.EndStatus.
func EndStatus(e protocol.ExecCommandEndMsg) protocol.ExecCommandStatus { return tools.EndStatus(e) }

// UnifiedDiff is tools.UnifiedDiff.
func UnifiedDiff(old, new, oldPath, newPath string) string {
	return tools.UnifiedDiff(old, new, oldPath, newPath)
}
