// Package schematest checks app-server messages against the protocol's
// JSON Schema as the Codex CLI 0.169.0 generates it
// (`codex app-server generate-json-schema`, kept in
// appserver/testdata/codex_app_server_protocol.schemas.json), with the
// santhosh-tekuri/jsonschema validator. Tests of the server and of the
// fused binary validate every line the server writes.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const url = "file:///codex_app_server_protocol.schemas.json"

// Path is the schema bundle's location in the repository.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "codex_app_server_protocol.schemas.json")
}

// responseTypes names the result type of the requests whose params type
// does not name it.
var responseTypes = map[string]string{
	"config/value/write":      "ConfigWriteResponse",
	"config/batchWrite":       "ConfigWriteResponse",
	"account/logout":          "LogoutAccountResponse",
	"account/rateLimits/read": "GetAccountRateLimitsResponse",
	"config/mcpServer/reload": "McpServerRefreshResponse",
}

// Validator validates server messages.
type Validator struct {
	c      *jsonschema.Compiler
	doc    any
	mu     sync.Mutex
	cache  map[string]*jsonschema.Schema
	params map[string]string // method -> params type
}

// Load reads the schema bundle.
func Load() (*Validator, error) {
	data, err := os.ReadFile(Path())
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	v := &Validator{c: c, doc: doc, cache: map[string]*jsonschema.Schema{}, params: map[string]string{}}
	var raw struct {
		Definitions struct {
			ClientRequest struct {
				OneOf []struct {
					Properties struct {
						Method struct {
							Enum []string `json:"enum"`
						} `json:"method"`
						Params struct {
							Ref string `json:"$ref"`
						} `json:"params"`
					} `json:"properties"`
				} `json:"oneOf"`
			} `json:"ClientRequest"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for _, o := range raw.Definitions.ClientRequest.OneOf {
		if len(o.Properties.Method.Enum) == 1 && o.Properties.Params.Ref != "" {
			v.params[o.Properties.Method.Enum[0]] = o.Properties.Params.Ref[strings.LastIndex(o.Properties.Params.Ref, "/")+1:]
		}
	}
	return v, nil
}

// schema compiles a definition (top level, else under v2).
func (v *Validator) schema(name string) (*jsonschema.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.cache[name]; ok {
		return s, nil
	}
	defs := v.doc.(map[string]any)["definitions"].(map[string]any)
	ref := "#/definitions/" + name
	if _, ok := defs[name]; !ok {
		ref = "#/definitions/v2/" + name
	}
	s, err := v.c.Compile(url + ref)
	if err != nil {
		return nil, err
	}
	v.cache[name] = s
	return s, nil
}

// Check validates def against one decoded value.
func (v *Validator) Check(def string, value any) error {
	s, err := v.schema(def)
	if err != nil {
		return err
	}
	return s.Validate(value)
}

// ResponseType is the result type of a client request.
func (v *Validator) ResponseType(method string) string {
	if t, ok := responseTypes[method]; ok {
		return t
	}
	p := v.params[method]
	return strings.TrimSuffix(p, "Params") + "Response"
}

// Line validates one line the server wrote. method names the client
// request a response answers ("" for other messages).
func (v *Validator) Line(line []byte, method string) error {
	val, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	m, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	if _, ok := m["jsonrpc"]; ok {
		return fmt.Errorf("carries a jsonrpc member, which 0.169 does not send")
	}
	_, hasID := m["id"]
	_, hasMethod := m["method"]
	switch {
	case hasMethod && hasID:
		return v.Check("ServerRequest", val)
	case hasMethod:
		return v.Check("ServerNotification", val)
	case m["error"] != nil:
		if m["id"] == nil {
			// A line whose id could not be read (JSON-RPC 2.0 §5.1):
			// the error object itself must still be well formed.
			return v.Check("JSONRPCErrorError", m["error"])
		}
		return v.Check("JSONRPCError", val)
	case hasID:
		if err := v.Check("JSONRPCResponse", val); err != nil {
			return err
		}
		if method == "" {
			return fmt.Errorf("response to an unknown request")
		}
		return v.Check(v.ResponseType(method), m["result"])
	}
	return fmt.Errorf("neither a request, a notification nor a response")
}
