package login

import (
	"strings"
	"testing"
)

func TestPageEscapesText(t *testing.T) {
	got := string(errorPage(`<script>alert("x")</script> & more`).render())
	if strings.Contains(got, "<script>") {
		t.Fatalf("page does not escape its text:\n%s", got)
	}
	for _, want := range []string{"<title>Sign-in failed</title>", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more", "Return to your terminal and try again."} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q:\n%s", want, got)
		}
	}
}
