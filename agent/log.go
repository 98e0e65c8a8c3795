package agent

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger builds the agent's logger from log: (json or text, level) writing to w. verbose forces
// debug level (the CLI's -v).
func NewLogger(c LogConfig, w io.Writer, verbose bool) *slog.Logger {
	l, _ := NewLoggerVar(c, w, verbose)
	return l
}

// NewLoggerVar is NewLogger that also returns the level it logs at, for Options.LogLevel: a fleet
// overlay's log.level then changes it in place. With verbose the level is forced to debug and no
// level is returned (log.level then restarts the agent, and -v still wins).
func NewLoggerVar(c LogConfig, w io.Writer, verbose bool) (*slog.Logger, *slog.LevelVar) {
	level := new(slog.LevelVar)
	level.Set(logLevel(c.Level))
	if verbose {
		level.Set(slog.LevelDebug)
	}
	opts := &slog.HandlerOptions{Level: level}
	if verbose {
		level = nil
	}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), level
	}
	return slog.New(slog.NewTextHandler(w, opts)), level
}

// logLevel is log.level as a slog level (info for anything else; Validate refuses other values).
func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
