// Package provisioning creates and deletes clusters as jobs of the jobs engine: it
// validates requests, gives a new cluster's admin its Keystone role, bootstraps and
// registers the cluster, and restores the clusters whose processes end with the panel.
// It reaches infrastructure only through a Driver (existing, local, openstack: each in
// its own package, chosen by name from a DriverRegistry built by the app) and a
// cluster's Kubernetes API only through Kube.
package provisioning
