package execpolicy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/codexgo/common/protocol"
)

// StreamOptions are defaults applied to JSONL requests that do not set
// them.
type StreamOptions struct {
	Cwd           string
	WritableRoots []string
	ReadableRoots []string
	// Workers is how many goroutines judge requests (0 means GOMAXPROCS).
	// One is usually fastest on a busy 2-core machine; more help when
	// cores are idle.
	Workers int
}

// batch is a run of input lines judged by one worker; out holds their
// verdict lines once done is closed.
type batch struct {
	first int // line number of lines[0]
	lines [][]byte
	buf   []byte // holds lines (earlier lines may sit in an older array)
	flush bool   // input paused after this batch: flush it at once
	out   []byte
	worst protocol.Decision
	done  chan struct{}
}

const batchLines = 64

// Stream answers one JSON request per input line with one verdict per
// output line, in input order, judging batches of lines on all cores. A
// malformed line gets a verdict with error and line set and the stream
// goes on. Output is flushed whenever the input pauses, so an interactive
// caller gets each answer at once. It returns the strictest decision.
func (p *Policy) Stream(ctx context.Context, r io.Reader, w io.Writer, so StreamOptions) (protocol.Decision, error) {
	workers := so.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	// free recycles output buffers from the writer back to the workers.
	free := make(chan []byte, 2*workers+2)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				select {
				case b.out = <-free:
				default:
					b.out = make([]byte, 0, 32<<10)
				}
				p.judgeBatch(b, so)
				close(b.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		defer close(order)
		defer close(work)
		readErr <- readBatches(ctx, r, work, order, stop)
	}()
	bw := bufio.NewWriterSize(w, 64<<10)
	worst := protocol.DecisionAllow
	var werr error
	for b := range order {
		<-b.done
		if werr != nil {
			continue
		}
		if b.worst.Rank() > worst.Rank() {
			worst = b.worst
		}
		if _, err := bw.Write(b.out); err != nil {
			werr = fmt.Errorf("write verdicts: %w", err)
			close(stop)
			continue
		}
		select {
		case free <- b.out[:0]:
		default:
		}
		b.out = nil
		if b.flush {
			if err := bw.Flush(); err != nil {
				werr = fmt.Errorf("write verdicts: %w", err)
				close(stop)
			}
		}
	}
	wg.Wait()
	rerr := <-readErr
	if werr == nil {
		if err := bw.Flush(); err != nil {
			werr = fmt.Errorf("write verdicts: %w", err)
		}
	}
	return worst, errors.Join(werr, rerr)
}

// readBatches splits the input into batches, cutting a batch short when
// no more input is buffered so interactive requests are not held back.
func readBatches(ctx context.Context, r io.Reader, work, order chan<- *batch, stop <-chan struct{}) error {
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	cur := &batch{first: 1, done: make(chan struct{})}
	lastSize := 0
	send := func(flush bool) bool {
		cur.flush = flush
		lastSize = len(cur.buf)
		select {
		case order <- cur:
		case <-stop:
			return false
		}
		work <- cur
		cur = &batch{first: line + 1, done: make(chan struct{})}
		return true
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The batch's lines share one buffer (a line longer than br's
		// buffer gets its own).
		data, err := br.ReadSlice('\n')
		var long []byte
		for errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, data...)
			data, err = br.ReadSlice('\n')
		}
		if long != nil {
			data = append(long, data...)
		} else if len(data) > 0 {
			if cur.buf == nil {
				// Room for a batch like the last one, so it rarely grows.
				cur.buf = make([]byte, 0, max(4<<10, lastSize+lastSize/4))
			}
			start := len(cur.buf)
			cur.buf = append(cur.buf, data...)
			data = cur.buf[start:len(cur.buf):len(cur.buf)]
		}
		if len(data) > 0 {
			line++
			cur.lines = append(cur.lines, data)
		}
		if err == io.EOF {
			if len(cur.lines) > 0 {
				send(true)
			}
			return nil
		}
		if err != nil {
			if len(cur.lines) > 0 {
				send(true)
			}
			return fmt.Errorf("read requests: %w", err)
		}
		if len(cur.lines) >= batchLines || br.Buffered() == 0 {
			if !send(br.Buffered() == 0) {
				return nil
			}
		}
	}
}

func (p *Policy) judgeBatch(b *batch, so StreamOptions) {
	out := b.out
	b.worst = protocol.DecisionAllow
	e := &evaluator{roots: &rootCache{}}
	var req protocol.PolicyRequest // one for the batch: it escapes
	for i, data := range b.lines {
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		line := b.first + i
		var v protocol.PolicyVerdict
		if err := decodeRequest(data, &req); err != nil {
			v = protocol.PolicyVerdict{Decision: protocol.DecisionPrompt, Error: "bad request: " + err.Error(), Line: line}
		} else {
			if req.Cwd == "" {
				req.Cwd = so.Cwd
			}
			if req.WritableRoots == nil {
				req.WritableRoots = so.WritableRoots
			}
			if req.ReadableRoots == nil {
				req.ReadableRoots = so.ReadableRoots
			}
			v = p.check(req, e)
			if v.Error != "" {
				v.Line = line
			}
		}
		if v.Decision.Rank() > b.worst.Rank() {
			b.worst = v.Decision
		}
		v.ProtocolVersion = protocol.PolicyProtocolVersion
		out = appendVerdict(out, &v)
	}
	b.out = out
}
