package models

import "testing"

// FuzzParse: a model_catalog_json file is outside input; Parse must fail
// cleanly, and what it accepts must be usable.
func FuzzParse(f *testing.F) {
	f.Add(bundled)
	f.Add([]byte(`{"models":[{"slug":"a","supported_reasoning_levels":[{"effort":"low"}],"truncation_policy":{"mode":"tokens","limit":1}}]}`))
	f.Add([]byte(`{"models":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		for _, m := range c.Models {
			s := c.Sampling(m.Slug, Settings{})
			_ = s.WebSearchTool(WebSearchLive)
		}
		_ = c.Default()
	})
}
