package appserver

import (
	"context"
	"encoding/json"
)

// handlers is the method table: one line per client request.
func (s *server) handlers() map[string]handler {
	sync := func(fn func(context.Context, json.RawMessage) (any, error)) handler { return handler{fn: fn} }
	async := func(fn func(context.Context, json.RawMessage) (any, error)) handler {
		return handler{fn: fn, async: true}
	}
	return map[string]handler{
		"thread/start":         sync(s.threadStart),
		"thread/resume":        sync(s.threadResume),
		"thread/fork":          sync(s.threadFork),
		"thread/list":          async(s.threadList),
		"thread/read":          sync(s.threadRead),
		"thread/turns/list":    sync(s.threadTurnsList),
		"thread/archive":       sync(s.threadArchive),
		"thread/unarchive":     sync(s.threadUnarchive),
		"thread/delete":        sync(s.threadDelete),
		"thread/name/set":      sync(s.threadNameSet),
		"thread/compact/start": sync(s.threadCompact),
		"thread/loaded/list":   sync(s.threadLoadedList),
		"thread/unsubscribe":   sync(s.threadUnsubscribe),

		"turn/start":     sync(s.turnStart),
		"turn/steer":     sync(s.turnSteer),
		"turn/interrupt": sync(s.turnInterrupt),
		"review/start":   sync(s.reviewStart),

		"config/read":        sync(s.configRead),
		"config/value/write": sync(s.configValueWrite),
		"config/batchWrite":  sync(s.configBatchWrite),
		"model/list":         sync(s.modelList),
		"skills/list":        sync(s.skillsList),

		"account/read":            sync(s.accountRead),
		"account/login/start":     async(s.loginStart),
		"account/login/cancel":    sync(s.loginCancel),
		"account/logout":          sync(s.logout),
		"account/rateLimits/read": sync(s.rateLimits),

		"fs/readFile":        sync(s.fsReadFile),
		"fs/writeFile":       sync(s.fsWriteFile),
		"fs/readDirectory":   sync(s.fsReadDirectory),
		"fs/getMetadata":     sync(s.fsGetMetadata),
		"fs/createDirectory": sync(s.fsCreateDirectory),
		"fs/remove":          sync(s.fsRemove),
		"fs/copy":            sync(s.fsCopy),
		"fuzzyFileSearch":    async(s.fuzzyFileSearch),

		"command/exec":           sync(s.commandExec),
		"command/exec/write":     sync(s.commandExecWrite),
		"command/exec/terminate": sync(s.commandExecTerminate),
		"command/exec/resize":    sync(s.commandExecResize),

		"mcpServerStatus/list":    async(s.mcpStatusList),
		"config/mcpServer/reload": sync(s.mcpReload),
		"mcpServer/tool/call":     async(s.mcpToolCall),
	}
}
