package graph

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The server's side of RFC 6455, as much as graphql-transport-ws needs: text messages
// (fragmented or not) and the control frames. Owning the framing lets the writer put
// every message waiting for a connection into one write, so a subscriber that fell
// behind catches up with one system call per batch instead of one per event.

// Websocket opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// Close codes used by the panel.
const (
	closeNormal        = 1000
	closeProtocolError = 1002
	closeTooBig        = 1009
)

// errClosed is the end of a connection by a close frame.
var errClosed = errors.New("websocket closed")

// wsAccept answers the upgrade request and returns the connection. Like the websocket
// library the panel used before, it refuses a browser's request from another origin (an
// Origin header whose host is not the request's Host). On error it has answered.
func wsAccept(w http.ResponseWriter, r *http.Request, subprotocol string) (net.Conn, *bufio.Reader, error) {
	status, err := checkUpgrade(r)
	if err != nil {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, err.Error(), status)
		return nil, nil, err
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			err = fmt.Errorf("request Origin %q is not authorized for Host %q", origin, r.Host)
			http.Error(w, err.Error(), http.StatusForbidden)
			return nil, nil, err
		}
	}
	h := w.Header()
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Accept", acceptKey(strings.TrimSpace(r.Header.Get("Sec-WebSocket-Key"))))
	h.Set("Sec-WebSocket-Protocol", subprotocol)
	w.WriteHeader(http.StatusSwitchingProtocols)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("answer the upgrade: %w", err)
	}
	// A reader of our own, small (clients send little), so that nothing of the HTTP
	// server's connection stays referenced once the handler returns.
	var from io.Reader = conn
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		from = io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)
	}
	return conn, bufio.NewReaderSize(from, wsReadBuffer), nil
}

// wsReadBuffer is the read buffer of a connection; larger frames are read past it.
const wsReadBuffer = 512

// checkUpgrade checks a websocket upgrade request (RFC 6455 section 4.2.1).
func checkUpgrade(r *http.Request) (int, error) {
	switch {
	case !r.ProtoAtLeast(1, 1):
		return http.StatusUpgradeRequired, errors.New("a websocket handshake is HTTP/1.1 or later")
	case !headerHasToken(r.Header, "Connection", "upgrade"), !headerHasToken(r.Header, "Upgrade", "websocket"):
		return http.StatusUpgradeRequired, errors.New("not a websocket upgrade")
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, errors.New("a websocket handshake is a GET")
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return http.StatusBadRequest, errors.New("only websocket version 13 is supported")
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return http.StatusBadRequest, errors.New("one Sec-WebSocket-Key is required")
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return http.StatusBadRequest, errors.New("Sec-WebSocket-Key must be 16 bytes in base64")
	}
	return 0, nil
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// acceptKey is Sec-WebSocket-Accept for a Sec-WebSocket-Key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// appendFrame appends an unmasked, final server frame holding the concatenation of parts.
func appendFrame(b []byte, op byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// closePayload is a close frame's body: the code and a reason cut to fit 125 bytes.
func closePayload(code int, reason string) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// frameReader reads a client's frames.
type frameReader struct {
	r     *bufio.Reader
	limit int // the largest message
	hdr   [14]byte
}

// frame is one frame read: its payload unmasked.
type frame struct {
	fin     bool
	op      byte
	payload []byte
}

func (fr *frameReader) next(buf []byte) (frame, error) {
	h := fr.hdr[:2]
	if _, err := io.ReadFull(fr.r, h); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f}
	if h[0]&0x70 != 0 {
		return frame{}, protocolError("reserved bits set")
	}
	if h[1]&0x80 == 0 {
		return frame{}, protocolError("client frames must be masked")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(fr.r, fr.hdr[2:4]); err != nil {
			return frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(fr.hdr[2:4]))
	case 127:
		if _, err := io.ReadFull(fr.r, fr.hdr[2:10]); err != nil {
			return frame{}, err
		}
		n = binary.BigEndian.Uint64(fr.hdr[2:10])
	}
	if f.op >= opClose && (n > 125 || !f.fin) {
		return frame{}, protocolError("invalid control frame")
	}
	if n > uint64(fr.limit) || len(buf)+int(n) > fr.limit {
		return frame{}, errTooBig
	}
	var mask [4]byte
	if _, err := io.ReadFull(fr.r, mask[:]); err != nil {
		return frame{}, err
	}
	start := len(buf)
	buf = append(buf, make([]byte, n)...)
	if _, err := io.ReadFull(fr.r, buf[start:]); err != nil {
		return frame{}, err
	}
	for i := range buf[start:] {
		buf[start+i] ^= mask[i&3]
	}
	f.payload = buf
	return f, nil
}

var errTooBig = errors.New("message too big")

type protocolError string

func (e protocolError) Error() string { return "websocket protocol error: " + string(e) }

// message reads the next data message, handling control frames with pong (answer a
// ping) and close (the peer ends the connection: errClosed after answering).
func (fr *frameReader) message(pong func([]byte), closed func(code int)) ([]byte, error) {
	var msg []byte
	started := false
	for {
		f, err := fr.next(msg[:len(msg):len(msg)])
		if err != nil {
			return nil, err
		}
		switch f.op {
		case opPing:
			pong(bytes.Clone(f.payload[len(msg):]))
			continue
		case opPong:
			continue
		case opClose:
			code := closeNormal
			if p := f.payload[len(msg):]; len(p) >= 2 {
				code = int(binary.BigEndian.Uint16(p))
			}
			closed(code)
			return nil, errClosed
		case opText, opBinary:
			if started {
				return nil, protocolError("a new message inside a fragmented one")
			}
			started = true
		case opContinuation:
			if !started {
				return nil, protocolError("a continuation without a message")
			}
		default:
			return nil, protocolError(fmt.Sprintf("unknown opcode %d", f.op))
		}
		msg = f.payload
		if f.fin {
			return msg, nil
		}
	}
}
