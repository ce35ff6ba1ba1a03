package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// jsonBody checks that a request carries a JSON body: a JSON content type
// (application/json, with at most a charset parameter of UTF-8) and not
// more than limit bytes. A browser cannot send such a request cross-site
// without the server's consent (it is not a "simple" request), so a page
// elsewhere cannot drive the API.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "the body must be JSON, sent with Content-Type: application/json"}
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: "the only Content-Type parameter allowed is charset=utf-8"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the body is over %d bytes", limit)}
		}
		return nil, &Error{Status: http.StatusBadRequest, Code: "bad_body", Message: "the body could not be read"}
	}
	return body, nil
}

// noBody refuses a request with a body (or a chunked one, whose length is
// unknown) on an endpoint that takes none.
func noBody(r *http.Request) error {
	if r.ContentLength != 0 {
		return &Error{Status: http.StatusBadRequest, Code: "body_not_allowed", Message: "this endpoint takes no body"}
	}
	return nil
}

// decodeStrict decodes one JSON object from data into v, a pointer to a
// struct, refusing what encoding/json lets through by default: unknown
// fields, keys that match a field only when case is ignored ("Sender" for
// "sender"), keys given twice in any object (exactly or case-folded), and
// anything after the value. Errors name the field at fault.
func decodeStrict(data []byte, v any) error {
	if err := checkKeys(data, fieldNames(reflect.TypeOf(v).Elem())); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return badInput(te.Field, fmt.Sprintf("%s must be a JSON %s", te.Field, jsonKind(te.Type)))
		}
		return badInput("", "the body is not valid JSON: "+err.Error())
	}
	return nil
}

// jsonKind names what a Go type looks like in JSON.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer (a 64-bit user ID)"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "array"
	}
	return "value of another type"
}

// fieldNames returns the JSON names of a struct's fields; nil for other
// types (whose keys are not checked here).
func fieldNames(t reflect.Type) map[string]bool {
	if t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}

// checkKeys walks one JSON value and refuses duplicate or case-folded keys
// in any object, keys of the top-level object that are not exactly one of
// fields (when fields is not nil), a top level that is not an object, and
// data after the value.
func checkKeys(data []byte, fields map[string]bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return badInput("", "the body is empty; want a JSON object")
		}
		return badInput("", "the body is not valid JSON")
	}
	if tok != json.Delim('{') {
		return badInput("", "the body must be a JSON object")
	}
	if err := walkObject(dec, fields, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badInput("", "data after the JSON object")
	}
	return nil
}

// walkObject reads an object's members after its '{'.
func walkObject(dec *json.Decoder, fields map[string]bool, path string) error {
	seen := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badInput(path, "the body is not valid JSON")
		}
		key := tok.(string)
		at := key
		if path != "" {
			at = path + "." + key
		}
		folded := strings.ToLower(strings.ToUpper(key)) // as encoding/json folds: "K" (Kelvin) is "k"
		if prev, dup := seen[folded]; dup {
			if prev == key {
				return badInput(at, fmt.Sprintf("the key %q is given twice", key))
			}
			return badInput(at, fmt.Sprintf("the keys %q and %q differ only in case", prev, key))
		}
		seen[folded] = key
		if fields != nil && !fields[key] {
			return badInput(at, fmt.Sprintf("unknown field %q (names are case-sensitive)", key))
		}
		if err := walkValue(dec, at); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	if err != nil {
		return badInput(path, "the body is not valid JSON")
	}
	return nil
}

// walkValue reads one value, checking the objects inside it.
func walkValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return badInput(path, "the body is not valid JSON")
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, nil, path)
	case json.Delim('['):
		for dec.More() {
			if err := walkValue(dec, path); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return badInput(path, "the body is not valid JSON")
		}
	}
	return nil
}
