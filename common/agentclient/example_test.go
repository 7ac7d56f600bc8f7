package agentclient_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/codexgo/common/agentclient"
	"github.com/codexgo/common/protocol"
)

// echoAgent answers every user_input with one agent_message and ends on
// shutdown, in the real wire format.
func echoAgent(_ context.Context, _ []string, stdin io.Reader, stdout, _ io.Writer) int {
	enc := json.NewEncoder(stdout)
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		var sub protocol.Submission
		if json.Unmarshal(sc.Bytes(), &sub) != nil {
			continue
		}
		switch op := sub.Op.(type) {
		case protocol.UserInputOp:
			_ = enc.Encode(protocol.Event{ID: sub.ID, Msg: protocol.AgentMessageMsg{Message: "echo: " + op.Items[0].Text}})
		case protocol.ShutdownOp:
			_ = enc.Encode(protocol.Event{ID: sub.ID, Msg: protocol.ShutdownCompleteMsg{}})
			return 0
		}
	}
	return 0
}

func ExampleInProcess() {
	c := agentclient.InProcess(context.Background(), echoAgent, nil, nil)
	if _, err := c.Submit(protocol.UserInputOp{Items: protocol.TextInput("hi")}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Submit(protocol.ShutdownOp{}); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range c.Events() {
		switch m := ev.Msg.(type) {
		case protocol.AgentMessageMsg:
			fmt.Println(m.Message)
		case protocol.ShutdownCompleteMsg:
			fmt.Println("shutdown")
		}
	}
	fmt.Println(c.Close(time.Second))
	// Output:
	// echo: hi
	// shutdown
	// <nil>
}
