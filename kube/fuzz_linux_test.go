package kube_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"kaas/kube"
	"kaas/models"
)

// fuzzCA is a self-signed CA certificate (no key kept), base64 as a kubeconfig embeds it.
const fuzzCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmRENDQVNHZ0F3SUJBZ0lVUk9ENW5xU2d3RDBXWWIzRk9YZGIvVEs2VjJNd0NnWUlLb1pJemowRUF3SXcKRWpFUU1BNEdBMVVFQXd3SFpuVjZlaTFqWVRBZ0Z3MHlOakV5TURNd056VTRNREphR0E4eU1USTJNVEV3T1RBMwpOVGd3TWxvd0VqRVFNQTRHQTFVRUF3d0hablY2ZWkxallUQlpNQk1HQnlxR1NNNDlBZ0VHQ0NxR1NNNDlBd0VICkEwSUFCQkNsdm9BZnMrYk1tVktmMkJIbW9uWXA5UFcyR0lyaU5rNkR5aVZBRE5wQm1qZGxmYlNMVmhvSUlvb2cKZWJ4clFsT25OMEtxc2ZFN25sTytuN3pRS1J5alV6QlJNQjBHQTFVZERnUVdCQlF0ZllPTHNpTEhFYysrQWVFZQpZNzBLdXk2UXVEQWZCZ05WSFNNRUdEQVdnQlF0ZllPTHNpTEhFYysrQWVFZVk3MEt1eTZRdURBUEJnTlZIUk1CCkFmOEVCVEFEQVFIL01Bb0dDQ3FHU000OUJBTUNBMGtBTUVZQ0lRRGIwZDBvMTdudTBZVG53NzE4aWplYkZQL3kKTnNETTFwbEZQbTNiMUdWOXp3SWhBUEdrZm9KY3pBRHQ0ZWxFYXhPZDgvR2hINHdkSWYrRHZYYnR4aHYzMU91ZwotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="

// FuzzAdoptKubeconfig feeds kubeconfigs to what adoptCluster (and provisioning's
// EXISTING driver) does with them before any network call: parse, check and build the
// clients. "@DIR@" in the input becomes a directory of files a kubeconfig could name
// (CA, certificate, key, token, plugin). The target fails if any of them is opened
// (watched with inotify, which sees every open by this process or a child), if the answer
// changes when the same kubeconfig is read with the files gone, or if an error is not
// INVALID.
func FuzzAdoptKubeconfig(f *testing.F) {
	cluster := "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n    certificate-authority-data: " + fuzzCA + "\n"
	user := "users:\n- name: u\n  user:\n    token: abc\n"
	tail := "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
	good := "apiVersion: v1\nkind: Config\n" + cluster + user + tail
	for _, s := range []string{
		good,
		strings.Replace(good, "token: abc", "client-certificate-data: "+fuzzCA+"\n    client-key-data: "+fuzzCA, 1),
		strings.Replace(good, "certificate-authority-data: "+fuzzCA, "certificate-authority: @DIR@/ca.crt", 1),
		strings.Replace(good, "token: abc", "client-certificate: @DIR@/client.crt\n    client-key: @DIR@/client.key", 1),
		strings.Replace(good, "token: abc", "tokenFile: @DIR@/token", 1),
		strings.Replace(good, "token: abc", "exec: {apiVersion: client.authentication.k8s.io/v1, command: @DIR@/plugin, interactiveMode: Never}", 1),
		strings.Replace(good, "token: abc", "auth-provider: {name: gcp, config: {cmd-path: @DIR@/plugin}}", 1),
		strings.Replace(good, "certificate-authority-data", "insecure-skip-tls-verify: true\n    certificate-authority-data", 1),
		strings.Replace(good, "certificate-authority-data", "proxy-url: http://127.0.0.1:3128\n    certificate-authority-data", 1),
		strings.Replace(good, "https://", "http://", 1),
		strings.Replace(good, "tokenFile", "TokenFile", 1),
		good + "preferences: {}\nextensions:\n- name: e\n  extension: {tokenFile: @DIR@/token}\n",
		"clusters: &c\n- name: c\n  cluster: {server: 'https://h', certificate-authority: @DIR@/ca.crt}\nusers: *c\n",
		`{"clusters":[{"name":"c","cluster":{"server":"https://h:1","certificate-authority":"@DIR@/ca.crt"}}],"current-context":"x"}`,
		"apiVersion: v1\nkind: Config\n",
		"- @DIR@/ca.crt\n",
		"a: [b\n",
	} {
		f.Add(s)
	}

	dir := f.TempDir()
	present, away := filepath.Join(dir, "files"), filepath.Join(dir, "away")
	if err := os.Mkdir(present, 0o700); err != nil {
		f.Fatal(err)
	}
	for name, body := range map[string]string{"ca.crt": "x", "client.crt": "x", "client.key": "x", "token": "secret", "plugin": "#!/bin/sh\nexit 1\n"} {
		if err := os.WriteFile(filepath.Join(present, name), []byte(body), 0o700); err != nil {
			f.Fatal(err)
		}
	}
	watch, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		f.Fatalf("inotify: %v", err)
	}
	f.Cleanup(func() { syscall.Close(watch) })
	if _, err := syscall.InotifyAddWatch(watch, present, syscall.IN_OPEN|syscall.IN_ACCESS|syscall.IN_ATTRIB); err != nil {
		f.Fatalf("inotify watch: %v", err)
	}
	// The watch works: opening a file is seen.
	if b, err := os.ReadFile(filepath.Join(present, "token")); err != nil || len(b) == 0 || !opened(f, watch) {
		f.Fatal("inotify does not see a file being read")
	}

	f.Fuzz(func(t *testing.T, kubeconfig string) {
		kc := []byte(strings.ReplaceAll(kubeconfig, "@DIR@", present))
		_, ep, errPresent := kube.Connect(kc)
		if opened(t, watch) {
			t.Fatalf("a file under the kubeconfig's directory was read:\n%s", kubeconfig)
		}
		// The same kubeconfig again, with the files gone.
		if err := os.Rename(present, away); err != nil {
			t.Fatal(err)
		}
		_, _, errAbsent := kube.Connect(kc)
		if err := os.Rename(away, present); err != nil {
			t.Fatal(err)
		}
		if (errPresent == nil) != (errAbsent == nil) || (errPresent != nil && errPresent.Error() != errAbsent.Error()) {
			t.Fatalf("the answer depends on the files existing: %v / %v", errPresent, errAbsent)
		}
		if errPresent != nil {
			if models.ErrorCode(errPresent) != models.CodeInvalid {
				t.Fatalf("error %v is not INVALID", errPresent)
			}
			return
		}
		if !strings.HasPrefix(ep.APIURL, "https://") || ep.CAPEM == "" {
			t.Fatalf("accepted endpoint %+v", ep)
		}
	})
}

// opened reports whether the watch saw an event since it was last read.
func opened(tb testing.TB, fd int) bool {
	buf := make([]byte, 4096)
	seen := false
	for {
		n, err := syscall.Read(fd, buf)
		if errors.Is(err, syscall.EAGAIN) {
			return seen
		}
		if err != nil {
			tb.Fatalf("read inotify: %v", err)
		}
		seen = seen || n > 0
	}
}
