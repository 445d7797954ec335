package artifact

import (
	"bytes"

	// Prometheus's rulefmt keeps rule expressions as this module's
	// yaml.Node, so every target encodes with it for one YAML style.
	"go.yaml.in/yaml/v3"
)

// YAML encodes v the way every generated YAML file is written: header
// (comment lines, or "") first, then v with two-space indentation. Struct
// fields keep their order and map keys come out sorted, so the bytes are
// deterministic.
func YAML(header string, v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	if err := fastYAML(&buf, v); err == nil {
		return buf.Bytes(), nil
	}
	buf.Truncate(len(header))
	return slowYAML(&buf, v)
}

// slowYAML appends v to buf with yaml.v3's Encoder.
func slowYAML(buf *bytes.Buffer, v any) ([]byte, error) {
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
