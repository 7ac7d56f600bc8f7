package appserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/codexgo/common/atomicfile"
)

// The fs/* methods act with the server's own rights, as the Codex CLI's
// do: they are the client's file access (an IDE's), not the model's, so
// no sandbox applies. Paths must be absolute.

type fsPath struct {
	Path string `json:"path"`
}

func absPath(p string, field string) (string, error) {
	if p == "" {
		return "", invalidParams("%s is required", field)
	}
	if !filepath.IsAbs(p) {
		return "", invalidParams("%s must be an absolute path", field)
	}
	return filepath.Clean(p), nil
}

func fsError(op string, err error) error {
	return invalidRequest("%s: %v", op, err)
}

func (s *server) fsReadFile(_ context.Context, params json.RawMessage) (any, error) {
	var p fsPath
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fsError("fs/readFile", err)
	}
	return map[string]any{"dataBase64": base64.StdEncoding.EncodeToString(data)}, nil
}

func (s *server) fsWriteFile(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Path       string  `json:"path"`
		DataBase64 *string `json:"dataBase64"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	if p.DataBase64 == nil {
		return nil, invalidParams("dataBase64 is required")
	}
	data, err := base64.StdEncoding.DecodeString(*p.DataBase64)
	if err != nil {
		return nil, invalidParams("dataBase64: %v", err)
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	if err := atomicfile.WriteFile(path, data, perm); err != nil {
		return nil, fsError("fs/writeFile", err)
	}
	return map[string]any{}, nil
}

func (s *server) fsReadDirectory(_ context.Context, params json.RawMessage) (any, error) {
	var p fsPath
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fsError("fs/readDirectory", err)
	}
	out := []any{}
	for _, e := range entries {
		isDir, isFile := e.IsDir(), e.Type().IsRegular()
		if e.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(path, e.Name())); err == nil {
				isDir, isFile = st.IsDir(), st.Mode().IsRegular()
			}
		}
		out = append(out, map[string]any{"fileName": e.Name(), "isDirectory": isDir, "isFile": isFile})
	}
	return map[string]any{"entries": out}, nil
}

func (s *server) fsGetMetadata(_ context.Context, params json.RawMessage) (any, error) {
	var p fsPath
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	lst, err := os.Lstat(path)
	if err != nil {
		return nil, fsError("fs/getMetadata", err)
	}
	st := lst
	if lst.Mode()&fs.ModeSymlink != 0 {
		if t, err := os.Stat(path); err == nil {
			st = t
		}
	}
	created, ok := birthMillis(path)
	if !ok {
		created = st.ModTime().UnixMilli()
	}
	return map[string]any{"isDirectory": st.IsDir(), "isFile": st.Mode().IsRegular(), "isSymlink": lst.Mode()&fs.ModeSymlink != 0,
		"createdAtMs": created, "modifiedAtMs": st.ModTime().UnixMilli()}, nil
}

func (s *server) fsCreateDirectory(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Path      string `json:"path"`
		Recursive *bool  `json:"recursive"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	if p.Recursive == nil || *p.Recursive {
		err = os.MkdirAll(path, 0o755)
	} else {
		err = os.Mkdir(path, 0o755)
	}
	if err != nil {
		return nil, fsError("fs/createDirectory", err)
	}
	return map[string]any{}, nil
}

func (s *server) fsRemove(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Path      string `json:"path"`
		Recursive *bool  `json:"recursive"`
		Force     *bool  `json:"force"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	path, err := absPath(p.Path, "path")
	if err != nil {
		return nil, err
	}
	if path == "/" {
		return nil, invalidParams("refusing to remove /")
	}
	recursive := p.Recursive == nil || *p.Recursive
	force := p.Force == nil || *p.Force
	if recursive {
		if _, err := os.Lstat(path); err != nil && !force {
			return nil, fsError("fs/remove", err)
		}
		err = os.RemoveAll(path)
	} else {
		err = os.Remove(path)
		if force && errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
	}
	if err != nil {
		return nil, fsError("fs/remove", err)
	}
	return map[string]any{}, nil
}

func (s *server) fsCopy(_ context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Source      string `json:"sourcePath"`
		Destination string `json:"destinationPath"`
		Recursive   bool   `json:"recursive"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	src, err := absPath(p.Source, "sourcePath")
	if err != nil {
		return nil, err
	}
	dst, err := absPath(p.Destination, "destinationPath")
	if err != nil {
		return nil, err
	}
	st, err := os.Lstat(src)
	if err != nil {
		return nil, fsError("fs/copy", err)
	}
	if st.IsDir() {
		if !p.Recursive {
			return nil, invalidRequest("fs/copy: %s is a directory (set recursive)", src)
		}
		if rel, err := filepath.Rel(src, dst); err == nil && (rel == "." || !filepath.IsAbs(rel) && len(rel) >= 2 && rel[:2] != "..") {
			return nil, invalidRequest("fs/copy: cannot copy %s into itself", src)
		}
		err = copyTree(src, dst)
	} else {
		err = copyFile(src, dst, st)
	}
	if err != nil {
		return nil, fsError("fs/copy", err)
	}
	return map[string]any{}, nil
}

func copyTree(src, dst string) error {
	var paths []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case st.IsDir():
			if err := os.MkdirAll(target, st.Mode().Perm()|0o700); err != nil {
				return err
			}
		default:
			if err := copyFile(p, target, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyFile copies a regular file (or recreates a symlink) through a
// temporary file renamed into place.
func copyFile(src, dst string, st fs.FileInfo) error {
	if st.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		_ = os.Remove(dst)
		return os.Symlink(target, dst)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(dst, data, st.Mode().Perm())
}
