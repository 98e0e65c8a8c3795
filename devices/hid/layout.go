package hid

import (
	"fmt"
	"sort"
	"strings"
)

// Levels of a key: what it types alone, with Shift, with AltGr, and with Shift+AltGr.
const (
	levelPlain = iota
	levelShift
	levelAltGr
	levelShiftAltGr
)

// Dead keys are stored in the tables as the combining character they put on the next letter.
const (
	deadGrave      = '\u0300'
	deadAcute      = '\u0301'
	deadCircumflex = '\u0302'
	deadTilde      = '\u0303'
	deadDiaeresis  = '\u0308'
)

// spacingAccent returns the character a dead key types when followed by a space.
func spacingAccent(dead rune) rune {
	switch dead {
	case deadGrave:
		return '`'
	case deadAcute:
		return '´'
	case deadCircumflex:
		return '^'
	case deadTilde:
		return '~'
	case deadDiaeresis:
		return '¨'
	}
	return 0
}

func isDead(r rune) bool { return spacingAccent(r) != 0 }

// Layout maps Linux key codes to the characters a keyboard layout gives them. Scanners in
// keyboard-wedge mode press the keys that type each character on the layout they are configured
// for ("keyboard country"), so the agent must read them with that same layout, not the host's.
type Layout struct {
	name string
	keys [128][4]rune
}

// Name returns the layout's name as profiles spell it.
func (l *Layout) Name() string { return l.name }

// Rune returns the character of key code at a level (0 plain, 1 Shift, 2 AltGr, 3 Shift+AltGr),
// a combining character for a dead key, or 0 when the key types nothing there.
func (l *Layout) Rune(code uint16, level int) rune {
	if int(code) >= len(l.keys) || level < 0 || level > levelShiftAltGr {
		return 0
	}
	return l.keys[code][level]
}

// row sets plain and shifted characters of consecutive key codes starting at first.
// A NUL rune leaves a level empty.
func (l *Layout) row(first uint16, plain, shift string) {
	p, s := []rune(plain), []rune(shift)
	if len(p) != len(s) {
		panic(fmt.Sprintf("hid: layout %s row %d: %d plain vs %d shifted keys", l.name, first, len(p), len(s)))
	}
	for i := range p {
		l.keys[int(first)+i][levelPlain] = p[i]
		l.keys[int(first)+i][levelShift] = s[i]
	}
}

// altgr sets the AltGr character of a key and, if given, its Shift+AltGr character.
func (l *Layout) altgr(code uint16, chars string) {
	r := []rune(chars)
	l.keys[code][levelAltGr] = r[0]
	if len(r) > 1 {
		l.keys[code][levelShiftAltGr] = r[1]
	}
}

// builders returns the layout constructors by name. The tables follow the xkeyboard-config
// symbols files (https://gitlab.freedesktop.org/xkeyboard-config/xkeyboard-config, symbols/us,
// gb, de, fr, it, fi, se), which match the Windows layouts scanners emulate for these keys.
func builders() map[string]func(*Layout) {
	return map[string]func(*Layout){
		"us": buildUS,
		"uk": buildUK,
		"gb": buildUK,
		"de": buildDE,
		"fr": buildFR,
		"it": buildIT,
		"fi": buildNordic,
		"se": buildNordic,
	}
}

// LayoutNames lists the layout names LayoutByName accepts.
func LayoutNames() []string {
	var names []string
	for n := range builders() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LayoutByName returns the named layout (case-insensitive): us, uk (or gb), de, fr, it, fi, se.
func LayoutByName(name string) (*Layout, error) {
	name = strings.ToLower(name)
	b, ok := builders()[name]
	if !ok {
		return nil, fmt.Errorf("hid: unknown keyboard layout %q (one of %s)", name, strings.Join(LayoutNames(), ", "))
	}
	l := &Layout{name: name}
	l.row(KeySpace, " ", " ")
	b(l)
	return l, nil
}

func buildUS(l *Layout) {
	l.row(Key1, "1234567890-=", "!@#$%^&*()_+")
	l.row(KeyQ, "qwertyuiop[]", "QWERTYUIOP{}")
	l.row(KeyA, "asdfghjkl;'`", "ASDFGHJKL:\"~")
	l.row(KeyBackslash, `\`, "|")
	l.row(KeyZ, "zxcvbnm,./", "ZXCVBNM<>?")
	l.row(Key102nd, "<", ">")
}

func buildUK(l *Layout) {
	l.row(Key1, "1234567890-=", "!\"£$%^&*()_+")
	l.row(KeyQ, "qwertyuiop[]", "QWERTYUIOP{}")
	l.row(KeyA, "asdfghjkl;'`", "ASDFGHJKL:@¬")
	l.row(KeyBackslash, "#", "~")
	l.row(KeyZ, "zxcvbnm,./", "ZXCVBNM<>?")
	l.row(Key102nd, `\`, "|")
	l.altgr(Key1+3, "€") // AltGr+4
	l.altgr(KeyGrave, "¦")
}

func buildDE(l *Layout) {
	l.row(Key1, "1234567890ß\u0301", "!\"§$%&/()=?\u0300")
	l.row(KeyQ, "qwertzuiopü+", "QWERTZUIOPÜ*")
	l.row(KeyA, "asdfghjklöä\u0302", "ASDFGHJKLÖÄ°")
	l.row(KeyBackslash, "#", "'")
	l.row(KeyZ, "yxcvbnm,.-", "YXCVBNM;:_")
	l.row(Key102nd, "<", ">")
	l.altgr(Key1+1, "²")
	l.altgr(Key1+2, "³")
	l.altgr(Key1+6, "{")
	l.altgr(Key1+7, "[")
	l.altgr(Key1+8, "]")
	l.altgr(Key0, "}")
	l.altgr(KeyMinus, `\`)
	l.altgr(KeyQ, "@")
	l.altgr(KeyE, "€")
	l.altgr(KeyRightBrace, "~")
	l.altgr(Key102nd, "|")
	l.altgr(KeyM, "µ")
}

func buildFR(l *Layout) {
	l.row(Key1, "&é\"'(-è_çà)=", "1234567890°+")
	l.row(KeyQ, "azertyuiop\u0302$", "AZERTYUIOP\u0308£")
	l.row(KeyA, "qsdfghjklmù²", "QSDFGHJKLM%\x00")
	l.row(KeyBackslash, "*", "µ")
	l.row(KeyZ, "wxcvbn,;:!", "WXCVBN?./§")
	l.row(Key102nd, "<", ">")
	l.altgr(Key1+1, "~")
	l.altgr(Key1+2, "#")
	l.altgr(Key1+3, "{")
	l.altgr(Key1+4, "[")
	l.altgr(Key1+5, "|")
	l.altgr(Key1+6, "`")
	l.altgr(Key1+7, `\`)
	l.altgr(Key1+8, "^")
	l.altgr(Key0, "@")
	l.altgr(KeyMinus, "]")
	l.altgr(KeyEqual, "}")
	l.altgr(KeyE, "€")
	l.altgr(KeyRightBrace, "¤")
}

func buildIT(l *Layout) {
	l.row(Key1, "1234567890'ì", "!\"£$%&/()=?^")
	l.row(KeyQ, "qwertyuiopè+", "QWERTYUIOPé*")
	l.row(KeyA, "asdfghjklòà\\", "ASDFGHJKLç°|")
	l.row(KeyBackslash, "ù", "§")
	l.row(KeyZ, "zxcvbnm,.-", "ZXCVBNM;:_")
	l.row(Key102nd, "<", ">")
	l.altgr(KeyE, "€")
	l.altgr(KeyLeftBrace, "[{")
	l.altgr(KeyRightBrace, "]}")
	l.altgr(KeySemicolon, "@")
	l.altgr(KeyApostrophe, "#")
}

// buildNordic is the Finnish and Swedish layout; the two agree on every key here.
func buildNordic(l *Layout) {
	l.row(Key1, "1234567890+\u0301", "!\"#¤%&/()=?\u0300")
	l.row(KeyQ, "qwertyuiopå\u0308", "QWERTYUIOPÅ\u0302")
	l.row(KeyA, "asdfghjklöä§", "ASDFGHJKLÖÄ½")
	l.row(KeyBackslash, "'", "*")
	l.row(KeyZ, "zxcvbnm,.-", "ZXCVBNM;:_")
	l.row(Key102nd, "<", ">")
	l.altgr(Key1+1, "@")
	l.altgr(Key1+2, "£")
	l.altgr(Key1+3, "$")
	l.altgr(Key1+4, "€")
	l.altgr(Key1+6, "{")
	l.altgr(Key1+7, "[")
	l.altgr(Key1+8, "]")
	l.altgr(Key0, "}")
	l.altgr(KeyMinus, `\`)
	l.altgr(KeyRightBrace, "\u0303")
	l.altgr(KeyE, "€")
	l.altgr(Key102nd, "|")
	l.altgr(KeyM, "µ")
}
