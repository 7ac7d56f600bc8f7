package codex

// Default returns the bundle of every tool linked into the codex binary.
func Default() *Bundle {
	return &Bundle{
		Tools:       map[string]MainFunc{},
		Subcommands: map[string]Subcommand{},
		Default:     "tui",
	}
}
