// Package protocol holds the wire types shared by the codex tools: the
// submissions and events exchanged between a front end and the agent, the
// sandbox policy, the sandbox's exec request and result, and the execpolicy
// verdict. It has no third-party dependencies so every tool can import it.
//
// Tagged unions (Op, Msg) are encoded as JSON objects with a "type" field in
// snake_case, as the Codex CLI encodes them. A "type" this package does not
// know decodes into UnknownOp or UnknownMsg instead of failing, so an older
// tool keeps working against a newer peer.
package protocol
