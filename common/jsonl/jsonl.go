// Package jsonl reads and writes newline-delimited JSON streams.
//
// A Reader reports a malformed or oversized line as a *LineError naming
// the line number and byte offset, then carries on with the next line, so
// a long-lived peer survives bad input.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultMaxLine is the per-line limit used when NewReader gets 0.
const DefaultMaxLine = 8 << 20

// ErrLineTooLong is wrapped by a LineError for a line over the limit.
var ErrLineTooLong = errors.New("line too long")

// LineError locates a bad line in the stream.
type LineError struct {
	Line   int   // 1-based line number
	Offset int64 // byte offset of the line's start
	Err    error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d (offset %d): %v", e.Line, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// Reader reads one JSON value per line. Blank lines are skipped.
type Reader struct {
	r      *bufio.Reader
	max    int
	line   int
	offset int64
	buf    []byte
}

// NewReader returns a Reader with the given per-line limit in bytes.
func NewReader(r io.Reader, maxLine int) *Reader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	size := 64 << 10
	if maxLine < size {
		size = maxLine + 1
	}
	return &Reader{r: bufio.NewReaderSize(r, size), max: maxLine}
}

// Line returns the number of the line last returned.
func (r *Reader) Line() int { return r.line }

// ReadLine returns the next non-blank line without its newline. At the end
// of the stream it returns io.EOF; an oversized line yields a *LineError
// wrapping ErrLineTooLong, and the following call reads the next line.
func (r *Reader) ReadLine() ([]byte, error) {
	for {
		start := r.offset
		r.buf = r.buf[:0]
		tooLong := false
		var err error
		for {
			var chunk []byte
			chunk, err = r.r.ReadSlice('\n')
			r.offset += int64(len(chunk))
			if !tooLong {
				if len(r.buf)+len(chunk) > r.max+1 {
					tooLong = true
					r.buf = r.buf[:0]
				} else {
					r.buf = append(r.buf, chunk...)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if tooLong {
			r.line++
			return nil, &LineError{Line: r.line, Offset: start, Err: fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, r.max)}
		}
		if len(r.buf) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		r.line++
		line := bytes.TrimRight(r.buf, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		if len(line) > r.max {
			return nil, &LineError{Line: r.line, Offset: start, Err: fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, r.max)}
		}
		return line, nil
	}
}

// Next decodes the next line into v. A line that is not valid JSON for v
// yields a *LineError; the stream can be read on after it.
func (r *Reader) Next(v any) error {
	line, err := r.ReadLine()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(line, v); err != nil {
		return &LineError{Line: r.line, Offset: r.offset - int64(len(r.buf)), Err: err}
	}
	return nil
}

// Writer writes one JSON value per line; it is safe for concurrent use and
// each value reaches the underlying writer in a single Write call, so lines
// never interleave.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write encodes v followed by a newline.
func (w *Writer) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(b)
	return err
}
