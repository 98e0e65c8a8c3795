package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lines lays t out on lines of cols characters. wide reports that t prints at double width: it
// is Wide and fits on one line of cols/2 characters; its one line then holds at most cols/2.
func (t Text) Lines(cols int) (lines []string, wide bool) {
	if t.Wide {
		one := strings.Join(strings.FieldsFunc(t.Text, isSpace), " ")
		if t.NoWrap {
			one = clean(t.Text)
		}
		if one != "" && 2*utf8.RuneCountInString(one) <= cols {
			return []string{one}, true
		}
	}
	if t.NoWrap {
		return []string{fitted(clean(t.Text), cols)}, false
	}
	return Wrap(t.Text, cols), false
}

// Lines lays p out on lines of cols characters: Left and Right on one line, Right against the
// edge; when they do not fit, Left wraps and Right goes on its last line, or on a line of its
// own when Left's words would have to split; a Right of cols characters or more wraps on its
// own lines (see Overflows).
func (p Pair) Lines(cols int) []string {
	left, right := p.Left, clean(p.Right)
	rw := utf8.RuneCountInString(right)
	if rw >= cols {
		return append(Wrap(left, cols), Wrap(right, cols)...)
	}
	if longestWord(left) > cols-rw-1 {
		// Wrapping left beside right would split its words: right goes on its own line.
		return append(Wrap(left, cols), padLeft(right, cols))
	}
	lines := Wrap(left, cols-rw-1)
	if len(lines) == 0 {
		lines = []string{""}
	}
	last := lines[len(lines)-1]
	lines[len(lines)-1] = last + strings.Repeat(" ", cols-utf8.RuneCountInString(last)-rw) + right
	return lines
}

// Overflows reports that p's Right does not fit beside anything on a line of cols characters
// (it is cols long or longer), so Lines wraps it on lines of its own; a renderer with a smaller
// font may print it there instead when p.SmallOverflow.
func (p Pair) Overflows(cols int) bool { return utf8.RuneCountInString(clean(p.Right)) >= cols }

// Line lays r out on a line of cols characters: the first cell left, the others right-aligned
// in columns of (cols-8)/(cells-1), cut at cols.
func (r Row) Line(cols int) string {
	if len(r.Cells) == 0 {
		return ""
	}
	if len(r.Cells) == 1 {
		return fitted(clean(r.Cells[0]), cols)
	}
	amt := max(cols-8, 0) / (len(r.Cells) - 1)
	var b strings.Builder
	b.WriteString(padRight(clean(r.Cells[0]), cols-amt*(len(r.Cells)-1)))
	for _, c := range r.Cells[1:] {
		b.WriteString(padLeft(clean(c), amt))
	}
	return fitted(b.String(), cols)
}

// RuleLine is a Rule on a line of cols characters.
func RuleLine(cols int) string { return strings.Repeat("-", max(cols, 0)) }

// Wrap breaks s into lines of at most width characters at white space, splitting longer words.
// Empty or blank s gives no lines.
func Wrap(s string, width int) []string {
	width = max(width, 1)
	var lines []string
	var cur []rune
	for _, word := range strings.FieldsFunc(s, isSpace) {
		wr := []rune(word)
		for len(wr) > width {
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(wr[:width]))
			wr = wr[width:]
		}
		switch {
		case len(cur) == 0:
			cur = wr
		case len(cur)+1+len(wr) <= width:
			cur = append(append(cur, ' '), wr...)
		default:
			lines = append(lines, string(cur))
			cur = wr
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// isSpace splits words at white space and at control characters, which never reach a device.
func isSpace(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// clean turns control characters (a newline, an ESC) into spaces, so a text that is not wrapped
// stays one line and sends no command.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func longestWord(s string) int {
	n := 0
	for _, f := range strings.FieldsFunc(s, isSpace) {
		n = max(n, utf8.RuneCountInString(f))
	}
	return n
}

func fitted(s string, width int) string {
	r := []rune(s)
	if len(r) > width {
		return string(r[:max(width, 0)])
	}
	return s
}

func padLeft(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
