package agent

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger builds the agent's logger from log: (json or text, level) writing to w. verbose forces
// debug level (the CLI's -v).
func NewLogger(c LogConfig, w io.Writer, verbose bool) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(c.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
