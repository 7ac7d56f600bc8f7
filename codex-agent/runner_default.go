package agent

// DefaultRunner is the runner used when no --sandbox-cmd is given.
func DefaultRunner() Runner { return DirectRunner{} }
