package tui

import (
	"github.com/codexgo/common/config"
	"github.com/codexgo/common/models"
)

// contextWindows decides a model's context window for the footer and
// /status before the agent reports one: config's model_context_window
// wins, else the model catalogue (model_catalog_json, else the bundled
// one) gives the window the agent uses. An unreadable catalogue leaves
// the window unknown (the agent reports it with the first turn).
func contextWindows(cfg *config.Config) func(string) int64 {
	if cfg.ModelContextWindow > 0 {
		w := cfg.ModelContextWindow
		return func(string) int64 { return w }
	}
	cat, err := models.Load(cfg.ModelCatalogJSON)
	if err != nil {
		return nil
	}
	return func(model string) int64 {
		if m, ok := cat.Lookup(model); ok {
			return m.EffectiveContextWindow()
		}
		return 0
	}
}
