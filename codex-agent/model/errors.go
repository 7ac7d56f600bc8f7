package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusError is a non-2xx HTTP answer.
type StatusError struct {
	Status     int
	Body       string
	URL        string
	RetryAfter time.Duration // from Retry-After; 0 if absent
}

func (e *StatusError) Error() string {
	switch {
	case e.Status == http.StatusTooManyRequests:
		// The provider's own words say which limit and for how long.
		if m, ok := jsonMessage(e.Body); ok {
			return "exceeded retry limit, last status: " + statusText(e.Status) + ": " + m
		}
		return "exceeded retry limit, last status: " + statusText(e.Status)
	case e.Status == http.StatusBadRequest:
		return e.Body
	case e.Status >= 500:
		return fmt.Sprintf("unexpected status %s: %s", statusText(e.Status), bodyMessage(e.Body))
	}
	return fmt.Sprintf("unexpected status %s: %s, url: %s", statusText(e.Status), bodyMessage(e.Body), e.URL)
}

func statusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// jsonMessage reads error.message (or a top-level message) from a JSON
// error body.
func jsonMessage(body string) (string, bool) {
	var b struct {
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(body), &b) != nil {
		return "", false
	}
	if b.Error != nil && b.Error.Message != "" {
		return b.Error.Message, true
	}
	return b.Message, b.Message != ""
}

// bodyMessage extracts error.message from a JSON error body, else the body.
func bodyMessage(body string) string {
	if m, ok := jsonMessage(body); ok {
		return m
	}
	if m := errMessageRE().FindStringSubmatch(body); m != nil {
		if s, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
			return s
		}
		return m[1]
	}
	return strings.TrimSpace(body)
}

var errMessageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"message"\s*:\s*"((?:[^"\\]|\\.)*)"`) })

// StreamError is a stream that broke before response.completed: a dropped
// connection, a response.failed, or a malformed event. It is retried.
type StreamError struct {
	Msg        string
	RetryAfter time.Duration // from "try again in N" on rate limits
}

func (e *StreamError) Error() string { return e.Msg }

// FatalError is a response.failed that retrying cannot fix (context
// window exceeded, quota, plan).
type FatalError struct {
	Code string
	Msg  string
}

func (e *FatalError) Error() string { return e.Msg }

// Retryable reports whether err is worth another stream attempt, and the
// delay the server asked for (0 = use backoff).
func Retryable(err error) (bool, time.Duration) {
	var se *StatusError
	if errors.As(err, &se) {
		switch {
		case se.Status == http.StatusTooManyRequests, se.Status >= 500, se.Status == http.StatusUnauthorized:
			return true, se.RetryAfter
		}
		return false, 0
	}
	var st *StreamError
	if errors.As(err, &st) {
		return true, st.RetryAfter
	}
	return false, 0
}

var tryAgainRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)try again in\s*([0-9.]+)\s*(ms|s|seconds?)`) })

// parseTryAgain reads "try again in 1.5s" / "in 200ms" from a rate-limit
// message.
func parseTryAgain(msg string) time.Duration {
	m := tryAgainRE().FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0
	}
	if strings.ToLower(m[2]) == "ms" {
		return time.Duration(f * float64(time.Millisecond))
	}
	return time.Duration(f * float64(time.Second))
}

// parseRetryAfter reads a Retry-After header: delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
