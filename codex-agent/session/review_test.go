package session

import (
	"strconv"
	"strings"
	"testing"
)

// TestReviewText: the review a reviewer's answer makes is 0.169's for
// each kind of answer (the cases captured from 0.169 against a local
// model server).
func TestReviewText(t *testing.T) {
	finding := func(title, body string, start, end int) string {
		return `{"title":"` + title + `","body":"` + body + `","confidence_score":0.5,"priority":1,"code_location":{"absolute_file_path":"/r/x.go","line_range":{"start":` +
			strconv.Itoa(start) + `,"end":` + strconv.Itoa(end) + `}}}`
	}
	for _, tc := range []struct{ name, answer, want string }{
		{"one finding", `{"findings":[` + finding("[P1] A", "why", 2, 3) + `],"overall_explanation":"One issue found."}`,
			"One issue found.\n\nReview comment:\n\n- [P1] A — /r/x.go:2-3\n  why"},
		{"two findings, no explanation", `{"findings":[` + finding("[P1] A", "line one\\nline two", 3, 3) + `,` + finding("[P2] B", "body b", 5, 9) + `],"overall_explanation":""}`,
			"Full review comments:\n\n- [P1] A — /r/x.go:3-3\n  line one\n  line two\n\n- [P2] B — /r/x.go:5-9\n  body b"},
		{"no findings", `{"findings":[],"overall_correctness":"patch is correct","overall_explanation":"Nothing wrong."}`, "Nothing wrong."},
		{"nothing said", `{"findings":[],"overall_explanation":"  "}`, "Reviewer failed to output a response."},
		{"empty answer", "", "Reviewer failed to output a response."},
		{"fenced JSON", "```json\n{\"findings\":[],\"overall_explanation\":\"Fenced.\"}\n```", "Fenced."},
		{"plain text", "Plain text review: looks fine.", "Plain text review: looks fine."},
	} {
		if got := ReviewText(tc.answer); got != tc.want {
			t.Errorf("%s: ReviewText = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzReviewText: whatever the reviewer answers, the review is some text
// (never empty: the client shows it), the same each time.
func FuzzReviewText(f *testing.F) {
	f.Add(`{"findings":[{"title":"[P1] A","body":"why","code_location":{"absolute_file_path":"/a","line_range":{"start":1,"end":2}}}],"overall_explanation":"x"}`)
	f.Add("```json\n{\"findings\":[],\"overall_explanation\":\"Fenced.\"}\n```")
	f.Add("plain")
	f.Add("{ not json }")
	f.Add("")
	f.Fuzz(func(t *testing.T, answer string) {
		got := ReviewText(answer)
		if strings.TrimSpace(got) == "" {
			t.Fatalf("ReviewText(%q) is empty", answer)
		}
		if again := ReviewText(answer); again != got {
			t.Fatalf("ReviewText(%q) changed: %q then %q", answer, got, again)
		}
	})
}
