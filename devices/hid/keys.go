package hid

// Linux key codes used by the layouts, from include/uapi/linux/input-event-codes.h
// (https://github.com/torvalds/linux/blob/master/include/uapi/linux/input-event-codes.h).
// They name physical key positions of a PC keyboard, not characters: what a position types is
// the layout's business.
const (
	KeyEsc        uint16 = 1
	Key1          uint16 = 2 // 2..10 are KEY_1..KEY_9
	Key0          uint16 = 11
	KeyMinus      uint16 = 12
	KeyEqual      uint16 = 13
	KeyBackspace  uint16 = 14
	KeyTab        uint16 = 15
	KeyQ          uint16 = 16 // Q W E R T Y U I O P follow
	KeyLeftBrace  uint16 = 26
	KeyRightBrace uint16 = 27
	KeyEnter      uint16 = 28
	KeyLeftCtrl   uint16 = 29
	KeyA          uint16 = 30 // A S D F G H J K L follow
	KeySemicolon  uint16 = 39
	KeyApostrophe uint16 = 40
	KeyGrave      uint16 = 41
	KeyLeftShift  uint16 = 42
	KeyBackslash  uint16 = 43
	KeyZ          uint16 = 44 // Z X C V B N M follow
	KeyComma      uint16 = 51
	KeyDot        uint16 = 52
	KeySlash      uint16 = 53
	KeyRightShift uint16 = 54
	KeyKPAsterisk uint16 = 55
	KeyLeftAlt    uint16 = 56
	KeySpace      uint16 = 57
	KeyCapsLock   uint16 = 58
	KeyNumLock    uint16 = 69
	KeyKP7        uint16 = 71
	KeyKP8        uint16 = 72
	KeyKP9        uint16 = 73
	KeyKPMinus    uint16 = 74
	KeyKP4        uint16 = 75
	KeyKP5        uint16 = 76
	KeyKP6        uint16 = 77
	KeyKPPlus     uint16 = 78
	KeyKP1        uint16 = 79
	KeyKP2        uint16 = 80
	KeyKP3        uint16 = 81
	KeyKP0        uint16 = 82
	KeyKPDot      uint16 = 83
	Key102nd      uint16 = 86 // the extra key left of Z on ISO keyboards
	KeyKPEnter    uint16 = 96
	KeyRightCtrl  uint16 = 97
	KeyKPSlash    uint16 = 98
	KeyRightAlt   uint16 = 100 // AltGr on European layouts
	KeyLeftMeta   uint16 = 125
	KeyRightMeta  uint16 = 126
)

// Key codes of the letter keys, in QWERTY order of their positions.
const (
	KeyW uint16 = 17
	KeyE uint16 = 18
	KeyR uint16 = 19
	KeyT uint16 = 20
	KeyY uint16 = 21
	KeyU uint16 = 22
	KeyI uint16 = 23
	KeyO uint16 = 24
	KeyP uint16 = 25
	KeyS uint16 = 31
	KeyD uint16 = 32
	KeyF uint16 = 33
	KeyG uint16 = 34
	KeyH uint16 = 35
	KeyJ uint16 = 36
	KeyK uint16 = 37
	KeyL uint16 = 38
	KeyX uint16 = 45
	KeyC uint16 = 46
	KeyV uint16 = 47
	KeyB uint16 = 48
	KeyN uint16 = 49
	KeyM uint16 = 50
)

// Event types and key values of struct input_event, from the same header and
// Documentation/input/input.rst.
const (
	evSyn uint16 = 0x00
	evKey uint16 = 0x01

	keyRelease int32 = 0
	keyPress   int32 = 1
	keyRepeat  int32 = 2
)

// keypadRune returns what a keypad key types with Num Lock on, whatever the layout.
func keypadRune(code uint16) (rune, bool) {
	switch code {
	case KeyKP0:
		return '0', true
	case KeyKP1, KeyKP2, KeyKP3:
		return rune('1' + code - KeyKP1), true
	case KeyKP4, KeyKP5, KeyKP6:
		return rune('4' + code - KeyKP4), true
	case KeyKP7, KeyKP8, KeyKP9:
		return rune('7' + code - KeyKP7), true
	case KeyKPDot:
		return '.', true
	case KeyKPSlash:
		return '/', true
	case KeyKPAsterisk:
		return '*', true
	case KeyKPMinus:
		return '-', true
	case KeyKPPlus:
		return '+', true
	}
	return 0, false
}
