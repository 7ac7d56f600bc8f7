package execpolicy

import "strings"

// What common commands do, in words a person approving them reads: the
// reason of a prompt says what the command does and why it asks, never
// which part of a spec failed to match. Keys are "program" or
// "program subcommand"; the longer key wins.
var commandEffects = map[string]string{
	"npm install":     "downloads packages and runs their install scripts",
	"npm i":           "downloads packages and runs their install scripts",
	"npm ci":          "downloads packages and runs their install scripts",
	"npm add":         "downloads packages and runs their install scripts",
	"npm update":      "downloads newer packages and rewrites package-lock.json",
	"npm uninstall":   "removes packages from node_modules and package.json",
	"npm run":         "runs a script from package.json",
	"npm test":        "runs the test script from package.json",
	"npm start":       "runs the start script from package.json",
	"npm exec":        "downloads and runs a package's program",
	"npm publish":     "publishes the package to the registry",
	"npx":             "downloads and runs a package's program",
	"yarn":            "installs packages or runs package.json scripts",
	"pnpm":            "installs packages or runs package.json scripts",
	"pip":             "installs or removes Python packages",
	"pip3":            "installs or removes Python packages",
	"uv":              "installs Python packages or runs Python code",
	"cargo":           "builds Rust code, running its build scripts",
	"cargo install":   "downloads, builds and installs a Rust program",
	"go build":        "compiles Go code and writes the binary",
	"go test":         "compiles and runs the Go tests",
	"go run":          "compiles and runs a Go program",
	"go get":          "downloads modules and changes go.mod",
	"go install":      "compiles and installs a Go program",
	"go mod":          "downloads modules or rewrites go.mod and go.sum",
	"go generate":     "runs the commands of go:generate comments",
	"make":            "runs the Makefile's commands",
	"python":          "runs Python code",
	"python3":         "runs Python code",
	"node":            "runs JavaScript code",
	"bash":            "runs a shell script",
	"sh":              "runs a shell script",
	"git stash":       "moves uncommitted changes out of the working tree",
	"git commit":      "records a commit in the repository",
	"git add":         "stages changes for the next commit",
	"git rm":          "deletes files and stages their removal",
	"git mv":          "renames files and stages the rename",
	"git checkout":    "switches branches or overwrites files in the working tree",
	"git switch":      "switches branches, changing the working tree",
	"git restore":     "overwrites files in the working tree with another version",
	"git reset":       "moves the branch and may discard uncommitted changes",
	"git clean":       "deletes untracked files",
	"git rebase":      "rewrites the branch's commits",
	"git merge":       "merges another branch into the current one",
	"git cherry-pick": "applies commits onto the current branch",
	"git revert":      "adds commits that undo earlier ones",
	"git pull":        "fetches from a remote and merges into the working tree",
	"git fetch":       "downloads commits from a remote",
	"git clone":       "downloads a repository into a new directory",
	"git push":        "publishes commits to a remote",
	"git apply":       "applies a patch to the working tree",
	"git am":          "applies mailed patches as commits",
	"git branch":      "creates, renames or deletes branches",
	"git tag":         "creates or deletes tags",
	"git config":      "changes git's configuration",
	"git init":        "creates a new repository",
	"git submodule":   "fetches or changes submodules",
	"git gc":          "repacks and prunes the repository",
	"rm":              "deletes files",
	"rmdir":           "deletes directories",
	"mv":              "moves or renames files",
	"cp":              "copies files, overwriting existing ones",
	"mkdir":           "creates directories",
	"touch":           "creates files or changes their times",
	"ln":              "creates links",
	"chmod":           "changes file permissions",
	"chown":           "changes file owners",
	"tee":             "writes its input to files",
	"dd":              "copies raw data between files or devices",
	"kill":            "sends signals to processes",
	"pkill":           "sends signals to processes by name",
	"killall":         "sends signals to processes by name",
	"sudo":            "runs a command as another user",
	"curl":            "makes network requests and may write files",
	"wget":            "downloads files",
	"ssh":             "runs commands on another machine",
	"scp":             "copies files over the network",
	"rsync":           "copies and may delete files",
	"docker":          "runs or changes containers and images",
	"apt":             "installs or removes system packages",
	"apt-get":         "installs or removes system packages",
	"brew":            "installs or removes packages",
	"tar":             "creates or extracts archives",
	"unzip":           "extracts archives",
	"patch":           "changes files from a diff",
	"perl":            "runs Perl code",
	"ruby":            "runs Ruby code",
}

// describeEffect says what argv does, or "" for a command not in the
// table.
func describeEffect(base string, args []string) string {
	if d := subcommandEffect(base, args); d != "" {
		return d
	}
	return commandEffects[base]
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
		if d, ok := commandEffects[base+" "+a]; ok {
			return d
		}
		break
	}
	return ""
}

// subcommandTools are the programs whose first operand is a subcommand.
var subcommandTools = map[string]bool{
	"git": true, "npm": true, "yarn": true, "pnpm": true, "go": true, "cargo": true, "docker": true, "pip": true,
	"pip3": true, "uv": true, "apt": true, "apt-get": true, "brew": true, "kubectl": true, "gh": true, "systemctl": true,
}

// commandName is the program and its subcommand as a person names them
// ("git stash", "npm install", "ls").
func commandName(base string, args []string) string {
	if base == "git" {
		if idx, _ := gitGlobals(args); idx <= len(args) {
			args = args[idx:]
		}
	}
	if subcommandTools[base] && len(args) > 0 && !strings.HasPrefix(args[0], "-") && len(args[0]) < 40 && !strings.ContainsAny(args[0], "/.=") {
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
