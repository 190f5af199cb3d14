package app

import (
	"fmt"
	"io/fs"
	"os"

	"kaas/addons"
	"kaas/config"
	"kaas/kube"
)

// newAddonInstaller loads the built-in add-on catalog with the operator's over it and
// checks that the add-ons new clusters get are in it.
func newAddonInstaller(cfg config.Config) (*addons.Installer, error) {
	layers := []fs.FS{addons.Embedded()}
	if cfg.Addons.CatalogDir != "" {
		if st, err := os.Stat(cfg.Addons.CatalogDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("add-on catalog directory %s: not a readable directory", cfg.Addons.CatalogDir)
		}
		layers = append(layers, os.DirFS(cfg.Addons.CatalogDir))
	}
	catalog, err := addons.LoadCatalog(layers...)
	if err != nil {
		return nil, err
	}
	in := &addons.Installer{Catalog: catalog, Defaults: cfg.Addons.Defaults, PodSubnet: cfg.Kubeadm.PodSubnet,
		Connect: func(kubeconfig []byte) (addons.Cluster, error) {
			return kube.NewApplier(kubeconfig, addons.FieldManager)
		}}
	if err := in.CheckDefaults(); err != nil {
		return nil, err
	}
	return in, nil
}
