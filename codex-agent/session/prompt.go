package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/common/protocol"
	"github.com/codexgo/common/sandboxpolicy"
)

// BaseInstructions are our own base instructions, sent with every request.
const BaseInstructions = `You are a coding agent running in the Codex CLI (the codex-go implementation), a terminal-based assistant working in the user's repository on their machine.

How you work:
- Read the task, look at the code you need (with the shell tool), make the change, check it, and report briefly.
- Use the shell tool to run commands; set workdir rather than using cd. Prefer fast read-only commands (rg, ls, sed -n, cat) to explore.
- Edit files with apply_patch only. Keep changes focused on the task; do not reformat unrelated code or fix unrelated bugs. Never revert changes you did not make.
- For multi-step work, keep a short plan with update_plan and mark steps as you finish them.
- Commands run in a sandbox that may block writes outside the workspace or network access; if a command fails because of the sandbox, say so instead of working around it.
- Do not commit or create branches unless the user asks.

When you finish, answer in a few plain sentences: what you changed and how you checked it, naming files as paths. Do not paste large files back.`

// ProjectDocOptions control AGENTS.md discovery.
type ProjectDocOptions struct {
	CodexHome string
	Cwd       string
	MaxBytes  int64    // 0: 32 KiB
	Fallbacks []string // project_doc_fallback_filenames
}

// ProjectDocs assembles the AGENTS.md instructions: the global file in
// CODEX_HOME, then one file per directory from the git root down to cwd,
// capped at MaxBytes. It returns "" when there are none.
func ProjectDocs(o ProjectDocOptions) string {
	max := o.MaxBytes
	if max <= 0 {
		max = 32 * 1024
	}
	var global string
	for _, name := range []string{"AGENTS.override.md", "AGENTS.md"} {
		if b, err := os.ReadFile(filepath.Join(o.CodexHome, name)); err == nil && strings.TrimSpace(string(b)) != "" {
			global = strings.TrimSpace(string(b))
			break
		}
	}
	var project []string
	budget := max
	for _, dir := range dirsFromRoot(o.Cwd) {
		names := append([]string{"AGENTS.override.md", "AGENTS.md"}, o.Fallbacks...)
		for _, name := range names {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || strings.TrimSpace(string(b)) == "" {
				continue
			}
			if int64(len(b)) > budget {
				b = b[:budget]
			}
			budget -= int64(len(b))
			project = append(project, strings.TrimSpace(string(b)))
			break
		}
		if budget <= 0 {
			break
		}
	}
	var parts []string
	if global != "" {
		parts = append(parts, global)
	}
	if len(project) > 0 {
		doc := strings.Join(project, "\n\n")
		if global != "" {
			doc = "--- project-doc ---\n\n" + doc
		}
		parts = append(parts, doc)
	}
	return strings.Join(parts, "\n\n")
}

// GitRoot returns the nearest directory at or above dir holding .git.
func GitRoot(dir string) (string, bool) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", false
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// dirsFromRoot lists directories from the git root down to cwd (only cwd
// when there is no git root).
func dirsFromRoot(cwd string) []string {
	root, ok := GitRoot(cwd)
	if !ok {
		return []string{cwd}
	}
	var dirs []string
	for d := cwd; ; d = filepath.Dir(d) {
		dirs = append([]string{d}, dirs...)
		if d == root || filepath.Dir(d) == d {
			break
		}
	}
	return dirs
}

// EnvironmentContext renders the <environment_context> block.
func EnvironmentContext(cwd, shell string, now time.Time, sp protocol.SandboxPolicy, ap protocol.AskForApproval) string {
	var b strings.Builder
	b.WriteString("<environment_context>\n")
	fmt.Fprintf(&b, "  <cwd>%s</cwd>\n", xmlEscape(cwd))
	fmt.Fprintf(&b, "  <approval_policy>%s</approval_policy>\n", ap)
	fmt.Fprintf(&b, "  <sandbox_mode>%s</sandbox_mode>\n", sp.Mode)
	if sp.Mode == protocol.SandboxWorkspaceWrite {
		net := "restricted"
		if sp.NetworkAccess {
			net = "enabled"
		}
		fmt.Fprintf(&b, "  <network_access>%s</network_access>\n", net)
		if len(sp.WritableRoots) > 0 {
			b.WriteString("  <writable_roots>\n")
			for _, r := range append([]string{cwd}, sp.WritableRoots...) {
				fmt.Fprintf(&b, "    <root>%s</root>\n", xmlEscape(r))
			}
			b.WriteString("  </writable_roots>\n")
		}
	}
	fmt.Fprintf(&b, "  <shell>%s</shell>\n", filepath.Base(shell))
	fmt.Fprintf(&b, "  <current_date>%s</current_date>\n", now.Format("2006-01-02"))
	fmt.Fprintf(&b, "  <timezone>%s</timezone>\n", now.Location().String())
	b.WriteString("</environment_context>")
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// PermissionsText is the developer message stating the sandbox and the
// approval policy in prose.
func PermissionsText(sp protocol.SandboxPolicy, ap protocol.AskForApproval) string {
	var b strings.Builder
	b.WriteString("<permissions instructions>\n")
	switch sp.Mode {
	case protocol.SandboxReadOnly:
		b.WriteString("Filesystem sandboxing: read-only. Commands can read files but not write them; apply_patch edits need approval.\n")
	case protocol.SandboxWorkspaceWrite:
		b.WriteString("Filesystem sandboxing: workspace-write. Commands can write in the working directory and the writable roots; inside them " + sandboxpolicy.ReadOnlyNote() + ".\n")
		if sp.NetworkAccess {
			b.WriteString("Network access is enabled.\n")
		} else {
			b.WriteString("Network access is restricted.\n")
		}
	case protocol.SandboxDangerFullAccess:
		b.WriteString("Filesystem sandboxing: none (danger-full-access). Commands run with the user's full permissions.\n")
	}
	if g, ok := ap.Granular(); ok {
		b.WriteString("Approval policy: granular. Commands run in the sandbox.")
		if g.SandboxApproval {
			b.WriteString(" Set sandbox_permissions to \"require_escalated\" with a justification to ask the user to run one outside it.")
		} else {
			b.WriteString(" You cannot ask to run a command outside the sandbox; such requests are refused, so work within it.")
		}
		if !g.Rules {
			b.WriteString(" Commands the execution policy would ask the user about are refused.")
		}
		b.WriteString("\n</permissions instructions>")
		return b.String()
	}
	switch ap {
	case protocol.ApprovalNever:
		b.WriteString("Approval policy: never. You cannot ask for approval; commands that need it are refused, so work within the sandbox.\n")
	case protocol.ApprovalUntrusted:
		b.WriteString("Approval policy: untrusted. Commands not allowed by a rule are shown to the user for approval.\n")
	case protocol.ApprovalOnFailure:
		b.WriteString("Approval policy: on-failure. Commands run in the sandbox; if one fails because of it, the user may approve a retry without it.\n")
	default:
		b.WriteString("Approval policy: on-request. Commands run in the sandbox; set sandbox_permissions to \"require_escalated\" with a justification to ask the user to run one outside it.\n")
	}
	b.WriteString("</permissions instructions>")
	return b.String()
}

// InitialContext builds the items that open a conversation: the
// permissions developer message, then one user message with the
// AGENTS.md instructions and the environment context.
func InitialContext(docs, cwd, envContext, permissions string) []model.Item {
	items := []model.Item{model.DeveloperMessage(permissions)}
	u := model.Item{Type: "message", Role: "user"}
	if docs != "" {
		u.Content = append(u.Content, model.ContentPart{Type: "input_text",
			Text: "# AGENTS.md instructions for " + cwd + "\n\n<INSTRUCTIONS>\n" + docs + "\n</INSTRUCTIONS>"})
	}
	u.Content = append(u.Content, model.ContentPart{Type: "input_text", Text: envContext})
	return append(items, u)
}
