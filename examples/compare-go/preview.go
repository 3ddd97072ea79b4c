package main

import "wasmshim.dev/guest"

// preview names the response's JSON type and echoes it (strings trimmed if
// trim is set): {"type":T,"response":R}.
func preview(response any, params guest.Object) (any, error) {
	o, err := parseOptions(params)
	if err != nil {
		return nil, err
	}
	var kind string
	switch v := response.(type) {
	case guest.Number:
		kind = "number"
	case string:
		kind, response = "string", o.prepare(v)
	case bool:
		kind = "boolean"
	case []any:
		kind = "array"
	case guest.Object:
		kind = "object"
	case nil:
		kind = "null"
	}
	return guest.Object{{Key: "type", Value: kind}, {Key: "response", Value: response}}, nil
}
