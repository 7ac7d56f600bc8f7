package login

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageTmpl is the small, self-contained page the callback server shows.
// It needs no scripts or external assets.
var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f7f7f8;color:#202123;display:flex;align-items:center;justify-content:center;min-height:100vh;margin:0}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2.5rem 3rem;max-width:32rem;text-align:center}
h1{font-size:1.4rem;margin:0 0 .75rem}
p{margin:.5rem 0;line-height:1.5}
</style>
</head>
<body>
<main>
<h1 id="title">{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}</main>
</body>
</html>
`))

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
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, p); err != nil {
		http.Error(w, p.Title, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
