package agent

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// configNodeBudget caps how many YAML nodes one decode visits, so that aliases and merge keys
// cannot expand a small file into an enormous one ("billion laughs").
const configNodeBudget = 200_000

// configDecoder decodes a yaml.Node tree into the config structs, checking every key against
// the struct tags and naming the key path of every problem. yaml.v3's own Decode with
// KnownFields does not give paths, so this walks the tree itself.
type configDecoder struct {
	source   string
	problems configProblems
	// lines maps each key path seen to the line of its value, to place later problems.
	lines      map[string]int
	budget     int
	expanding  map[*yaml.Node]bool
	overBudget bool
}

// newConfigDecoder returns a decoder that names source in its problems.
func newConfigDecoder(source string) *configDecoder {
	return &configDecoder{
		source:    source,
		lines:     map[string]int{},
		budget:    configNodeBudget,
		expanding: map[*yaml.Node]bool{},
	}
}

// configDefaulter is implemented by list elements that have defaults of their own.
type configDefaulter interface {
	setConfigDefaults()
}

// setConfigDefaults gives a layout from the file no value check digit unless it names one.
func (l *RCNLayout) setConfigDefaults() { l.ValueCheckPos = -1 }

// configTextUnmarshalerType marks field types that decode themselves from text (Duration).
var configTextUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// problem records a problem at n's line.
func (d *configDecoder) problem(n *yaml.Node, path, msg string) {
	d.problems.addAt(d.source, n.Line, path, msg)
}

// decode decodes n into v, which must be settable. A null leaves v as it was.
func (d *configDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.budget--
	if d.budget < 0 {
		if !d.overBudget {
			d.overBudget = true
			d.problem(n, path, "the document expands to too many values (aliases or merge keys)")
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if d.expanding[n.Alias] {
			d.problem(n, path, fmt.Sprintf("alias *%s refers to itself", n.Value))
			return
		}
		d.expanding[n.Alias] = true
		d.decode(n.Alias, v, path)
		delete(d.expanding, n.Alias)
		return
	}
	if path != "" {
		d.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if reflect.PointerTo(v.Type()).Implements(configTextUnmarshalerType) {
		d.decodeText(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.problem(n, path, "expected a string, found "+configNodeKind(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		d.decodeInt(n, v, path)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode {
			d.problem(n, path, "expected true or false, found "+configNodeKind(n))
			return
		}
		b, err := configParseBool(n.Value)
		if err != nil {
			d.problem(n, path, err.Error())
			return
		}
		v.SetBool(b)
	case reflect.Slice:
		d.decodeList(n, v, path)
	case reflect.Struct:
		d.decodeMapping(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	default:
		// Unreachable with the config types; a new field type needs a case above.
		d.problem(n, path, fmt.Sprintf("unsupported field type %s", v.Type()))
	}
}

// decodeText decodes a scalar through the value's UnmarshalText (Duration).
func (d *configDecoder) decodeText(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.problem(n, path, "expected a string, found "+configNodeKind(n))
		return
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
		d.problem(n, path, err.Error())
	}
}

// decodeInt decodes an integer scalar, in any notation YAML allows for !!int.
func (d *configDecoder) decodeInt(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.problem(n, path, "expected an integer, found "+configNodeKind(n))
		return
	}
	var i int64
	if n.ShortTag() == "!!int" {
		if err := n.Decode(&i); err != nil {
			d.problem(n, path, fmt.Sprintf("%q is not an integer in range", n.Value))
			return
		}
	} else {
		parsed, err := configParseInt(n.Value)
		if err != nil {
			d.problem(n, path, err.Error())
			return
		}
		i = parsed
	}
	if v.OverflowInt(i) {
		d.problem(n, path, fmt.Sprintf("%q is out of range", n.Value))
		return
	}
	v.SetInt(i)
}

// configParseBool parses true or false (YAML 1.2's only booleans; "yes" and "on" are refused
// rather than guessed), as found in the file or the environment.
func configParseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// configParseInt parses a decimal integer, as found in a quoted YAML value or the environment.
func configParseInt(s string) (int64, error) {
	i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return i, nil
}

// decodeList decodes a sequence; it replaces the default list.
func (d *configDecoder) decodeList(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.problem(n, path, "expected a list, found "+configNodeKind(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		elem := out.Index(i)
		if def, ok := elem.Addr().Interface().(configDefaulter); ok {
			def.setConfigDefaults()
		}
		d.decode(item, elem, configIndexPath(path, i))
	}
	v.Set(out)
}

// decodeMapping decodes a mapping into a struct: merge keys (<<) first, so that the mapping's
// own keys override what they bring, then the keys themselves, each at most once.
func (d *configDecoder) decodeMapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "expected a mapping, found "+configNodeKind(n))
		return
	}
	fields := configFields(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		if configIsMergeKey(n.Content[i]) {
			d.decodeMerge(n.Content[i+1], v, path)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if configIsMergeKey(key) {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.problem(key, path, "keys must be plain strings, found "+configNodeKind(key))
			continue
		}
		keyPath := configJoinPath(path, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.problem(key, keyPath, fmt.Sprintf("duplicate key (first at line %d)", first))
			continue
		}
		seen[key.Value] = key.Line
		idx, ok := fields.index[key.Value]
		if !ok {
			d.problem(key, keyPath, "unknown key; allowed: "+strings.Join(fields.names, ", "))
			continue
		}
		d.decode(val, v.Field(idx), keyPath)
	}
}

// decodeMerge applies a merge key's value: one mapping, or a list of mappings where earlier
// ones win (YAML merge key type, https://yaml.org/type/merge.html).
func (d *configDecoder) decodeMerge(n *yaml.Node, v reflect.Value, path string) {
	target := n
	if n.Kind == yaml.AliasNode {
		target = n.Alias
	}
	if target.Kind == yaml.SequenceNode {
		for i := len(target.Content) - 1; i >= 0; i-- {
			d.decode(target.Content[i], v, path)
		}
		return
	}
	d.decode(n, v, path)
}

// configIsMergeKey reports whether a mapping key is the YAML merge key <<.
func configIsMergeKey(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge"
}

// configFieldSet is a struct's YAML keys in declaration order and their field indexes.
type configFieldSet struct {
	names []string
	index map[string]int
}

// configFields lists the YAML keys of struct type t from its tags; unexported fields and fields
// without a tag are not keys.
func configFields(t reflect.Type) configFieldSet {
	fs := configFieldSet{index: map[string]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fs.names = append(fs.names, name)
		fs.index[name] = i
	}
	return fs
}

// configNodeKind names a node's kind for messages.
func configNodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	default:
		return "a document"
	}
}

// decodeMap decodes a mapping whose keys are data (fiscal.printer.departments: rate → number),
// each key decoded like a scalar of the map's key type, each at most once.
func (d *configDecoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "expected a mapping, found "+configNodeKind(n))
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.problem(key, path, "keys must be plain values, found "+configNodeKind(key))
			continue
		}
		keyPath := configJoinPath(path, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.problem(key, keyPath, fmt.Sprintf("duplicate key (first at line %d)", first))
			continue
		}
		seen[key.Value] = key.Line
		k := reflect.New(v.Type().Key()).Elem()
		before := len(d.problems.list)
		d.decode(key, k, keyPath)
		if len(d.problems.list) != before {
			continue
		}
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e, keyPath)
		out.SetMapIndex(k, e)
	}
	v.Set(out)
}
