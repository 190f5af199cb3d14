// Package provisioning creates and deletes clusters as durable jobs: ordered, named,
// idempotent steps whose state lives in the database so that a restarted server (or
// another replica) resumes a job where it stopped, with progress events streamed to
// subscribers. Drivers bring up the infrastructure: local (etcd + kube-apiserver on this
// host), existing (adopt a running cluster) and openstack (Nova, Neutron, Octavia).
package provisioning
