package cli

import (
	"fmt"
	"io"
	"strings"
)

type compNode struct {
	key   string // "root", "root/exec", "root/exec/resume"
	subs  []*Command
	flags []FlagEntry
}

func (c *Command) compNodes() []compNode {
	var out []compNode
	var walk func(c *Command, key string)
	walk = func(c *Command, key string) {
		out = append(out, compNode{key: key, subs: c.visible(), flags: c.Entries()})
		for _, s := range c.visible() {
			walk(s, key+"/"+s.Word())
		}
	}
	walk(c, "root")
	return out
}

func (n compNode) flagWords() []string {
	var out []string
	for _, e := range n.flags {
		out = append(out, e.Names...)
	}
	return append(out, "--help")
}

func (n compNode) subWords() []string {
	out := make([]string, len(n.subs))
	for i, s := range n.subs {
		out[i] = s.Word()
	}
	return out
}

func funcName(name string) string {
	var b strings.Builder
	b.WriteString("_")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// WriteCompletion writes a completion script of c for shell (bash, zsh or
// fish): subcommands, each command's flags, commands after "--", files
// elsewhere.
func (c *Command) WriteCompletion(w io.Writer, shell string) error {
	nodes := c.compNodes()
	fn := funcName(c.Name)
	var keys []string
	for _, n := range nodes[1:] {
		keys = append(keys, n.key)
	}
	switch shell {
	case "bash":
		fmt.Fprintf(w, "# bash completion for %s, generated from its flag definitions\n", c.Name)
		fmt.Fprintf(w, "%s() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} cpath=root i w subs= flags=\n", fn)
		fmt.Fprintf(w, "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n\t\tw=${COMP_WORDS[i]}\n")
		fmt.Fprintf(w, "\t\tif [[ $w == -- ]]; then COMPREPLY=($(compgen -c -- \"$cur\")); return; fi\n")
		fmt.Fprintf(w, "\t\t[[ $w == -* ]] && continue\n")
		if len(keys) > 0 {
			fmt.Fprintf(w, "\t\tcase \"$cpath/$w\" in\n\t\t%s) cpath=$cpath/$w ;;\n\t\tesac\n", strings.Join(keys, "|"))
		}
		fmt.Fprintf(w, "\tdone\n\tcase $cpath in\n")
		for _, n := range nodes {
			fmt.Fprintf(w, "\t%s) subs=%q flags=%q ;;\n", n.key, strings.Join(n.subWords(), " "), strings.Join(n.flagWords(), " "))
		}
		fmt.Fprintf(w, "\tesac\n")
		fmt.Fprintf(w, "\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n")
		fmt.Fprintf(w, "\telif [[ -n $subs ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n")
		fmt.Fprintf(w, "\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n")
		fmt.Fprintf(w, "complete -o default -F %s %s\n", fn, c.Name)
	case "zsh":
		fmt.Fprintf(w, "#compdef %s\n# zsh completion for %s, generated from its flag definitions\n", c.Name, c.Name)
		fmt.Fprintf(w, "%s() {\n\tlocal cpath=root w i\n\tlocal -a subs flags\n", fn)
		fmt.Fprintf(w, "\tfor ((i = 2; i < CURRENT; i++)); do\n\t\tw=${words[i]}\n")
		fmt.Fprintf(w, "\t\tif [[ $w == -- ]]; then _command_names; return; fi\n")
		fmt.Fprintf(w, "\t\t[[ $w == -* ]] && continue\n")
		if len(keys) > 0 {
			fmt.Fprintf(w, "\t\tcase \"$cpath/$w\" in\n\t\t(%s) cpath=$cpath/$w ;;\n\t\tesac\n", strings.Join(keys, "|"))
		}
		fmt.Fprintf(w, "\tdone\n\tcase $cpath in\n")
		for _, n := range nodes {
			var subs, flags []string
			for _, s := range n.subs {
				subs = append(subs, zshQuote(s.Word()+":"+s.Summary))
			}
			for _, e := range n.flags {
				for _, name := range e.Names {
					flags = append(flags, zshQuote(name+":"+e.Usage))
				}
			}
			flags = append(flags, zshQuote("--help:show the help"))
			fmt.Fprintf(w, "\t(%s) subs=(%s) flags=(%s) ;;\n", n.key, strings.Join(subs, " "), strings.Join(flags, " "))
		}
		fmt.Fprintf(w, "\tesac\n")
		fmt.Fprintf(w, "\tif [[ ${words[CURRENT]} == -* ]]; then\n\t\t_describe -t flags flag flags\n")
		fmt.Fprintf(w, "\telif (( ${#subs} )); then\n\t\t_describe -t commands command subs\n\telse\n\t\t_files\n\tfi\n}\n")
		fmt.Fprintf(w, "if (( $+functions[compdef] )); then compdef %s %s; fi\n", fn, c.Name)
	case "fish":
		fmt.Fprintf(w, "# fish completion for %s, generated from its flag definitions\n", c.Name)
		fmt.Fprintf(w, "function %s_path\n\tset -l p root\n\tfor w in (commandline -opc)[2..-1]\n", fn)
		fmt.Fprintf(w, "\t\tif test \"$w\" = --\n\t\t\techo dashdash\n\t\t\treturn\n\t\tend\n")
		fmt.Fprintf(w, "\t\tstring match -q -- '-*' $w; and continue\n")
		if len(keys) > 0 {
			fmt.Fprintf(w, "\t\tswitch \"$p/$w\"\n\t\t\tcase %s\n\t\t\t\tset p \"$p/$w\"\n\t\tend\n", strings.Join(keys, " "))
		}
		fmt.Fprintf(w, "\tend\n\techo $p\nend\n")
		fmt.Fprintf(w, "complete -c %s -n 'test (%s_path) = dashdash' -a '(__fish_complete_command)'\n", c.Name, fn)
		for _, n := range nodes {
			cond := fmt.Sprintf("'test (%s_path) = %s'", fn, n.key)
			for _, s := range n.subs {
				fmt.Fprintf(w, "complete -c %s -n %s -f -a %s -d %s\n", c.Name, cond, fishQuote(s.Word()), fishQuote(s.Summary))
			}
			for _, e := range n.flags {
				var spec []string
				for _, name := range e.Names {
					if strings.HasPrefix(name, "--") {
						spec = append(spec, "-l "+fishQuote(name[2:]))
					} else {
						spec = append(spec, "-s "+fishQuote(name[1:]))
					}
				}
				if e.Arg != "" {
					spec = append(spec, "-r")
				}
				fmt.Fprintf(w, "complete -c %s -n %s %s -d %s\n", c.Name, cond, strings.Join(spec, " "), fishQuote(e.Usage))
			}
			fmt.Fprintf(w, "complete -c %s -n %s -l help -s h -d 'show the help'\n", c.Name, cond)
		}
	default:
		return fmt.Errorf("unknown shell %q (bash, zsh or fish)", shell)
	}
	return nil
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// zshQuote single-quotes s for zsh.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
