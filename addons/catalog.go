// Package addons is the catalog of managed services the panel installs on clusters (CNI,
// ingress controller, monitoring, logging, registry, Velero, block storage) and the
// installer that applies, upgrades, removes and health-checks them.
//
// The catalog is a tree <name>/addon.yaml plus <name>/<version>/*.yaml: addon.yaml says
// what the add-on is and its default namespace, each version directory holds its
// manifests as Go templates (fields of Params). The panel embeds one catalog; an
// operator's directory (--addon-catalog-dir) of the same layout adds add-ons and versions
// and replaces those of the same name and version.
package addons

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"kaas/models"
)

//go:embed all:catalog
var embedded embed.FS

// Embedded returns the catalog built into the panel.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "catalog")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// Params are what a manifest template may use.
type Params struct {
	// Cluster is the cluster's name, Domain its base domain.
	Cluster, Domain string
	// WildcardHost is *.<cluster>.<domain>, the host every service is routed under.
	WildcardHost string
	// PodSubnet is the cluster's pod network.
	PodSubnet string
	// RegistryDBGB is the size of the registry's database volume in GB.
	RegistryDBGB int
}

// Addon is one add-on of the catalog with its versions, oldest first.
type Addon struct {
	Name        string
	Description string
	// Namespace is where its namespaced objects go unless a manifest names another.
	Namespace string
	Versions  []Version
}

// Latest is the newest version.
func (a Addon) Latest() Version { return a.Versions[len(a.Versions)-1] }

// Version returns one version of the add-on, false when the catalog lacks it.
func (a Addon) Version(v string) (Version, bool) {
	for _, ver := range a.Versions {
		if ver.Name == v {
			return ver, true
		}
	}
	return Version{}, false
}

// Version is one version of an add-on: its manifest templates, by file name.
type Version struct {
	Name  string
	files []manifestFile
}

type manifestFile struct {
	name string
	tmpl *template.Template
}

// Catalog is every add-on the panel can install, by name.
type Catalog struct {
	addons map[string]*Addon
}

type addonMeta struct {
	Description string `json:"description"`
	Namespace   string `json:"namespace"`
}

// LoadCatalog reads catalogs from the file systems in order; a later one adds add-ons and
// versions and replaces an add-on's description and namespace (when it has an
// addon.yaml) and versions of the same name. Every template is parsed and rendered with
// sample parameters, so a broken manifest fails here rather than on a cluster.
func LoadCatalog(fsyss ...fs.FS) (*Catalog, error) {
	c := &Catalog{addons: map[string]*Addon{}}
	for _, fsys := range fsyss {
		if err := c.load(fsys); err != nil {
			return nil, err
		}
	}
	sample := Params{Cluster: "sample", Domain: "example.com", WildcardHost: "*.sample.example.com", PodSubnet: "10.244.0.0/16", RegistryDBGB: 10}
	for _, a := range c.addons {
		if a.Namespace == "" {
			return nil, fmt.Errorf("add-on %s: addon.yaml names no namespace", a.Name)
		}
		if len(a.Versions) == 0 {
			return nil, fmt.Errorf("add-on %s: no versions", a.Name)
		}
		slices.SortFunc(a.Versions, func(x, y Version) int { return compareVersions(x.Name, y.Name) })
		for _, v := range a.Versions {
			if _, err := a.render(v, sample); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *Catalog) load(fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("read add-on catalog: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		if !models.ValidClusterName(name) {
			return fmt.Errorf("add-on %q: a name is a DNS label", name)
		}
		a := c.addons[name]
		if a == nil {
			a = &Addon{Name: name}
			c.addons[name] = a
		}
		if raw, err := fs.ReadFile(fsys, path.Join(name, "addon.yaml")); err == nil {
			var m addonMeta
			if err := yaml.UnmarshalStrict(raw, &m); err != nil {
				return fmt.Errorf("add-on %s: addon.yaml: %w", name, err)
			}
			a.Description, a.Namespace = m.Description, m.Namespace
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("add-on %s: %w", name, err)
		}
		versions, err := fs.ReadDir(fsys, name)
		if err != nil {
			return fmt.Errorf("add-on %s: %w", name, err)
		}
		for _, ve := range versions {
			if !ve.IsDir() {
				continue
			}
			v, err := loadVersion(fsys, name, ve.Name())
			if err != nil {
				return err
			}
			a.Versions = slices.DeleteFunc(a.Versions, func(old Version) bool { return old.Name == v.Name })
			a.Versions = append(a.Versions, v)
		}
	}
	return nil
}

func loadVersion(fsys fs.FS, addon, version string) (Version, error) {
	if !validVersion(version) {
		return Version{}, fmt.Errorf("add-on %s: version %q is not of the form 1.2.3", addon, version)
	}
	dir := path.Join(addon, version)
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return Version{}, fmt.Errorf("add-on %s %s: %w", addon, version, err)
	}
	if len(files) == 0 {
		return Version{}, fmt.Errorf("add-on %s %s: no manifests (*.yaml)", addon, version)
	}
	v := Version{Name: version}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return Version{}, fmt.Errorf("add-on %s %s: %w", addon, version, err)
		}
		t, err := template.New(path.Base(f)).Option("missingkey=error").Parse(string(raw))
		if err != nil {
			return Version{}, fmt.Errorf("add-on %s %s: %w", addon, version, err)
		}
		v.files = append(v.files, manifestFile{name: path.Base(f), tmpl: t})
	}
	return v, nil
}

// Addons returns the add-ons by name.
func (c *Catalog) Addons() []Addon {
	out := make([]Addon, 0, len(c.addons))
	for _, a := range c.addons {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(x, y Addon) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// Addon returns one add-on; an unknown name is INVALID.
func (c *Catalog) Addon(name string) (Addon, error) {
	a, ok := c.addons[name]
	if !ok {
		return Addon{}, models.Errorf(models.CodeInvalid, "the add-on catalog has no %q", name)
	}
	return *a, nil
}

// Resolve returns an add-on and the version asked for, its latest when version is
// empty; unknown ones are INVALID.
func (c *Catalog) Resolve(name, version string) (Addon, Version, error) {
	a, err := c.Addon(name)
	if err != nil {
		return Addon{}, Version{}, err
	}
	if version == "" {
		return a, a.Latest(), nil
	}
	v, ok := a.Version(version)
	if !ok {
		return Addon{}, Version{}, models.Errorf(models.CodeInvalid, "the add-on catalog has no version %s of %s", version, name)
	}
	return a, v, nil
}

// protectedNamespaces are never an add-on's own: removing the add-on would delete them.
var protectedNamespaces = append([]string{"default", "kube-public", "kube-node-lease"}, models.SystemNamespaces...)

// render returns the version's objects for a cluster: every document of every manifest,
// in file order. Namespaces are left as written; the installer fills in the default.
func (a Addon) render(v Version, p Params) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, f := range v.files {
		var buf bytes.Buffer
		if err := f.tmpl.Execute(&buf, p); err != nil {
			return nil, fmt.Errorf("add-on %s %s: %w", a.Name, v.Name, err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(&buf, 4096)
		for i := 1; ; i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("add-on %s %s: %s document %d: %w", a.Name, v.Name, f.name, i, err)
			}
			if len(raw) == 0 || string(raw) == "null" {
				continue
			}
			// Unstructured's own decoding keeps integers int64, as client-go expects.
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(raw); err != nil || u.GetAPIVersion() == "" || u.GetName() == "" {
				return nil, fmt.Errorf("add-on %s %s: %s document %d: apiVersion, kind and metadata.name are required", a.Name, v.Name, f.name, i)
			}
			if u.GetKind() == "Namespace" && slices.Contains(protectedNamespaces, u.GetName()) {
				return nil, fmt.Errorf("add-on %s %s: %s declares namespace %s, which no add-on may own", a.Name, v.Name, f.name, u.GetName())
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// validVersion reports whether v is dotted numbers, e.g. 1.12.1.
func validVersion(v string) bool {
	parts := strings.Split(v, ".")
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" || len(p) > 9 {
			return false
		}
	}
	return len(parts) >= 1 && len(parts) <= 4
}

// compareVersions orders dotted versions numerically.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
