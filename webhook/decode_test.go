package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// decodeBoth decodes body with the fast decoder and with encoding/json.
func decodeBoth(body []byte) (fast, slow request, fastOK bool, slowCode int) {
	fastOK = fast.decodeFast(body)
	_, slowCode = slow.decodeJSON(bytes.NewReader(body))
	return
}

// FuzzDecodeReview checks that the fast decoder never disagrees with encoding/json: what
// it takes, encoding/json takes too, with the same apiVersion, kind, token and audiences.
func FuzzDecodeReview(f *testing.F) {
	for _, s := range []string{
		`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","metadata":{"creationTimestamp":null},"spec":{"token":"kaas_x","audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}}`,
		`{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1beta1","spec":{"token":"t","audiences":[]}}`,
		`{"spec":{"token":"a"},"spec":{"audiences":["x","y"]}}`,
		`{"spec":{"audiences":["x"],"audiences":["y"]}}`,
		`{"Kind":"TokenReview"}`,
		`{"spec":{"token":"a\u0041"}}`,
		`{"spec":{"token":null}}`,
		`{"metadata":{"a":[true,false,null,{"b":"c"}]},"spec":{}} trailing`,
		`{"metadata":1}`,
		`{"spec":{"token":"a",}}`,
		` {"apiVersion":"v1"}`,
		`{"status":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		`{}`, `[]`, `{`, ``, "{\"spec\":{\"token\":\"\xff\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, slow, ok, code := decodeBoth(body)
		if !ok {
			return // encoding/json decides, as it did before
		}
		switch {
		case code != 0:
			t.Fatalf("the fast decoder took what encoding/json refuses (%d): %q", code, body)
		case fast.apiVersion != slow.apiVersion || fast.kindOK != slow.kindOK || fast.token != slow.token:
			t.Fatalf("fast %q %v %q, encoding/json %q %v %q: %q", fast.apiVersion, fast.kindOK, fast.token,
				slow.apiVersion, slow.kindOK, slow.token, body)
		case !slices.EqualFunc(fast.audiences, slow.audiences, bytes.Equal):
			t.Fatalf("audiences fast %q, encoding/json %q: %q", fast.audiences, slow.audiences, body)
		}
	})
}

// TestFastDecoderTakesWhatKubeAPIServersSend keeps the fast path honest: the requests of
// the wire are decoded without encoding/json.
func TestFastDecoderTakesWhatKubeAPIServersSend(t *testing.T) {
	tests := []struct {
		name, body string
		fast       bool
	}{
		{"v1 from a kube-apiserver", `{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"kaas_x","audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}}`, true},
		{"v1beta1, spaces", ` { "apiVersion" : "authentication.k8s.io/v1beta1" , "kind":"TokenReview", "spec": {"token":"t"} }` + "\n", true},
		{"other case goes to encoding/json", `{"Kind":"TokenReview"}`, false},
		{"escape goes to encoding/json", `{"spec":{"token":"\u0041"}}`, false},
		{"number goes to encoding/json", `{"metadata":{"generation":1}}`, false},
		{"malformed", `{"spec":{"token":"a"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rq request
			if got := rq.decodeFast([]byte(tt.body)); got != tt.fast {
				t.Fatalf("decodeFast = %v, want %v", got, tt.fast)
			}
		})
	}
}

// TestAudiencesAreEncodedAsEncodingJSONDoes compares appendString with json.Marshal.
func TestAudiencesAreEncodedAsEncodingJSONDoes(t *testing.T) {
	for _, s := range []string{"https://kubernetes.default.svc", "a<b>&c", `q"b\`, "tab\there", "é", "\u2028", "\xff\xfe", ""} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestHugeBodiesAreRefusedAsBefore: past 1 MiB the fast path steps aside.
func TestReadBodyStopsAtTheLimit(t *testing.T) {
	big := bytes.Repeat([]byte(" "), MaxBodyBytes+10)
	b, complete, err := readBody(bytes.NewReader(big), nil)
	if err != nil || complete || len(b) != MaxBodyBytes {
		t.Fatalf("read %d bytes, complete %v, err %v", len(b), complete, err)
	}
	var rq request
	msg, code := rq.decodeJSON(http.MaxBytesReader(nil, readerOf(b, bytes.NewReader(big[len(b):]), false), MaxBodyBytes))
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("code %d %s", code, msg)
	}
}
