// A spec with nothing but comments is empty: Jsonnet wants an expression.
// exit: 1
// want: empty.jsonnet:4:1: ~ unexpected end of file
