package modelserver

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainServesScriptAndRecords(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.json")
	sc := Script{Turns: []Turn{{Items: []json.RawMessage{Message("hi")}}}}
	b, _ := json.Marshal(sc)
	if err := os.WriteFile(script, b, 0o644); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "rec.jsonl")
	urlFile := filepath.Join(dir, "url")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"--script", script, "--record", record, "--url-file", urlFile, "--loop"}, strings.NewReader(""), pw, io.Discard)
		_ = pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url = strings.TrimSpace(url)
	for i := 0; i < 2; i++ { // --loop: the one turn serves twice
		resp, err := http.Post(url+"/responses", "application/json", strings.NewReader(`{"model":"m"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "event: response.completed") || !strings.Contains(string(body), `"delta":"hi"`) {
			t.Fatalf("response %d: %s", resp.StatusCode, body)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	rec, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(rec), "\n"); n != 2 {
		t.Errorf("recorded %d requests", n)
	}
	if u, _ := os.ReadFile(urlFile); strings.TrimSpace(string(u)) != url {
		t.Errorf("url file %q, want %q", u, url)
	}
}

func TestMainUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--script", "/nonexistent.json"}, {"--bogus"}} {
		if code := Main(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestExhaustedScript(t *testing.T) {
	srv, err := Start(Script{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 400 || len(srv.Requests()) != 1 || srv.Remaining() != 0 {
		t.Errorf("status %d requests %d", resp.StatusCode, len(srv.Requests()))
	}
}

// TestRequireAuth: a request the check refuses is answered 401 with an
// OpenAI error body and uses no turn; an accepted one gets the turn.
func TestRequireAuth(t *testing.T) {
	srv, err := Start(Script{Turns: []Turn{{Items: []json.RawMessage{Message("hi")}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	srv.RequireAuth(func(h http.Header) error {
		if h.Get("Authorization") != "AgentAssertion good" {
			return errUnpaired("assertion refused")
		}
		return nil
	})
	post := func(auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/responses", strings.NewReader(`{"input":[]}`))
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("AgentAssertion bad"); code != http.StatusUnauthorized || !strings.Contains(body, `"message":"assertion refused"`) || srv.Remaining() != 1 {
		t.Errorf("refused: %d %s (%d turns left)", code, body, srv.Remaining())
	}
	if code, body := post("AgentAssertion good"); code != http.StatusOK || !strings.Contains(body, "response.completed") || srv.Remaining() != 0 {
		t.Errorf("accepted: %d %s", code, body)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests recorded, want both", n)
	}
}
