package config

// builtinProviders are the providers that exist without configuration.
func builtinProviders() map[string]ModelProvider {
	return map[string]ModelProvider{
		"openai": {
			Name:               "OpenAI",
			BaseURL:            "https://api.openai.com/v1",
			EnvKey:             "OPENAI_API_KEY",
			WireAPI:            "responses",
			RequiresOpenaiAuth: true,
		},
		"ollama": {
			Name:    "gpt-oss",
			BaseURL: "http://localhost:11434/v1",
			WireAPI: "responses",
		},
		"lmstudio": {
			Name:    "gpt-oss",
			BaseURL: "http://localhost:1234/v1",
			WireAPI: "responses",
		},
	}
}

// Provider returns the provider with the given id: a model_providers entry,
// else a built-in (openai, ollama, lmstudio). As in the Codex CLI, a table
// cannot replace the built-in openai entry, but openai_base_url moves it.
func (c *Config) Provider(id string) (ModelProvider, bool) {
	b := builtinProviders()
	if p, ok := b[id]; ok {
		if id == "openai" && c.OpenaiBaseURL != "" {
			p.BaseURL = c.OpenaiBaseURL
		}
		return p, true
	}
	p, ok := c.ModelProviders[id]
	if ok && p.WireAPI == "" {
		p.WireAPI = "responses"
	}
	return p, ok
}
