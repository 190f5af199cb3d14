package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
)

// request is what a review needs of a TokenReview request.
type request struct {
	apiVersion string
	kindOK     bool // kind is TokenReview
	token      string
	// audiences point into the request body or are copies; they live as long as the
	// request is served.
	audiences [][]byte
	inline    [4][]byte // room for the usual few audiences without allocating
}

// decodeJSON decodes the body with encoding/json, as every request was decoded before
// the fast decoder: msg and code say why a request is refused (code 0: decoded).
func (rq *request) decodeJSON(body io.Reader) (msg string, code int) {
	var rv review
	if err := json.NewDecoder(body).Decode(&rv); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "the TokenReview is larger than 1 MiB", http.StatusRequestEntityTooLarge
		}
		return "the body is not a JSON TokenReview", http.StatusBadRequest
	}
	rq.apiVersion, rq.kindOK, rq.token = rv.APIVersion, rv.Kind == "TokenReview", rv.Spec.Token
	rq.audiences = rq.inline[:0]
	for _, a := range rv.Spec.Audiences {
		rq.audiences = append(rq.audiences, []byte(a))
	}
	return "", 0
}

// decodeFast decodes the TokenReviews kube-apiservers send (and any request shaped like
// them) without reflection, and reports whether it did. It takes only what it can decode
// exactly as encoding/json would into review: the first JSON value, an object whose keys
// are apiVersion, kind, spec (with token and audiences), metadata or status, spelled
// exactly so, with plain strings (no escapes, printable ASCII) where a value is kept and
// any of objects, arrays, plain strings, true, false and null where it is ignored.
// Anything else (other keys, other case, escapes, numbers, null for a kept value,
// malformed input) is left to decodeJSON, so both agree on every input.
func (rq *request) decodeFast(b []byte) bool {
	rq.audiences = rq.inline[:0]
	d := scanner{b: b}
	if !d.byte('{') {
		return false
	}
	if d.peek('}') {
		return true
	}
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		switch string(key) { // no allocation: the compiler compares in place
		case "apiVersion":
			v, ok := d.str()
			if !ok {
				return false
			}
			switch string(v) {
			case v1:
				rq.apiVersion = v1
			case v1beta1:
				rq.apiVersion = v1beta1
			default:
				rq.apiVersion = string(v)
			}
		case "kind":
			v, ok := d.str()
			if !ok {
				return false
			}
			rq.kindOK = string(v) == "TokenReview"
		case "spec":
			if !d.spec(rq) {
				return false
			}
		case "metadata", "status":
			if !d.skip(0) {
				return false
			}
		default:
			return false
		}
		if d.peek('}') {
			return true
		}
		if !d.byte(',') {
			return false
		}
	}
}

// scanner reads the JSON subset of decodeFast.
type scanner struct {
	b []byte
	i int
}

func (d *scanner) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after optional white space.
func (d *scanner) byte(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// peek consumes c after optional white space when it comes next.
func (d *scanner) peek(c byte) bool { return d.byte(c) }

// key reads a plain string and the colon after it.
func (d *scanner) key() ([]byte, bool) {
	k, ok := d.str()
	return k, ok && d.byte(':')
}

// str reads a plain string: printable ASCII without escapes.
func (d *scanner) str() ([]byte, bool) {
	if !d.byte('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
		d.i++
	}
	return nil, false
}

func (d *scanner) spec(rq *request) bool {
	if !d.byte('{') {
		return false
	}
	if d.peek('}') {
		return true
	}
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		switch string(key) {
		case "token":
			v, ok := d.str()
			if !ok {
				return false
			}
			rq.token = string(v)
		case "audiences":
			if !d.byte('[') {
				return false
			}
			rq.audiences = rq.audiences[:0] // a repeated key replaces, as encoding/json does
			if !d.peek(']') {
				for {
					v, ok := d.str()
					if !ok {
						return false
					}
					rq.audiences = append(rq.audiences, v)
					if d.peek(']') {
						break
					}
					if !d.byte(',') {
						return false
					}
				}
			}
		default:
			return false
		}
		if d.peek('}') {
			return true
		}
		if !d.byte(',') {
			return false
		}
	}
}

// maxSkipDepth bounds the nesting of an ignored value; deeper ones go to encoding/json.
const maxSkipDepth = 32

// skip reads an ignored value: an object, an array, a plain string, true, false or null.
func (d *scanner) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	d.ws()
	if d.i >= len(d.b) {
		return false
	}
	switch d.b[d.i] {
	case '"':
		_, ok := d.str()
		return ok
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	case '[':
		d.i++
		if d.peek(']') {
			return true
		}
		for {
			if !d.skip(depth + 1) {
				return false
			}
			if d.peek(']') {
				return true
			}
			if !d.byte(',') {
				return false
			}
		}
	case '{':
		d.i++
		if d.peek('}') {
			return true
		}
		for {
			if _, ok := d.key(); !ok || !d.skip(depth+1) {
				return false
			}
			if d.peek('}') {
				return true
			}
			if !d.byte(',') {
				return false
			}
		}
	}
	return false
}

func (d *scanner) literal(s string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(s)) {
		return false
	}
	d.i += len(s)
	return true
}

// buffer is a request's pooled memory: the body read, and the answer when it is
// assembled.
type buffer struct{ b, out []byte }

var buffers = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 2048), out: make([]byte, 0, 2048)} }}

// maxPooled bounds the buffers returned to the pool: a rare huge request does not pin
// its memory.
const maxPooled = 64 << 10

func getBuffer() *buffer { return buffers.Get().(*buffer) }

func putBuffer(b *buffer) {
	if cap(b.b) <= maxPooled && cap(b.out) <= maxPooled {
		buffers.Put(b)
	}
}

// readBody appends the body to buf, up to MaxBodyBytes: complete reports whether it
// was all read (false: the rest is left in body).
func readBody(body io.Reader, buf []byte) (b []byte, complete bool, err error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := min(cap(buf), MaxBodyBytes) - len(buf)
		if room <= 0 {
			return buf, false, nil
		}
		n, err := body.Read(buf[len(buf) : len(buf)+room])
		buf = buf[:len(buf)+n]
		switch {
		case errors.Is(err, io.EOF):
			return buf, true, nil
		case err != nil:
			return buf, false, err
		}
	}
}

// readerOf reads the body again: what was read, then what was not.
func readerOf(read []byte, rest io.Reader, complete bool) io.ReadCloser {
	if complete {
		return io.NopCloser(bytes.NewReader(read))
	}
	return io.NopCloser(io.MultiReader(bytes.NewReader(read), rest))
}

// withAudiences appends to out the rendered answer with the audiences added last in its
// status, encoded as encoding/json encodes strings.
func withAudiences(out, rendered []byte, audiences [][]byte) []byte {
	const tail = "}}\n" // the status's and the review's ends, and Encode's newline
	out = append(out, rendered[:len(rendered)-len(tail)]...)
	out = append(out, `,"audiences":[`...)
	for i, a := range audiences {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, a)
	}
	out = append(out, ']')
	return append(out, tail...)
}

// appendString appends s as a JSON string, exactly as encoding/json writes it.
func appendString(out, s []byte) []byte {
	plain := true
	for _, c := range s {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
	}
	if plain {
		out = append(out, '"')
		out = append(out, s...)
		return append(out, '"')
	}
	// Rare: escapes, HTML-safe escapes, invalid UTF-8 replaced: encoding/json decides.
	enc, _ := json.Marshal(string(s))
	return append(out, enc...)
}
