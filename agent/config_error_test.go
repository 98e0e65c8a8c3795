package agent

import (
	"fmt"
	"strings"
	"testing"
)

func TestConfigProblem_String(t *testing.T) {
	for _, tt := range []struct {
		p    ConfigProblem
		want string
	}{
		{ConfigProblem{Source: "s.yaml", Line: 3, Path: "log.level", Message: "bad"}, "s.yaml:3: log.level: bad"},
		{ConfigProblem{Source: "STOREAGENT_LOG_LEVEL", Path: "log.level", Message: "bad"}, "STOREAGENT_LOG_LEVEL: log.level: bad"},
		{ConfigProblem{Path: "log.level", Message: "bad"}, "log.level: bad"},
		{ConfigProblem{Source: "s.yaml", Message: "empty"}, "s.yaml: empty"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestConfigError_Error(t *testing.T) {
	t.Run("joined", func(t *testing.T) {
		e := &ConfigError{Problems: []ConfigProblem{{Path: "a", Message: "x"}, {Path: "b", Message: "y"}}}
		if got, want := e.Error(), "a: x; b: y"; got != want {
			t.Errorf("Error() = %q; want %q", got, want)
		}
	})
	t.Run("capped", func(t *testing.T) {
		e := &ConfigError{}
		for i := range 13 {
			e.Problems = append(e.Problems, ConfigProblem{Path: fmt.Sprint("k", i), Message: "bad"})
		}
		got := e.Error()
		if !strings.HasSuffix(got, "k9: bad; and 3 more") || strings.Contains(got, "k10") || strings.Contains(got, "\n") {
			t.Errorf("Error() = %q; want ten problems then \"and 3 more\", on one line", got)
		}
	})
}
