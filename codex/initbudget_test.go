package codex

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The fused binary runs every linked package's initialisers at every
// start, whichever tool it is run as (issue 20). Budgets are in
// allocations and bytes, not time, so they hold on a loaded machine.
// Raise one only with a measurement showing the start-up cost is worth it.
const (
	initAllocsTotal   = 1950      // 1,837 when set (76,508 with glamour and chroma; 2,367 with atotto/clipboard and the appserver regexp; 2,114 with yaml.v3)
	initBytesTotal    = 350 << 10 // 324 KiB when set (350 KiB with yaml.v3)
	initAllocsPackage = 400       // encoding/gob (pulled in by the MCP SDK) is the largest, 366
)

// forbiddenInit are packages whose initialisers cost more than the whole
// budget; the fused binary must not link them.
var forbiddenInit = []string{
	"github.com/alecthomas/chroma",
	"github.com/charmbracelet/glamour",
	"github.com/yuin/goldmark",
	"github.com/microcosm-cc/bluemonday",
	"html/template",
	// looks up xclip, xsel, wl-copy and termux in PATH at every start;
	// the repository's clipboard/ module stands in for it.
	"github.com/atotto/clipboard",
	// 276 allocations and a regexp for SKILL.md front matter; common/skills
	// reads the keys it uses itself.
	"gopkg.in/yaml",
}

// noInit are our packages on every tool's hot path that must have no
// initialiser at all (tables are switches or constants): the policy
// checker and the JSON writer.
var noInit = []string{
	"github.com/codexgo/codex-execpolicy",
	"github.com/codexgo/common/jsonlite",
}

// ownInitAllocs bounds the allocations of all our own packages'
// initialisers (24 when set: errors and small maps in package variables).
const ownInitAllocs = 40

// initStat is one line of GODEBUG=inittrace=1 output.
type initStat struct {
	pkg           string
	bytes, allocs int
}

// parseInitTrace reads lines such as
// "init net/http @1.2 ms, 0.036 ms clock, 4872 bytes, 50 allocs".
func parseInitTrace(out []byte) ([]initStat, error) {
	var stats []initStat
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" || f[len(f)-1] != "allocs" || f[len(f)-3] != "bytes," {
			continue
		}
		b, err1 := strconv.Atoi(f[len(f)-4])
		a, err2 := strconv.Atoi(f[len(f)-2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("unreadable inittrace line %q", sc.Text())
		}
		stats = append(stats, initStat{pkg: f[1], bytes: b, allocs: a})
	}
	return stats, sc.Err()
}

func TestParseInitTrace(t *testing.T) {
	out := []byte("init runtime @0.046 ms, 2.3 ms clock, 0 bytes, 0 allocs\n" +
		"codex dev\n" +
		"init github.com/alecthomas/chroma/v2/styles @13 ms, 25 ms clock, 1606704 bytes, 34056 allocs\n")
	got, err := parseInitTrace(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []initStat{{"runtime", 0, 0}, {"github.com/alecthomas/chroma/v2/styles", 1606704, 34056}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := parseInitTrace([]byte("init x @1 ms, 1 ms clock, many bytes, 3 allocs\n")); err == nil {
		t.Fatal("bad numbers accepted")
	}
}

// earlyAllocs bounds the initialisers that run before package early's
// initialiser for a light tool runs it (internal/early): 866 allocations
// for codex-execpolicy when set (1,821 for the whole binary), 581-586
// for the sandbox, its helper and codex-login status, which wait for
// neither Starlark nor the shell parser (they waited for 866 when one
// package ran all three); versionAllocs those before codexversion
// answers `codex --version` (52 when set).
const (
	earlyAllocs      = 1000
	earlyAllocsLight = 700
	versionAllocs    = 100
)

// policyOnly are the policy checker's libraries: the sandbox's and the
// login's early packages do not import them, so their initialisers must
// not run before those tools do.
var policyOnly = []string{
	"go.starlark.net/starlark",
	"mvdan.cc/sh/v3/syntax",
}

// notEarly are packages the light tools do not import, so their
// initialisers must not run before package early's: a light tool's start
// that runs them pays for what it never uses.
var notEarly = []string{
	"github.com/charmbracelet/bubbletea",
	"github.com/google/jsonschema-go/jsonschema",
	"github.com/modelcontextprotocol/go-sdk/mcp",
	"net/http",
}

// TestInitBudget builds the fused binary and holds its package
// initialisers to the budgets above: all of them (a command the
// dispatcher runs), and those before package early runs a light tool.
func TestInitBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fused binary")
	}
	bin := filepath.Join(t.TempDir(), "codex")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/codex")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	stats := initTrace(t, bin, nil, "codex", "--help")
	var allocs, nbytes, own int
	for _, s := range stats {
		allocs += s.allocs
		nbytes += s.bytes
		if strings.HasPrefix(s.pkg, "github.com/codexgo/") || strings.HasPrefix(s.pkg, "codexgo.local/") {
			own += s.allocs
		}
		if slices.Contains(noInit, s.pkg) {
			t.Errorf("package %s has an initialiser (%d allocations); it must have none", s.pkg, s.allocs)
		}
		if s.allocs > initAllocsPackage {
			t.Errorf("package %s initialises with %d allocations (budget %d per package)", s.pkg, s.allocs, initAllocsPackage)
		}
		for _, f := range forbiddenInit {
			if strings.HasPrefix(s.pkg, f) {
				t.Errorf("package %s is linked into the fused binary; its initialisers are too costly", s.pkg)
			}
		}
	}
	top := stats[:min(8, len(stats))]
	t.Logf("%d packages, %d allocations, %d bytes; largest: %v", len(stats), allocs, nbytes, top)
	if own > ownInitAllocs {
		t.Errorf("our packages' initialisers make %d allocations (budget %d)", own, ownInitAllocs)
	}
	if allocs > initAllocsTotal {
		t.Errorf("package initialisers make %d allocations (budget %d); largest: %v", allocs, initAllocsTotal, top)
	}
	if nbytes > initBytesTotal {
		t.Errorf("package initialisers allocate %d bytes (budget %d); largest: %v", nbytes, initBytesTotal, top)
	}

	// codex-login status, logged in with an API key (exit 0), from a
	// CODEX_HOME of its own; package codex-login/status runs it, early.
	loginHome := t.TempDir()
	if err := os.WriteFile(filepath.Join(loginHome, "auth.json"), []byte(`{"OPENAI_API_KEY": "sk-test-1234567890ABCDEFGH"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	loginEnv := []string{"CODEX_HOME=" + loginHome, "CODEX_API_KEY=", "OPENAI_API_KEY=", "CODEX_ACCESS_TOKEN="}
	for _, tc := range []struct {
		argv   []string
		env    []string
		budget int
		not    []string // more packages that must not initialise first
	}{
		{[]string{"codex", "--version"}, nil, versionAllocs, policyOnly},
		{[]string{"codex-execpolicy", "check", "--", "git", "status"}, nil, earlyAllocs, nil},
		{[]string{"codex-sandbox", "--help"}, nil, earlyAllocsLight, policyOnly},
		{[]string{"codex-linux-sandbox", "--help"}, nil, earlyAllocsLight, policyOnly},
		{[]string{"codex-login", "status"}, loginEnv, earlyAllocsLight, policyOnly},
		{[]string{"codex-login", "status", "--json"}, loginEnv, earlyAllocsLight, policyOnly},
	} {
		argv := tc.argv
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			early := initTrace(t, bin, tc.env, argv[0], argv[1:]...)
			var allocs int
			for _, s := range early {
				allocs += s.allocs
				if slices.Contains(notEarly, s.pkg) || slices.Contains(tc.not, s.pkg) {
					t.Errorf("package %s initialised before %s ran", s.pkg, argv[0])
				}
			}
			t.Logf("%d packages, %d allocations before it ran (%d packages in all)", len(early), allocs, len(stats))
			if len(early) >= len(stats) {
				t.Errorf("every initialiser ran (%d packages): neither early nor codexversion ran %s", len(early), argv[0])
			}
			if allocs > tc.budget {
				t.Errorf("initialisers before it ran make %d allocations (budget %d); largest: %v", allocs, tc.budget, early[:min(8, len(early))])
			}
		})
	}
}

// initTrace runs bin with argv[0] set to argv0, GODEBUG=inittrace=1 and
// env added to the environment, and returns its initialisers, largest
// first.
func initTrace(t *testing.T, bin string, env []string, argv0 string, args ...string) []initStat {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = argv0
	cmd.Env = append(append(os.Environ(), env...), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s", argv0, args, err, stderr.String())
	}
	stats, err := parseInitTrace(stderr.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) < 10 {
		t.Fatalf("only %d inittrace lines; did GODEBUG=inittrace=1 work?\n%s", len(stats), stderr.String())
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].allocs > stats[j].allocs })
	return stats
}
