package secretscan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MinLength is the shortest value scanned: shorter ones would match by chance.
const MinLength = 8

// Allowance lets a value appear in the files whose base name matches a pattern.
type Allowance struct {
	Value string
	Files string // a filepath.Match pattern of base names
	Why   string
}

// DemoCredentials are the demo users' passwords, which `make run` prints on purpose
// (scripts/run.sh) and the README publishes: allowed in a captured `make run` output.
var DemoCredentials = []Allowance{
	{Value: "oscar-pass", Files: "make-run*.log", Why: "demo credential printed by make run"},
	{Value: "alice-pass", Files: "make-run*.log", Why: "demo credential printed by make run"},
	{Value: "ursula-pass", Files: "make-run*.log", Why: "demo credential printed by make run"},
	{Value: "dora-pass", Files: "make-run*.log", Why: "demo credential printed by make run"},
}

// Finding is one secret found in a log. It never holds the secret.
type Finding struct {
	Kind    string
	Form    string // how it was written: as is, JSON-escaped, URL-escaped, base64
	File    string
	Line    int
	Allowed string // why it may be there; "" for a leak
}

// String says where the finding is and what kind of secret it is, never the secret.
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d: %s (%s)", f.File, f.Line, f.Kind, f.Form)
	if f.Allowed != "" {
		s += ", allowed: " + f.Allowed
	}
	return s
}

// Result is what a scan looked at and found.
type Result struct {
	Entries  int // distinct secrets scanned for
	TooShort int // ledger entries skipped as shorter than MinLength
	Files    int
	Bytes    int64
	Findings []Finding
	kinds    map[string]int
}

// Leaks are the findings that no allowance covers.
func (r Result) Leaks() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Allowed == "" {
			out = append(out, f)
		}
	}
	return out
}

// form is one way a secret may be written.
type form struct {
	kind, how, text string
	value           string // the entry's value, for allowances
}

// forms are the encodings in which a log would carry value: as is, JSON-escaped (a
// multi-line kubeconfig in a JSON log line), URL-escaped (a query string) and base64 (a
// header, a []byte field of a JSON log).
func forms(e Entry) []form {
	v := e.Value
	out := []form{{e.Kind, "as is", v, v}}
	add := func(how, text string) {
		for _, f := range out {
			if f.text == text {
				return
			}
		}
		out = append(out, form{e.Kind, how, text, v})
	}
	if b, err := json.Marshal(v); err == nil {
		add("JSON-escaped", string(b[1:len(b)-1]))
	}
	add("URL-escaped", url.QueryEscape(v))
	add("URL-escaped", url.PathEscape(v))
	add("base64", base64.StdEncoding.EncodeToString([]byte(v)))
	add("base64", base64.RawURLEncoding.EncodeToString([]byte(v)))
	return out
}

// matcher finds any of many strings in a text in one pass: a map from each string's
// first MinLength bytes to the strings that start with them.
type matcher struct {
	byPrefix map[string][]form
	kinds    map[string]int // distinct secrets scanned for, by kind
}

func newMatcher(entries []Entry) (*matcher, int, int) {
	m := &matcher{byPrefix: map[string][]form{}, kinds: map[string]int{}}
	seen := map[Entry]bool{}
	distinct, short := 0, 0
	for _, e := range entries {
		if seen[e] {
			continue
		}
		seen[e] = true
		if len(e.Value) < MinLength {
			short++
			continue
		}
		distinct++
		m.kinds[e.Kind]++
		for _, f := range forms(e) {
			p := f.text[:MinLength]
			m.byPrefix[p] = append(m.byPrefix[p], f)
		}
	}
	return m, distinct, short
}

// find calls found for every secret that occurs in text, in any of its forms, with the
// 1-based line of its first occurrence; each secret is reported once per text.
func (m *matcher) find(text []byte, found func(f form, line int)) {
	reported := map[string]bool{}
	line := 1
	for i := 0; i+MinLength <= len(text); i++ {
		if text[i] == '\n' {
			line++
			continue
		}
		fs, ok := m.byPrefix[string(text[i:i+MinLength])]
		if !ok {
			continue
		}
		for _, f := range fs {
			key := f.kind + "\x00" + f.value
			if !reported[key] && bytes.HasPrefix(text[i:], []byte(f.text)) {
				reported[key] = true
				found(f, line)
			}
		}
	}
}

// FindIn reports the entries that occur in text (one log held in memory), as findings
// in a file named name.
func FindIn(name string, text []byte, entries []Entry) []Finding {
	m, _, _ := newMatcher(entries)
	var out []Finding
	m.find(text, func(f form, line int) { out = append(out, Finding{Kind: f.kind, Form: f.how, File: name, Line: line}) })
	return out
}

// Scan looks for every entry in every regular file under root. A finding whose value
// and file an allowance covers is marked allowed.
func Scan(root string, entries []Entry, allow []Allowance) (Result, error) {
	m, distinct, short := newMatcher(entries)
	r := Result{Entries: distinct, TooShort: short, kinds: m.kinds}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r.Files++
		r.Bytes += int64(len(text))
		rel, _ := filepath.Rel(root, path)
		m.find(text, func(f form, line int) {
			r.Findings = append(r.Findings, Finding{Kind: f.kind, Form: f.how, File: rel, Line: line, Allowed: allowed(allow, f.value, path)})
		})
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("scan %s: %w", root, err)
	}
	sort.Slice(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return r, nil
}

func allowed(allow []Allowance, value, path string) string {
	for _, a := range allow {
		if ok, _ := filepath.Match(a.Files, filepath.Base(path)); ok && a.Value == value {
			return a.Why
		}
	}
	return ""
}

// Summary is the one-line account of a scan.
func (r Result) Summary() string {
	return fmt.Sprintf("%d secrets (%d ledger entries shorter than %d skipped) in %d files, %d bytes: %d leaks, %d allowed",
		r.Entries, r.TooShort, MinLength, r.Files, r.Bytes, len(r.Leaks()), len(r.Findings)-len(r.Leaks()))
}

// KindsLeaked lists the kinds of the leaks, for a short failure message.
func (r Result) KindsLeaked() string {
	kinds := map[string]bool{}
	for _, f := range r.Leaks() {
		kinds[f.Kind] = true
	}
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// KindCounts lists how many distinct secrets of each kind were scanned for.
func (r Result) KindCounts() []string {
	out := make([]string, 0, len(r.kinds))
	for k, n := range r.kinds {
		out = append(out, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(out)
	return out
}
