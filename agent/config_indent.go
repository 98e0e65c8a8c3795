package agent

import (
	"fmt"
	"strings"
)

// configIndentErrors are yaml.v3 messages that a mis-indented line causes; yaml.v3 reports them at
// the line where the enclosing block began, not at the line that broke it.
var configIndentErrors = []string{
	"did not find expected key",
	"did not find expected '-' indicator",
	"mapping values are not allowed in this context",
	"did not find expected <document start>",
}

// configYAMLErrorIn is configYAMLError that, for an indentation error, points at the first line
// from the reported one on whose indentation matches no open block, when there is one.
func configYAMLErrorIn(source string, data []byte, err error) error {
	e := configYAMLError(source, err)
	ce, ok := e.(*ConfigError)
	if !ok || len(ce.Problems) != 1 {
		return e
	}
	p := &ce.Problems[0]
	for _, m := range configIndentErrors {
		if strings.HasPrefix(p.Message, m) {
			if line := configBadIndentLine(string(data), p.Line); line > 0 && line != p.Line {
				p.Message = fmt.Sprintf("the indentation of this line matches no enclosing key (YAML: %s in the block at line %d)", p.Message, p.Line)
				p.Line = line
			}
			break
		}
	}
	return ce
}

// configBadIndentLine returns the 1-based number of the first line at or after from whose
// indentation opens no block (more indented than a line that does not end in ':') or returns to no
// enclosing level; 0 when every line fits. Block scalars (| and >) and flow collections spanning
// lines are skipped. It is a heuristic for error messages only; the YAML parser decides validity.
func configBadIndentLine(data string, from int) int {
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	stack := []int{0}
	opens := false     // the previous line ends a key with ':' (a nested block may follow)
	scalarIndent := -1 // inside a block scalar: lines more indented than this are its text
	for i, raw := range lines {
		trimmed := strings.TrimLeft(raw, " ")
		indent := len(raw) - len(trimmed)
		if t := strings.TrimSpace(trimmed); t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		if scalarIndent >= 0 {
			if indent > scalarIndent {
				continue
			}
			scalarIndent = -1
		}
		top := stack[len(stack)-1]
		switch {
		case indent > top && opens:
			stack = append(stack, indent)
		case indent > top:
			if i+1 >= from {
				return i + 1
			}
			stack = append(stack, indent)
		case indent < top:
			for len(stack) > 1 && stack[len(stack)-1] > indent {
				stack = stack[:len(stack)-1]
			}
			if stack[len(stack)-1] != indent {
				if i+1 >= from {
					return i + 1
				}
				stack = append(stack, indent)
			}
		}
		content := configStripComment(trimmed)
		// "- key: value": the item's mapping continues at the column after the dash.
		for strings.HasPrefix(content, "- ") || content == "-" {
			rest := strings.TrimLeft(content[1:], " ")
			indent += len(content) - len(rest)
			stack = append(stack, indent)
			content = rest
		}
		opens = strings.HasSuffix(content, ":") || content == ""
		if strings.HasSuffix(content, "|") || strings.HasSuffix(content, ">") ||
			strings.HasSuffix(content, "|-") || strings.HasSuffix(content, ">-") ||
			strings.HasSuffix(content, "|+") || strings.HasSuffix(content, ">+") {
			scalarIndent = indent
			opens = false
		}
		if strings.Count(content, "{") > strings.Count(content, "}") || strings.Count(content, "[") > strings.Count(content, "]") {
			return 0 // a flow collection over several lines: indentation does not apply
		}
	}
	return 0
}

// configStripComment drops a trailing " # comment" outside quotes.
func configStripComment(s string) string {
	inS, inD := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' && !inD:
			inS = !inS
		case c == '"' && !inS:
			inD = !inD
		case c == '#' && !inS && !inD && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " ")
		}
	}
	return strings.TrimRight(s, " ")
}
