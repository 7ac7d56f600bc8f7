package execpolicy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/codexgo/common/protocol"
)

func BenchmarkLoadDefault(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := LoadSources(nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func bigRules(n int) []byte {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "prefix_rule(pattern=[\"tool%d\", \"sub%d\"], decision=\"allow\", justification=\"rule %d\")\n", i%97, i, i)
	}
	return []byte(sb.String())
}

func BenchmarkLoad10kRules(b *testing.B) {
	src := bigRules(10000)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		if _, err := LoadSources([]Source{{Name: "big.rules", Data: src}}, Options{NoDefault: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckArgv(b *testing.B) {
	p := loadDefault(b)
	req := protocol.PolicyRequest{Argv: []string{"git", "log", "--oneline", "-n", "5"}, Cwd: "/w"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := p.Check(req); v.Decision != protocol.DecisionAllow {
			b.Fatal(v.Reason)
		}
	}
}

func BenchmarkCheckScript(b *testing.B) {
	p := loadDefault(b)
	req := protocol.PolicyRequest{Argv: []string{"bash", "-lc", "git status && ls -la | wc -l && rm -rf /"}, Cwd: "/w"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := p.Check(req); v.Decision != protocol.DecisionForbidden {
			b.Fatal(v.Reason)
		}
	}
}

func BenchmarkStream(b *testing.B) {
	p := loadDefault(b)
	lines := []string{
		`{"id":1,"argv":["git","status"]}`,
		`{"id":2,"argv":["bash","-lc","ls && rm -rf /"]}`,
		`{"id":3,"argv":["rg","--pre","./x.sh","foo"]}`,
		`{"id":4,"script":"cat <<EOF\nhi\nEOF"}`,
	}
	var in bytes.Buffer
	for i := 0; i < 1000; i++ {
		in.WriteString(lines[i%len(lines)])
		in.WriteByte('\n')
	}
	data := in.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Stream(context.Background(), bytes.NewReader(data), io.Discard, StreamOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "decisions/s")
}

func BenchmarkCheck5000Args(b *testing.B) {
	p := loadDefault(b)
	argv := []string{"cat"}
	for i := 0; i < 5000; i++ {
		argv = append(argv, fmt.Sprintf("f%05d.txt", i))
	}
	req := protocol.PolicyRequest{Argv: argv, Cwd: "/w"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := p.Check(req); v.Decision != protocol.DecisionAllow {
			b.Fatal(v.Reason)
		}
	}
}

// BenchmarkMainCheck is the in-process cost of one `check -- git status`
// (flag parsing, policy loading, judging, output), without process start.
func BenchmarkMainCheck(b *testing.B) {
	dir := b.TempDir()
	env := testEnv(dir)
	for i := 0; i < b.N; i++ {
		if code := MainEnv(context.Background(), []string{"check", "--", "git", "status"}, nil, io.Discard, io.Discard, env); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// mixedStream is testdata/bench/mixed.jsonl: 2,000 requests as an agent
// session sends them (everyday commands, scripts, wrappers, dangerous
// commands; see gen.py).
func mixedStream(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/bench/mixed.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkStreamMixed: decisions/s and allocations per decision over
// the realistic mixed stream, one worker and one per CPU.
func BenchmarkStreamMixed(b *testing.B) {
	p := loadDefault(b)
	data := mixedStream(b)
	n := bytes.Count(data, []byte{'\n'}) + 1
	for _, workers := range []int{1, 0} {
		name := "workers=1"
		if workers == 0 {
			name = "workers=all"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := p.Stream(context.Background(), bytes.NewReader(data), io.Discard, StreamOptions{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
				_, _ = p.Stream(context.Background(), bytes.NewReader(data), io.Discard, StreamOptions{Workers: 1})
			}))/float64(n), "allocs/decision")
		})
	}
}
