package agent

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/codexgo/codex-agent/model"
	"github.com/codexgo/codex-agent/session"
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/protocol"
)

// The session, its builder and the rollout moved to package session;
// these names stay for the front ends and the programs that import the
// agent (a facade, see the package doc).
type (
	// SessionConfig is session.SessionConfig.
	SessionConfig = session.SessionConfig
	// Session is session.Session.
	Session = session.Session
	// TurnComplete is session.TurnComplete.
	TurnComplete = session.TurnComplete
	// ServiceOptions is session.ServiceOptions.
	ServiceOptions = session.ServiceOptions
	// Service is session.Service.
	Service = session.Service
	// Setup is session.Setup.
	Setup = session.Setup
	// Rollout is session.Rollout.
	Rollout = session.Rollout
	// SessionMeta is session.SessionMeta.
	SessionMeta = session.SessionMeta
	// LoadedRollout is session.LoadedRollout.
	LoadedRollout = session.LoadedRollout
	// ClientOptions is session.ClientOptions.
	ClientOptions = session.ClientOptions
	// Client is session.Client.
	Client = session.Client
	// StaticCreds is session.StaticCreds.
	StaticCreds = session.StaticCreds
	// ProjectDocOptions is session.ProjectDocOptions.
	ProjectDocOptions = session.ProjectDocOptions
	// Policy is session.Policy.
	Policy = session.Policy
	// PolicyFunc is session.PolicyFunc.
	PolicyFunc = session.PolicyFunc
	// FallbackPolicy is session.FallbackPolicy.
	FallbackPolicy = session.FallbackPolicy
	// CmdPolicy is session.CmdPolicy.
	CmdPolicy = session.CmdPolicy
	// ExecPolicy is session.ExecPolicy.
	ExecPolicy = session.ExecPolicy
)

// Constants of package session.
const (
	DefaultCompactPrompt = session.DefaultCompactPrompt
	CompactedMessage     = session.CompactedMessage
	BaseInstructions     = session.BaseInstructions
	AbortedOutput        = session.AbortedOutput
)

// NewSession is session.NewSession.
func NewSession(cfg SessionConfig) (*Session, error) { return session.NewSession(cfg) }

// NewService is session.NewService.
func NewService(ctx context.Context, o ServiceOptions) (*Service, error) {
	return session.NewService(ctx, o)
}

// LoadSetup is session.LoadSetup.
func LoadSetup(o ServiceOptions) (*Setup, error) { return session.LoadSetup(o) }

// NewClient is session.NewClient.
func NewClient(ctx context.Context, o ClientOptions) (*Client, error) {
	return session.NewClient(ctx, o)
}

// NewThreadID is session.NewThreadID.
func NewThreadID(now time.Time) (string, error) { return session.NewThreadID(now) }

// CheckImages is session.CheckImages.
func CheckImages(items []protocol.InputItem) error { return session.CheckImages(items) }

// OutputFormat is session.OutputFormat.
func OutputFormat(tc *model.TextControls, schema json.RawMessage) *model.TextControls {
	return session.OutputFormat(tc, schema)
}

// ShellEnv is session.ShellEnv.
func ShellEnv(p config.ShellEnvironmentPolicy, environ []string) map[string]string {
	return session.ShellEnv(p, environ)
}

// LoadExecPolicy is session.LoadExecPolicy.
func LoadExecPolicy(codexHome, projectDir, home string, userRules bool) (*ExecPolicy, error) {
	return session.LoadExecPolicy(codexHome, projectDir, home, userRules)
}

// CreateRollout is session.CreateRollout.
func CreateRollout(codexHome string, meta SessionMeta, now func() time.Time) (*Rollout, error) {
	return session.CreateRollout(codexHome, meta, now)
}

// AppendRollout is session.AppendRollout.
func AppendRollout(path string, now func() time.Time) (*Rollout, error) {
	return session.AppendRollout(path, now)
}

// LoadRollout is session.LoadRollout.
func LoadRollout(path string) (*LoadedRollout, error) { return session.LoadRollout(path) }

// ForkRollout is session.ForkRollout.
func ForkRollout(codexHome, path string, now func() time.Time) (newPath, newID string, err error) {
	return session.ForkRollout(codexHome, path, now)
}

// FindRollout is session.FindRollout.
func FindRollout(codexHome, id string) (string, error) { return session.FindRollout(codexHome, id) }

// LatestRollout is session.LatestRollout.
func LatestRollout(codexHome, cwd string, all bool) (string, error) {
	return session.LatestRollout(codexHome, cwd, all)
}

// PairCalls is session.PairCalls.
func PairCalls(items []model.Item) []model.Item { return session.PairCalls(items) }

// ProjectDocs is session.ProjectDocs.
func ProjectDocs(o ProjectDocOptions) string { return session.ProjectDocs(o) }

// GitRoot is session.GitRoot.
func GitRoot(dir string) (string, bool) { return session.GitRoot(dir) }

// EnvironmentContext is session.EnvironmentContext.
func EnvironmentContext(cwd, shell string, now time.Time, sp protocol.SandboxPolicy, ap protocol.AskForApproval) string {
	return session.EnvironmentContext(cwd, shell, now, sp, ap)
}

// PermissionsText is session.PermissionsText.
func PermissionsText(sp protocol.SandboxPolicy, ap protocol.AskForApproval) string {
	return session.PermissionsText(sp, ap)
}

// InitialContext is session.InitialContext.
func InitialContext(docs, cwd, envContext, permissions string) []model.Item {
	return session.InitialContext(docs, cwd, envContext, permissions)
}

// OSSBaseURL is session.OSSBaseURL.
func OSSBaseURL(provider string, getenv func(string) string) string {
	return session.OSSBaseURL(provider, getenv)
}

// ProbeOSS is session.ProbeOSS.
func ProbeOSS(ctx context.Context, hc *http.Client, base, modelName string, stderr io.Writer) error {
	return session.ProbeOSS(ctx, hc, base, modelName, stderr)
}
