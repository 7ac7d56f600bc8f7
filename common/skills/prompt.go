package skills

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Instructions is the developer-message text that lists the skills to
// the model ("" when there are none): a table of short aliases for the
// skill folders, one line per skill, and how to use them. Short paths
// keep the list small when many skills share a folder.
func Instructions(list []Skill) string {
	if len(list) == 0 {
		return ""
	}
	var roots []string
	rank := map[string]int{}
	for _, s := range list {
		if _, ok := rank[s.Root]; !ok && s.Root != "" {
			rank[s.Root] = s.rank
			roots = append(roots, s.Root)
		}
	}
	sort.SliceStable(roots, func(i, j int) bool { return rank[roots[i]] < rank[roots[j]] })
	alias := map[string]string{}
	for i, r := range roots {
		alias[r] = fmt.Sprintf("r%d", i)
	}
	var b strings.Builder
	b.WriteString("<skills_instructions>\n## Skills\n")
	b.WriteString("Skills are task instructions kept in SKILL.md files on this machine. Each is listed below by name and description, with where its SKILL.md is.\n")
	if len(roots) > 0 {
		b.WriteString("### Skill roots\n")
		for _, r := range roots {
			fmt.Fprintf(&b, "- `%s` = `%s`\n", alias[r], r)
		}
	}
	b.WriteString("### Available skills\n")
	for _, s := range list {
		fmt.Fprintf(&b, "- %s: %s (file: %s)\n", s.Name, s.Description, shortPath(s, alias))
	}
	b.WriteString(`### Using a skill
- Use a skill when the user names it (as $name or in words) or when the task plainly matches its description; use every skill named. A skill applies to the turn it was asked for only.
- Before acting, read the skill's SKILL.md in full (replace the root alias by its folder). Paths it mentions are relative to its folder. Read only the extra files it points to that this task needs.
- Prefer the skill's scripts and templates over writing the same thing again.
- Say in one short line which skills you use. If a skill is missing or cannot be followed, say so and carry on as well as you can.
</skills_instructions>`)
	return b.String()
}

func shortPath(s Skill, alias map[string]string) string {
	if a, ok := alias[s.Root]; ok {
		if rel, err := filepath.Rel(s.Root, s.Path); err == nil && !strings.HasPrefix(rel, "..") {
			return a + "/" + filepath.ToSlash(rel)
		}
	}
	return s.Path
}

// Mentioned returns the skills a prompt names with $name, in the order
// first mentioned, each once. A name must end at a character that cannot
// be part of one ($lint-fix. mentions lint-fix; $lint-fixes does not).
func Mentioned(prompt string, list []Skill) []Skill {
	byName := make(map[string]Skill, len(list))
	for _, s := range list {
		byName[s.Name] = s
	}
	var out []Skill
	seen := map[string]bool{}
	for i := 0; i < len(prompt); i++ {
		if prompt[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(prompt) && nameByte(prompt[j]) {
			j++
		}
		// Trailing dots and colons end a sentence rather than a name.
		name := strings.TrimRight(prompt[i+1:j], ".:")
		if s, ok := byName[name]; ok && !seen[name] {
			seen[name] = true
			out = append(out, s)
		}
		i = j - 1
	}
	return out
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':'
}

// Inject is the user-message text that puts a mentioned skill's SKILL.md
// into the turn, read now (the file may have changed since discovery).
func Inject(s Skill) (string, error) {
	data, err := os.ReadFile(s.Path)
	if err != nil {
		return "", fmt.Errorf("skill %s: %w", s.Name, err)
	}
	if len(data) > maxFileBytes {
		return "", fmt.Errorf("skill %s: %s is larger than %d bytes", s.Name, s.Path, maxFileBytes)
	}
	body := string(data)
	return fmt.Sprintf("<skill>\n<name>%s</name>\n<path>%s</path>\n%s\n</skill>", s.Name, s.Path, body), nil
}
