package tui

import (
	"strings"
)

// slashCommand is one built-in command of the composer's popup.
type slashCommand struct {
	name string
	desc string
	// midTurn says whether the command may run while a turn is running.
	midTurn bool
}

// slashCommands in popup order: most used first, deliberately not sorted.
var slashCommands = []slashCommand{
	{"model", "choose what model and reasoning effort to use", false},
	{"permissions", "choose what Codex can do without approval", false},
	{"new", "start a new chat during a conversation", false},
	{"resume", "resume a saved chat", false},
	{"init", "create an AGENTS.md file with instructions for Codex", false},
	{"compact", "summarize conversation to prevent hitting the context limit", false},
	{"review", "review my current changes and find issues", false},
	{"diff", "show git diff (including untracked files)", true},
	{"mention", "mention a file", true},
	{"status", "show current session configuration and token usage", true},
	{"mcp", "list configured MCP tools", true},
	{"skills", "list the skills the model can use", true},
	{"hooks", "list the hooks of config.toml and their trust", true},
	{"fork", "fork the conversation into a new session", false},
	{"copy", "copy the last answer to the clipboard", true},
	{"ps", "list the background terminals", true},
	{"logout", "log out of Codex", false},
	{"quit", "exit Codex", true},
	{"exit", "exit Codex", true},
}

// slashAliases are old names still accepted (not listed in the popup).
var slashAliases = map[string]string{"approvals": "permissions"}

func findSlash(name string) (slashCommand, bool) {
	if n, ok := slashAliases[name]; ok {
		name = n
	}
	for _, c := range slashCommands {
		if c.name == name {
			return c, true
		}
	}
	return slashCommand{}, false
}

// popupRows bounds how many entries a popup shows.
const popupRows = 8

// popup is the list under the composer: slash commands or file matches.
type popup struct {
	kind  string // "slash" or "file"
	items []popupItem
	sel   int
	// token is the composer text the popup completes (the "/cmd" prefix or
	// the "@path" word).
	token string
}

type popupItem struct {
	name, desc string
}

// filterSlash returns the commands whose name starts with prefix
// (without the slash), in popup order, then those containing it.
func filterSlash(prefix string) []popupItem {
	var starts, contains []popupItem
	for _, c := range slashCommands {
		switch {
		case strings.HasPrefix(c.name, prefix):
			starts = append(starts, popupItem{"/" + c.name, c.desc})
		case strings.Contains(c.name, prefix):
			contains = append(contains, popupItem{"/" + c.name, c.desc})
		}
	}
	return append(starts, contains...)
}

// Move changes the selection by d, wrapping around.
func (p *popup) Move(d int) {
	if len(p.items) == 0 {
		return
	}
	p.sel = (p.sel + d + len(p.items)) % len(p.items)
}

// Selected is the highlighted entry.
func (p *popup) Selected() (popupItem, bool) {
	if len(p.items) == 0 {
		return popupItem{}, false
	}
	return p.items[p.sel], true
}

// View renders up to popupRows entries around the selection.
func (p *popup) View(th *theme, width int) string {
	if len(p.items) == 0 {
		if p.kind == "file" {
			return th.dim.Render("  no matches")
		}
		return th.dim.Render("  no matching command")
	}
	start := 0
	if p.sel >= popupRows {
		start = p.sel - popupRows + 1
	}
	end := min(start+popupRows, len(p.items))
	nameW := 0
	for _, it := range p.items[start:end] {
		nameW = max(nameW, len([]rune(it.name)))
	}
	var lines []string
	for i := start; i < end; i++ {
		it := p.items[i]
		name := it.name + strings.Repeat(" ", nameW-len([]rune(it.name)))
		line := "  " + name
		if it.desc != "" {
			line += "  " + it.desc
		}
		line = truncate(line, width)
		if i == p.sel {
			lines = append(lines, th.selected.Render(line))
		} else {
			lines = append(lines, th.dim.Render(line))
		}
	}
	return strings.Join(lines, "\n")
}
