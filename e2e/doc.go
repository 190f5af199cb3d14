// Package e2e holds the end-to-end tests that put the panel between real components: the
// test Keystone and real kube-apiservers with etcd, driven with the real kubectl.
package e2e
