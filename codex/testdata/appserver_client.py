#!/usr/bin/env python3
"""A stdlib-only app-server client, written from the protocol facts the way
the Codex Python SDK drives `codex app-server`: it launches
`codex --config K=V ... app-server --listen stdio://`, sends `initialize`
with capabilities.experimentalApi, then `initialized` with `{}`, uses UUID
strings as request ids, and answers the server's approval requests.

Usage: appserver_client.py CODEX_BIN WORKDIR LOG [--config K=V ...]

It runs one session (a turn whose command asks for approval, a second turn),
then resumes the thread in a new server process for a third turn, and prints
a JSON summary on stdout. Every line the server wrote is appended to LOG as
{"line": ..., "method": <method of the request it answers or null>} so the
caller can check it against the schema.
"""

import json
import subprocess
import sys
import uuid


class Server:
    def __init__(self, binary, configs, log):
        argv = [binary]
        for c in configs:
            argv += ["--config", c]
        argv += ["app-server", "--listen", "stdio://"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=sys.stderr, text=True, bufsize=1)
        self.pending = {}  # request id -> method
        self.backlog = []
        self.log = log

    def send(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("server closed its output")
        msg = json.loads(line)
        method = None
        if "method" not in msg and "id" in msg:
            method = self.pending.get(msg["id"])
        self.log.write(json.dumps({"line": line.rstrip("\n"), "method": method}) + "\n")
        return msg

    def request(self, method, params):
        rid = str(uuid.uuid4())
        self.pending[rid] = method
        self.send({"id": rid, "method": method, "params": params})
        while True:
            msg = self.read()
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError("%s failed: %s" % (method, msg["error"]))
                return msg["result"]
            self.backlog.append(msg)

    def next(self):
        if self.backlog:
            return self.backlog.pop(0)
        return self.read()

    def initialize(self):
        result = self.request("initialize", {
            "clientInfo": {"name": "codex_python_sdk", "title": "Codex Python SDK", "version": "0.169.0"},
            "capabilities": {"experimentalApi": True},
        })
        self.send({"method": "initialized", "params": {}})
        return result

    def run_turn(self, thread_id, text, approve=None):
        """Starts a turn and follows it to turn/completed, answering
        approval requests with `approve`. Returns what happened."""
        turn = self.request("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": text}]})["turn"]
        seen = {"turnId": turn["id"], "methods": [], "approvals": [], "messages": [], "commands": [], "deltas": ""}
        while True:
            msg = self.next()
            method = msg.get("method")
            seen["methods"].append(method)
            params = msg.get("params", {})
            if "id" in msg and method:  # a server request
                if method == "item/commandExecution/requestApproval":
                    seen["approvals"].append(params["command"])
                    self.send({"id": msg["id"], "result": {"decision": approve or "decline"}})
                else:
                    self.send({"id": msg["id"], "error": {"code": -32601, "message": "unsupported"}})
                continue
            if method == "item/agentMessage/delta":
                seen["deltas"] += params["delta"]
            if method == "item/completed":
                item = params["item"]
                if item["type"] == "agentMessage":
                    seen["messages"].append(item["text"])
                if item["type"] == "commandExecution":
                    seen["commands"].append({"status": item["status"], "output": item.get("aggregatedOutput")})
            if method == "turn/completed" and params["turn"]["id"] == turn["id"]:
                seen["status"] = params["turn"]["status"]
                return seen

    def close(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)


def main():
    binary, workdir, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
    configs = []
    rest = sys.argv[4:]
    while rest:
        if rest[0] == "--config" and len(rest) > 1:
            configs.append(rest[1])
            rest = rest[2:]
        else:
            raise SystemExit("unexpected argument %r" % rest[0])
    out = {}
    with open(log_path, "a") as log:
        s = Server(binary, configs, log)
        out["initialize"] = s.initialize()
        started = s.request("thread/start", {"cwd": workdir, "approvalPolicy": "untrusted", "sandbox": "workspace-write"})
        thread_id = started["thread"]["id"]
        out["threadId"] = thread_id
        out["first"] = s.run_turn(thread_id, "make a file", approve="accept")
        out["second"] = s.run_turn(thread_id, "and again")
        out["exit1"] = s.close()

        s = Server(binary, configs, log)
        s.initialize()
        resumed = s.request("thread/resume", {"threadId": thread_id})
        out["resumedTurns"] = [t["status"] for t in resumed["thread"]["turns"]]
        out["third"] = s.run_turn(thread_id, "after resume")
        out["exit2"] = s.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
