package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// ConfigProblem is one thing wrong with a configuration.
type ConfigProblem struct {
	// Source is where the bad value came from: the config file's name, the environment
	// variable's name, or empty when unknown (a Config built in code).
	Source string
	// Line is the 1-based line in Source, or 0.
	Line int
	// Path is the key path, such as devices[1].transport.
	Path string
	// Message says what is wrong and what is allowed.
	Message string
}

// String formats p as "source:line: path: message", leaving out what is unknown.
func (p ConfigProblem) String() string {
	var b strings.Builder
	if p.Source != "" {
		b.WriteString(p.Source)
		if p.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ConfigError lists every problem found in a configuration, in the order found.
// Use errors.As to reach the individual problems, for example to print one per line.
type ConfigError struct {
	Problems []ConfigProblem
}

// configErrorShown is how many problems Error() spells out before counting the rest.
const configErrorShown = 10

// Error joins the problems on one line, separated by "; ", the first ten of them in full.
func (e *ConfigError) Error() string {
	var parts []string
	for i, p := range e.Problems {
		if i == configErrorShown {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Problems)-i))
			break
		}
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}

// configProblems collects problems; its zero value is ready to use.
type configProblems struct {
	list []ConfigProblem
}

// add records a problem at path.
func (ps *configProblems) add(path, msg string) {
	ps.list = append(ps.list, ConfigProblem{Path: path, Message: msg})
}

// addAt records a problem with its source and line.
func (ps *configProblems) addAt(source string, line int, path, msg string) {
	ps.list = append(ps.list, ConfigProblem{Source: source, Line: line, Path: path, Message: msg})
}

// err returns the problems as a *ConfigError, or nil when there are none.
func (ps *configProblems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ConfigError{Problems: ps.list}
}

// configJoinPath appends a key to a path.
func configJoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// configIndexPath appends a list index to a path.
func configIndexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
