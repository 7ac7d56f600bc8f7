package appconn

import (
	"encoding/json"
	"testing"

	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/protocol"
)

// FuzzServerLine: whatever lines a server writes, the translation
// neither panics nor blocks, and the TUI's next submissions still go
// through it.
func FuzzServerLine(f *testing.F) {
	for _, s := range []string{
		`{"method":"item/completed","params":{"threadId":"t","turnId":"1","item":{"type":"commandExecution","id":"c","exitCode":null}}}`,
		`{"method":"item/started","params":{"item":{"type":"fileChange","id":"p","changes":[{"path":"a","kind":{"type":"update","move_path":null},"diff":"x"}]}}}`,
		`{"id":3,"method":"item/fileChange/requestApproval","params":{"itemId":"p","turnId":"1"}}`,
		`{"id":"x","method":"mcpServer/elicitation/request","params":{"serverName":"s","message":"m"}}`,
		`{"method":"turn/completed","params":{"turn":{"id":"1","status":"failed","error":null}}}`,
		`{"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"total":{},"last":{},"modelContextWindow":5}}}`,
		`{"method":"turn/plan/updated","params":{"plan":[{"step":"a","status":"inProgress"}],"explanation":null}}`,
		`{"id":1,"result":{"thread":{"id":"t","path":null},"sandbox":{"type":"nope"},"approvalPolicy":{"granular":{}}}}`,
		`{"id":2,"error":{"code":-32600,"message":"no"}}`,
		`{"method":"error","params":{"error":null,"willRetry":false}}`,
		`{"method":"turn/started","params":{"turn":{"id":"9"}}}`,
		`[]`, `null`, `{"method":7}`,
	} {
		f.Add([]byte(s), []byte(`{"method":"serverRequest/resolved","params":{"requestId":3}}`))
	}
	f.Fuzz(func(t *testing.T, line1, line2 []byte) {
		c := newConn(&agentclient.Process{})
		c.mu.Lock()
		defer c.mu.Unlock()
		// The answers to the start and to the TUI's requests, as the
		// reader would route them.
		c.st.pending[1] = func(r json.RawMessage, e *rpcError) {
			if e == nil {
				c.configured(r)
			}
		}
		c.st.pending[2] = c.turnAnswer("turn/start")
		for _, line := range [][]byte{line1, line2} {
			var m message
			if json.Unmarshal(line, &m) == nil {
				c.handle(m)
			}
		}
		for _, op := range []protocol.Op{
			protocol.ExecApprovalOp{ID: "p", Decision: protocol.DecisionApproved},
			protocol.PatchApprovalOp{ID: "elicitation-1", Decision: protocol.DecisionAbort},
			protocol.InterruptOp{},
			protocol.UserInputOp{Items: protocol.TextInput("next")},
		} {
			c.submit(protocol.Submission{ID: "s", Op: op})
		}
	})
}
