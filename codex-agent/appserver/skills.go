package appserver

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"

	"github.com/codexgo/common/skills"
)

// skillsList answers skills/list: for each working directory asked for
// (none: the server's own), the skills a thread started there sees
// ($CODEX_HOME/skills, ~/.codex/skills, the .agents/skills folders of the
// repository down to it), by name, and the SKILL.md files that are not
// valid skills. The folders are read on every call, so forceReload
// changes nothing.
func (s *server) skillsList(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Cwds        []string `json:"cwds"`
		ForceReload bool     `json:"forceReload"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if len(p.Cwds) == 0 {
		p.Cwds = []string{s.o.Getenv("PWD")}
	}
	data := []any{}
	for _, cwd := range p.Cwds {
		if !filepath.IsAbs(cwd) {
			return nil, invalidParams("cwds must be absolute paths: %q", cwd)
		}
		list, errs := skills.Discover(skills.Options{CodexHome: s.o.CodexHome, Home: s.o.Getenv("HOME"), Cwd: cwd})
		found := []any{}
		for _, sk := range list {
			found = append(found, map[string]any{"name": sk.Name, "description": sk.Description,
				"shortDescription": nilIfEmpty(sk.ShortDescription), "path": sk.Path, "scope": sk.Scope,
				"enabled": true, "interface": nil, "dependencies": nil})
		}
		bad := []any{}
		for _, err := range errs {
			var fe *skills.FileError
			if errors.As(err, &fe) {
				bad = append(bad, map[string]any{"path": fe.Path, "message": fe.Err.Error()})
			}
		}
		data = append(data, map[string]any{"cwd": cwd, "skills": found, "errors": bad})
	}
	return map[string]any{"data": data}, nil
}

// watchSkills sends skills/changed whenever a SKILL.md file under the
// skill folders of the server's directory or of a thread it loaded
// changes (the client re-runs skills/list). It runs until shutdown.
func (s *server) watchSkills() {
	ctx, cancel := context.WithCancel(s.ctx)
	s.stopSkills = cancel
	s.skills.Add(s.skillRoots(s.o.Getenv("PWD"))...)
	every := s.o.SkillsPoll
	if every <= 0 {
		every = DefaultSkillsPoll
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.skills.Run(ctx, every, func() {
			s.mu.Lock()
			ready := s.init
			s.mu.Unlock()
			if ready {
				s.c.notify("skills/changed", map[string]any{})
			}
		})
	}()
}

// skillRoots are the folders skills/list reads for cwd.
func (s *server) skillRoots(cwd string) []string {
	var out []string
	for _, r := range skills.Roots(skills.Options{CodexHome: s.o.CodexHome, Home: s.o.Getenv("HOME"), Cwd: cwd}) {
		out = append(out, r.Dir)
	}
	return out
}
