package sandbox

import (
	"strings"

	"github.com/codexgo/common/protocol"
)

// networkFailures are what programs print when a DNS lookup or a
// connection fails: with the network off in the sandbox, the likely
// cause (npm's EAI_AGAIN, curl's "Could not resolve host", pip's "Failed
// to establish a new connection", Go's "dial tcp").
var networkFailures = []string{
	"could not resolve host", "temporary failure in name resolution", "name or service not known",
	"eai_again", "enotfound", "getaddrinfo", "no address associated with hostname", "failed to resolve",
	"network is unreachable", "failed to establish a new connection", "dial tcp", "dial udp",
	"could not resolve", "unable to resolve", "couldn't connect to server",
}

// NetworkOffHint is what the report and the agent say when a command
// failed on the network with the network off.
const NetworkOffHint = "the network is off in this sandbox, which is likely why this command could not resolve or reach a host; " +
	"allow it with codex-sandbox --network (codex: -c sandbox_workspace_write.network_access=true with --sandbox workspace-write, " +
	"or network_access = true under [sandbox_workspace_write] in config.toml)"

// networkHint returns NetworkOffHint for a failed command whose output
// shows a DNS or connection failure while the policy has the network
// off, else "".
func networkHint(p protocol.SandboxPolicy, code int, output string) string {
	if code == 0 || code == 124 || p.NetworkAccess || p.Mode == protocol.SandboxDangerFullAccess {
		return ""
	}
	low := strings.ToLower(output)
	for _, f := range networkFailures {
		if strings.Contains(low, f) {
			return NetworkOffHint
		}
	}
	return ""
}
