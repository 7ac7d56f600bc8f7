// Package appserver serves the Codex app-server protocol (v2), the
// JSON-RPC 2.0 protocol the Codex CLI 0.169's clients speak (its Python
// SDK, the IDE extensions), one JSON object per line on a stream: threads
// and turns over the agent's sessions (through a Backend the agent
// package provides), approvals as server requests, and the tools clients
// use beside them (config, account, fs, command/exec, fuzzy file search).
// README.md in this folder lists the methods and what is not implemented.
package appserver
