// Package sse reads Server-Sent Events streams (the text/event-stream
// format of the WHATWG HTML spec) as the model APIs send them.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is one dispatched event. Type is the "event:" field ("message"
// when the stream gave none), Data the "data:" lines joined by "\n".
type Event struct {
	Type string
	Data string
	ID   string
}

// MaxLine bounds one line of the stream so a hostile or broken server
// cannot make the reader buffer without limit.
const MaxLine = 32 << 20

// ErrLineTooLong is returned when a line exceeds MaxLine.
var ErrLineTooLong = errors.New("sse: line too long")

// Reader parses events from a stream.
type Reader struct {
	br      *bufio.Reader
	lastID  string
	pendCR  bool // the previous line ended in '\r': skip one '\n'
	scratch []byte
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 16<<10)}
}

// readLine returns the next line without its terminator (\n, \r\n or
// \r). It scans the buffered bytes in bulk rather than byte by byte.
func (r *Reader) readLine() ([]byte, error) {
	r.scratch = r.scratch[:0]
	for {
		if _, err := r.br.Peek(1); err != nil {
			// A final line without terminator is incomplete; the spec
			// discards it together with any pending event.
			return nil, err
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		if r.pendCR {
			r.pendCR = false
			if buf[0] == '\n' {
				_, _ = r.br.Discard(1)
				continue
			}
		}
		if i := bytes.IndexAny(buf, "\r\n"); i >= 0 {
			r.scratch = append(r.scratch, buf[:i]...)
			r.pendCR = buf[i] == '\r'
			_, _ = r.br.Discard(i + 1)
			if len(r.scratch) > MaxLine {
				return nil, ErrLineTooLong
			}
			return r.scratch, nil
		}
		r.scratch = append(r.scratch, buf...)
		_, _ = r.br.Discard(len(buf))
		if len(r.scratch) > MaxLine {
			return nil, ErrLineTooLong
		}
	}
}

// Next returns the next event. It returns io.EOF when the stream ends; an
// event not terminated by a blank line before the end is dropped, as the
// spec requires.
func (r *Reader) Next() (Event, error) {
	var (
		typ     string
		data    bytes.Buffer
		hasData bool
	)
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if !hasData {
				typ = ""
				continue
			}
			if typ == "" {
				typ = "message"
			}
			d := data.Bytes()
			return Event{Type: typ, Data: string(d[:len(d)-1]), ID: r.lastID}, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			typ = string(value)
		case "data":
			hasData = true
			data.Write(value)
			data.WriteByte('\n')
			if data.Len() > MaxLine {
				return Event{}, ErrLineTooLong
			}
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				r.lastID = string(value)
			}
		}
	}
}

// Write formats one event in the wire format, for servers.
func Write(w io.Writer, typ, data string) error {
	var b bytes.Buffer
	if typ != "" {
		fmt.Fprintf(&b, "event: %s\n", typ)
	}
	for _, line := range bytes.Split([]byte(data), []byte("\n")) {
		b.WriteString("data: ")
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
