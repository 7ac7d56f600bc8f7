package linuxsandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/codexgo/common/protocol"
)

// Permission profiles: the Codex CLI 0.169 helper takes the policy as
// --permission-profile JSON instead of --sandbox-policy. The shapes (seen
// in what 0.169's `codex sandbox` passes its helper, and in what that
// helper accepts; tests/testdata/permission-profiles.json):
//
//	{"type":"disabled"}                                   no sandbox
//	{"type":"external","network":"restricted|enabled"}    files left to an outer sandbox
//	{"type":"managed","network":"restricted|enabled",
//	 "file_system":{"type":"unrestricted"}}
//	{"type":"managed","network":…,"file_system":{"type":"restricted","entries":[
//	   {"path":{"type":"special","value":{"kind":"root"}},"access":"read"},
//	   {"path":{"type":"path","path":"/abs"},"access":"write"},
//	   {"path":{"type":"special","value":{"kind":"project_roots","subpath":"sub"}},"access":"write"},
//	   {"path":{"type":"special","value":{"kind":"slash_tmp"}},"access":"write"},
//	   {"path":{"type":"special","value":{"kind":"tmpdir"}},"access":"write"},
//	   {"path":{"type":"path","path":"/abs/.git"},"access":"read","missing_path_behavior":"skip"}]}}
//
// We restrict writes only (reads are never restricted), so a profile that
// restricts reads (no readable root, a "none"/"deny" entry) is refused
// rather than run with less protection than it asks for.

type profileJSON struct {
	Type       string          `json:"type"`
	Network    *string         `json:"network"`
	FileSystem *fileSystemJSON `json:"file_system"`
}

type fileSystemJSON struct {
	Type             string         `json:"type"`
	Entries          []profileEntry `json:"entries"`
	GlobScanMaxDepth *uint          `json:"glob_scan_max_depth"`
}

type profileEntry struct {
	Path                profilePath `json:"path"`
	Access              string      `json:"access"`
	MissingPathBehavior string      `json:"missing_path_behavior"`
}

type profilePath struct {
	Type    string `json:"type"`
	Path    string `json:"path"`
	Pattern string `json:"pattern"`
	Value   *struct {
		Kind    string `json:"kind"`
		Subpath string `json:"subpath"`
		Path    string `json:"path"`
	} `json:"value"`
}

// DecodePermissionProfile turns a Codex CLI 0.169 --permission-profile
// JSON into the sandbox policy it means here, cwd being the policy cwd.
// Unknown fields and shapes are errors: a restriction we did not
// understand is never dropped (0.169 ignores unknown fields).
func DecodePermissionProfile(b []byte, cwd string) (protocol.SandboxPolicy, error) {
	var pj profileJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pj); err != nil {
		return protocol.SandboxPolicy{}, fmt.Errorf("invalid permission profile JSON: %w", err)
	}
	if dec.More() {
		return protocol.SandboxPolicy{}, fmt.Errorf("invalid permission profile JSON: data after the object")
	}
	network := func() (bool, error) {
		if pj.Network == nil {
			return false, fmt.Errorf(`permission profile of type %q needs "network"`, pj.Type)
		}
		switch *pj.Network {
		case "restricted":
			return false, nil
		case "enabled":
			return true, nil
		}
		return false, fmt.Errorf(`unknown network %q (want "restricted" or "enabled")`, *pj.Network)
	}
	switch pj.Type {
	case "disabled":
		if pj.Network != nil || pj.FileSystem != nil {
			return protocol.SandboxPolicy{}, fmt.Errorf(`a "disabled" permission profile takes no other field`)
		}
		return protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}, nil
	case "external":
		// The caller's own sandbox handles files; the network is ours.
		if pj.FileSystem != nil {
			return protocol.SandboxPolicy{}, fmt.Errorf(`an "external" permission profile takes no "file_system"`)
		}
		net, err := network()
		if err != nil {
			return protocol.SandboxPolicy{}, err
		}
		return everythingWritable(net), nil
	case "managed":
	default:
		return protocol.SandboxPolicy{}, fmt.Errorf(`unknown permission profile type %q (want "managed", "external" or "disabled")`, pj.Type)
	}
	net, err := network()
	if err != nil {
		return protocol.SandboxPolicy{}, err
	}
	if pj.FileSystem == nil {
		return protocol.SandboxPolicy{}, fmt.Errorf(`a "managed" permission profile needs "file_system"`)
	}
	switch pj.FileSystem.Type {
	case "unrestricted":
		return everythingWritable(net), nil
	case "restricted":
	default:
		return protocol.SandboxPolicy{}, fmt.Errorf(`unknown file_system type %q (want "restricted" or "unrestricted")`, pj.FileSystem.Type)
	}
	p := protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, NetworkAccess: net,
		ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}
	// Without a project_roots write entry the policy cwd is not a root:
	// the cwd is always one in our policy, so such a profile is read-only
	// unless it names other roots.
	cwdWritable, readsAll, anyWrite := false, false, false
	var readOnly []string
	for _, e := range pj.FileSystem.Entries {
		switch e.MissingPathBehavior {
		case "", "skip":
		default:
			return protocol.SandboxPolicy{}, fmt.Errorf("unknown missing_path_behavior %q (want \"skip\")", e.MissingPathBehavior)
		}
		var path, kind string
		switch e.Path.Type {
		case "path":
			if !filepath.IsAbs(e.Path.Path) {
				return protocol.SandboxPolicy{}, fmt.Errorf("permission profile path %q is not absolute", e.Path.Path)
			}
			path = filepath.Clean(e.Path.Path)
		case "special":
			if e.Path.Value == nil {
				return protocol.SandboxPolicy{}, fmt.Errorf(`a "special" path needs "value"`)
			}
			kind = e.Path.Value.Kind
		case "glob_pattern":
			kind = "glob"
		default:
			return protocol.SandboxPolicy{}, fmt.Errorf("unknown permission profile path type %q", e.Path.Type)
		}
		switch e.Access {
		case "read":
			switch {
			case kind == "root":
				readsAll = true
			case path != "":
				// Read-only where it lies inside a writable root; elsewhere
				// everything is readable anyway.
				readOnly = append(readOnly, path)
			}
			// Other read entries (minimal, tmp dirs, globs) only add
			// reads, which are never restricted here.
		case "write":
			anyWrite = true
			switch kind {
			case "":
				if path == filepath.Clean(cwd) {
					cwdWritable = true
				} else {
					p.WritableRoots = append(p.WritableRoots, path)
				}
			case "root":
				p.WritableRoots = append(p.WritableRoots, "/")
			case "project_roots":
				if s := e.Path.Value.Subpath; s != "" {
					p.WritableRoots = append(p.WritableRoots, s) // relative: against the policy cwd
				} else {
					cwdWritable = true
				}
			case "slash_tmp":
				p.ExcludeSlashTmp = false
			case "tmpdir":
				p.ExcludeTmpdirEnvVar = false
			case "unknown":
				// 0.169 ignores a special path it does not know.
			default:
				return protocol.SandboxPolicy{}, fmt.Errorf("write access to %q paths is not supported", kind)
			}
		case "none", "deny":
			return protocol.SandboxPolicy{}, fmt.Errorf("permission profile denies reading %s: this helper restricts writes only and never hides files; refusing rather than run with less protection than asked", describeEntry(e))
		default:
			return protocol.SandboxPolicy{}, fmt.Errorf("unknown access %q (want \"read\", \"write\" or \"none\")", e.Access)
		}
	}
	if !readsAll {
		return protocol.SandboxPolicy{}, fmt.Errorf(`permission profile does not let the command read "/" (special "root"): this helper restricts writes only and cannot restrict reads; refusing rather than run with less protection than asked`)
	}
	if !anyWrite {
		return protocol.SandboxPolicy{Mode: protocol.SandboxReadOnly, NetworkAccess: net}, nil
	}
	if !cwdWritable {
		return protocol.SandboxPolicy{}, fmt.Errorf("permission profile makes paths writable but not the project root: this helper always makes the policy cwd writable under workspace-write; pass the project root (special project_roots) or a --sandbox-policy-cwd that is one of the writable paths")
	}
	p.ReadOnlySubpaths = readOnly
	return p, nil
}

// everythingWritable is a policy that writes anywhere, with or without
// the network: no filesystem restriction, only the network's.
func everythingWritable(network bool) protocol.SandboxPolicy {
	if network {
		return protocol.SandboxPolicy{Mode: protocol.SandboxDangerFullAccess}
	}
	return protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite, WritableRoots: []string{"/"},
		ExcludeSlashTmp: true, ExcludeTmpdirEnvVar: true}
}

func describeEntry(e profileEntry) string {
	switch {
	case e.Path.Type == "path":
		return e.Path.Path
	case e.Path.Type == "glob_pattern":
		return "glob " + e.Path.Pattern
	case e.Path.Value != nil:
		return "special path " + e.Path.Value.Kind
	}
	return "a path"
}
