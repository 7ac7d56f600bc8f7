//go:build !linux

package linuxsandbox

type rulesetAttr struct{}
