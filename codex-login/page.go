package login

import (
	"bytes"
	"html"
	"net/http"
)

// pageHead and pageStyle frame the small, self-contained page the
// callback server shows; it needs no scripts or external assets. Built
// with html.EscapeString rather than html/template, whose package
// initialisers every start of the fused binary would pay.
const pageHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
`

const pageStyle = `<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f7f7f8;color:#202123;display:flex;align-items:center;justify-content:center;min-height:100vh;margin:0}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2.5rem 3rem;max-width:32rem;text-align:center}
h1{font-size:1.4rem;margin:0 0 .75rem}
p{margin:.5rem 0;line-height:1.5}
</style>
`

// render returns the page as HTML, every text escaped.
func (p page) render() []byte {
	var b bytes.Buffer
	b.WriteString(pageHead)
	b.WriteString("<title>" + html.EscapeString(p.Title) + "</title>\n")
	b.WriteString(pageStyle)
	b.WriteString("</head>\n<body>\n<main>\n")
	b.WriteString(`<h1 id="title">` + html.EscapeString(p.Title) + "</h1>\n")
	for _, l := range p.Lines {
		b.WriteString("<p>" + html.EscapeString(l) + "</p>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes()
}

type page struct {
	Title string
	Lines []string
}

func successPage(email string) page {
	p := page{Title: "Signed in to Codex"}
	if email != "" {
		p.Lines = append(p.Lines, "You are signed in as "+email+".")
	}
	p.Lines = append(p.Lines, "You can close this tab and return to your terminal.")
	return p
}

func errorPage(msg string) page {
	return page{Title: "Sign-in failed", Lines: []string{msg, "Return to your terminal and try again."}}
}

func writePage(w http.ResponseWriter, status int, p page) {
	body := p.render()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
