package execpolicy

import "strings"

// commandEffect says what a common command does, in words a person
// approving it reads: the reason of a prompt says what the command does
// and why it asks, never which part of a spec failed to match. Keys are
// "program" or "program subcommand"; the longer key wins. A switch, not a
// map, so the package has no initialiser to run at every start.
func commandEffect(key string) (string, bool) {
	switch key {
	case "npm install", "npm i", "npm ci", "npm add":
		return "downloads packages and runs their install scripts", true
	case "npm update":
		return "downloads newer packages and rewrites package-lock.json", true
	case "npm uninstall":
		return "removes packages from node_modules and package.json", true
	case "npm run":
		return "runs a script from package.json", true
	case "npm test":
		return "runs the test script from package.json", true
	case "npm start":
		return "runs the start script from package.json", true
	case "npm exec", "npx":
		return "downloads and runs a package's program", true
	case "npm publish":
		return "publishes the package to the registry", true
	case "yarn", "pnpm":
		return "installs packages or runs package.json scripts", true
	case "pip", "pip3":
		return "installs or removes Python packages", true
	case "uv":
		return "installs Python packages or runs Python code", true
	case "cargo":
		return "builds Rust code, running its build scripts", true
	case "cargo install":
		return "downloads, builds and installs a Rust program", true
	case "go build":
		return "compiles Go code and writes the binary", true
	case "go test":
		return "compiles and runs the Go tests", true
	case "go run":
		return "compiles and runs a Go program", true
	case "go get":
		return "downloads modules and changes go.mod", true
	case "go install":
		return "compiles and installs a Go program", true
	case "go mod":
		return "downloads modules or rewrites go.mod and go.sum", true
	case "go generate":
		return "runs the commands of go:generate comments", true
	case "make":
		return "runs the Makefile's commands", true
	case "python", "python3":
		return "runs Python code", true
	case "node":
		return "runs JavaScript code", true
	case "bash", "sh":
		return "runs a shell script", true
	case "git stash":
		return "moves uncommitted changes out of the working tree", true
	case "git commit":
		return "records a commit in the repository", true
	case "git add":
		return "stages changes for the next commit", true
	case "git rm":
		return "deletes files and stages their removal", true
	case "git mv":
		return "renames files and stages the rename", true
	case "git checkout":
		return "switches branches or overwrites files in the working tree", true
	case "git switch":
		return "switches branches, changing the working tree", true
	case "git restore":
		return "overwrites files in the working tree with another version", true
	case "git reset":
		return "moves the branch and may discard uncommitted changes", true
	case "git clean":
		return "deletes untracked files", true
	case "git rebase":
		return "rewrites the branch's commits", true
	case "git merge":
		return "merges another branch into the current one", true
	case "git cherry-pick":
		return "applies commits onto the current branch", true
	case "git revert":
		return "adds commits that undo earlier ones", true
	case "git pull":
		return "fetches from a remote and merges into the working tree", true
	case "git fetch":
		return "downloads commits from a remote", true
	case "git clone":
		return "downloads a repository into a new directory", true
	case "git push":
		return "publishes commits to a remote", true
	case "git apply":
		return "applies a patch to the working tree", true
	case "git am":
		return "applies mailed patches as commits", true
	case "git branch":
		return "creates, renames or deletes branches", true
	case "git tag":
		return "creates or deletes tags", true
	case "git config":
		return "changes git's configuration", true
	case "git init":
		return "creates a new repository", true
	case "git submodule":
		return "fetches or changes submodules", true
	case "git gc":
		return "repacks and prunes the repository", true
	case "rm":
		return "deletes files", true
	case "rmdir":
		return "deletes directories", true
	case "mv":
		return "moves or renames files", true
	case "cp":
		return "copies files, overwriting existing ones", true
	case "mkdir":
		return "creates directories", true
	case "touch":
		return "creates files or changes their times", true
	case "ln":
		return "creates links", true
	case "chmod":
		return "changes file permissions", true
	case "chown":
		return "changes file owners", true
	case "tee":
		return "writes its input to files", true
	case "dd":
		return "copies raw data between files or devices", true
	case "kill":
		return "sends signals to processes", true
	case "pkill", "killall":
		return "sends signals to processes by name", true
	case "sudo":
		return "runs a command as another user", true
	case "curl":
		return "makes network requests and may write files", true
	case "wget":
		return "downloads files", true
	case "ssh":
		return "runs commands on another machine", true
	case "scp":
		return "copies files over the network", true
	case "rsync":
		return "copies and may delete files", true
	case "docker":
		return "runs or changes containers and images", true
	case "apt", "apt-get":
		return "installs or removes system packages", true
	case "brew":
		return "installs or removes packages", true
	case "tar":
		return "creates or extracts archives", true
	case "unzip":
		return "extracts archives", true
	case "patch":
		return "changes files from a diff", true
	case "perl":
		return "runs Perl code", true
	case "ruby":
		return "runs Ruby code", true
	}
	return "", false
}

// describeEffect says what argv does, or "" for a command not in the
// table.
func describeEffect(base string, args []string) string {
	if d := subcommandEffect(base, args); d != "" {
		return d
	}
	d, _ := commandEffect(base)
	return d
}

// subcommandEffect says what a program's subcommand does ("git stash"),
// or "" when the table has no entry for it.
func subcommandEffect(base string, args []string) string {
	if base == "git" {
		if idx, _ := gitGlobals(args); idx <= len(args) {
			args = args[idx:]
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if d, ok := commandEffect(base + " " + a); ok {
			return d
		}
		break
	}
	return ""
}

// hasSubcommands reports whether name is a program whose first operand
// is a subcommand.
func hasSubcommands(name string) bool {
	switch name {
	case "git", "npm", "yarn", "pnpm", "go", "cargo", "docker", "pip", "pip3", "uv", "apt", "apt-get", "brew", "kubectl", "gh", "systemctl":
		return true
	}
	return false
}

// commandName is the program and its subcommand as a person names them
// ("git stash", "npm install", "ls").
func commandName(base string, args []string) string {
	if base == "git" {
		if idx, _ := gitGlobals(args); idx <= len(args) {
			args = args[idx:]
		}
	}
	if hasSubcommands(base) && len(args) > 0 && !strings.HasPrefix(args[0], "-") && len(args[0]) < 40 && !strings.ContainsAny(args[0], "/.=") {
		return base + " " + args[0]
	}
	return base
}

// askReason is the reason of a prompt for a command no rule allows: what
// it does, when known, and that it is not one of the read-only commands.
func askReason(base string, args []string) string {
	name := commandName(base, args)
	if d := describeEffect(base, args); d != "" {
		return name + " " + d + "; it is not on the read-only list, so it needs approval"
	}
	return name + " is not on the read-only list, so it needs approval"
}
