package kube

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"sigs.k8s.io/yaml"

	"kaas/models"
)

// A kubeconfig the panel is given is checked on its YAML before client-go sees it: client-go
// opens the files a kubeconfig names (certificate-authority, client-certificate, client-key)
// while it validates, and reads tokenFile or runs exec and auth-provider plugins later, so
// its errors could tell a caller whether a path exists on the panel's host and its requests
// could carry the panel's files. The check is an allowlist of the fields client-go reads
// without touching the disk, the network or a process, so a field added to client-go later
// is refused until it is known to be safe. It parses the YAML exactly as client-go does
// (sigs.k8s.io/yaml, then case-sensitive keys), so both see the same fields.

// field is what the check knows of a kubeconfig field.
type field struct {
	// refused, when set, says why a set value is refused; empty means allowed.
	refused string
	// check validates an allowed value; nil accepts any.
	check func(path string, v any) error
}

var (
	extensionsField = field{check: checkExtensions}

	topFields = map[string]field{
		"apiVersion":      {},
		"kind":            {},
		"preferences":     {check: checkObject(map[string]field{"colors": {}, "extensions": extensionsField})},
		"clusters":        {check: checkNamedList("cluster", clusterFields)},
		"users":           {check: checkNamedList("user", userFields)},
		"contexts":        {check: checkNamedList("context", contextFields)},
		"current-context": {},
		"extensions":      extensionsField,
	}

	clusterFields = map[string]field{
		"server":                     {check: checkServer},
		"tls-server-name":            {},
		"certificate-authority-data": {},
		"disable-compression":        {},
		"extensions":                 extensionsField,
		"certificate-authority":      {refused: "names a file on the panel's host: embed the CA as certificate-authority-data"},
		"insecure-skip-tls-verify":   {refused: "turns off the check of the cluster's certificate: embed its CA as certificate-authority-data"},
		"proxy-url":                  {refused: "sends the panel's requests through a proxy: give the API server's own https URL"},
	}

	userFields = map[string]field{
		"client-certificate-data": {},
		"client-key-data":         {},
		"token":                   {},
		"as":                      {},
		"as-uid":                  {},
		"as-groups":               {},
		"as-user-extra":           {},
		"username":                {},
		"password":                {},
		"extensions":              extensionsField,
		"client-certificate":      {refused: "names a file on the panel's host: embed the certificate as client-certificate-data"},
		"client-key":              {refused: "names a file on the panel's host: embed the key as client-key-data"},
		"tokenFile":               {refused: "names a file on the panel's host: embed the token as token"},
		"exec":                    {refused: "runs a program on the panel's host: embed a token or a client certificate"},
		"auth-provider":           {refused: "runs an authentication plugin on the panel's host: embed a token or a client certificate"},
	}

	contextFields = map[string]field{
		"cluster":    {},
		"user":       {},
		"namespace":  {},
		"extensions": extensionsField,
	}
)

// checkKubeconfig refuses a kubeconfig that names local files, runs programs, skips TLS
// verification, uses a proxy, has a non-https server or a field the panel does not know.
// Its errors name the offending field and never depend on the panel's file system.
func checkKubeconfig(kubeconfig []byte) error {
	js, err := yaml.YAMLToJSON(kubeconfig)
	if err != nil {
		return models.WrapError(models.CodeInvalid, err, "the kubeconfig is not YAML: "+firstLine(err.Error()))
	}
	var doc any
	if err := json.Unmarshal(js, &doc); err != nil {
		return models.WrapError(models.CodeInvalid, err, "the kubeconfig is not YAML")
	}
	if _, ok := doc.(map[string]any); !ok {
		return models.Errorf(models.CodeInvalid, "the kubeconfig is not a YAML mapping")
	}
	return checkObject(topFields)("", doc)
}

// checkObject returns a check that v is a mapping (or null) of the given fields only.
func checkObject(fields map[string]field) func(path string, v any) error {
	return func(path string, v any) error {
		if v == nil {
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return invalidField(path, "must be a mapping")
		}
		// Sorted, so the first offending field reported does not change between calls.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			val := m[k]
			p := join(path, k)
			f, known := fields[k]
			switch {
			case !known:
				return invalidField(path, fmt.Sprintf("has a field %q the panel does not accept", clip(k)))
			case f.refused != "":
				if !unset(val) {
					return invalidField(p, f.refused)
				}
			case f.check != nil:
				if err := f.check(p, val); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// checkNamedList returns a check that v is a list of {name, <inner>} entries whose inner
// mapping has the given fields only (any content when fields is nil).
func checkNamedList(inner string, fields map[string]field) func(path string, v any) error {
	body := field{check: checkObject(fields)}
	if fields == nil {
		body = field{} // opaque
	}
	entry := checkObject(map[string]field{"name": {}, inner: body})
	return func(path string, v any) error {
		if v == nil {
			return nil
		}
		list, ok := v.([]any)
		if !ok {
			return invalidField(path, "must be a list")
		}
		for i, e := range list {
			if err := entry(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkExtensions accepts extensions: client-go keeps their bodies without acting on them.
func checkExtensions(path string, v any) error {
	return checkNamedList("extension", nil)(path, v)
}

// checkServer requires an https URL with a host and no user information.
func checkServer(path string, v any) error {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return invalidField(path, "must be an https URL of the cluster's API server")
	}
	return nil
}

// unset reports whether a refused field carries no value, as client-go reads it.
func unset(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	}
	return false
}

func invalidField(path, msg string) error {
	if path == "" {
		return models.Errorf(models.CodeInvalid, "the kubeconfig %s", msg)
	}
	return models.Errorf(models.CodeInvalid, "the kubeconfig's %s %s", path, msg)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// clip shortens a caller's field name for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
