package addons_test

import (
	"slices"
	"testing"

	"kaas/addons"
	"kaas/models"
)

// TestBuiltinAddonNamespacesAreProtected checks that every namespace an add-on of the
// built-in catalog owns is one the panel protects (it refuses cluster admins' bindings
// there), and that the list names no namespace the catalog does not use.
func TestBuiltinAddonNamespacesAreProtected(t *testing.T) {
	c, err := addons.LoadCatalog(addons.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	var owned []string
	for _, a := range c.Addons() {
		if !slices.Contains(models.SystemNamespaces, a.Namespace) && !slices.Contains(owned, a.Namespace) {
			owned = append(owned, a.Namespace)
		}
	}
	slices.Sort(owned)
	want := slices.Sorted(slices.Values(models.AddonNamespaces))
	if !slices.Equal(owned, want) {
		t.Fatalf("the built-in add-ons own %v; models.AddonNamespaces says %v", owned, want)
	}
	for _, ns := range owned {
		if !models.IsProtectedNamespace(ns) {
			t.Errorf("%s is not protected", ns)
		}
	}
}
