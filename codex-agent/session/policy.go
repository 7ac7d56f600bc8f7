package session

import (
	"github.com/codexgo/codex-agent/approval"
)

// Policy judges a proposed command before it runs (approval.Policy).
type Policy = approval.Policy

// PolicyFunc adapts a function to Policy.
type PolicyFunc = approval.PolicyFunc

// FallbackPolicy is the policy of a session built without an execpolicy
// (approval.Fallback).
type FallbackPolicy = approval.Fallback

// CmdPolicy asks an external program (--execpolicy-cmd; approval.Cmd).
type CmdPolicy = approval.Cmd

// ExecPolicy is codex-execpolicy in process (approval.Exec).
type ExecPolicy = approval.Exec

// LoadExecPolicy loads the policies for a session (approval.LoadExec).
func LoadExecPolicy(codexHome, projectDir, home string, userRules bool) (*ExecPolicy, error) {
	return approval.LoadExec(codexHome, projectDir, home, userRules)
}
