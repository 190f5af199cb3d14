// Package kube acts on clusters through client-go: it reads admin kubeconfigs, checks
// that a cluster answers, and maps Kubernetes errors to application codes.
package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"kaas/models"
)

// MaxKubeconfigBytes bounds an uploaded kubeconfig.
const MaxKubeconfigBytes = 256 << 10

// Endpoint is what a kubeconfig says about the cluster itself.
type Endpoint struct {
	APIURL string
	CAPEM  string
}

// ParseKubeconfig reads an admin kubeconfig (its current context) and returns the REST
// configuration and the cluster's endpoint. Garbage is INVALID, and so is a kubeconfig
// that names local files, runs programs, skips TLS verification, uses a proxy or has a
// non-https server: that is checked before client-go reads it (see checkKubeconfig).
func ParseKubeconfig(kubeconfig []byte) (*rest.Config, Endpoint, error) {
	if len(kubeconfig) == 0 {
		return nil, Endpoint{}, models.Errorf(models.CodeInvalid, "the kubeconfig is empty")
	}
	if len(kubeconfig) > MaxKubeconfigBytes {
		return nil, Endpoint{}, models.Errorf(models.CodeInvalid, "the kubeconfig is larger than 256 KiB")
	}
	if err := checkKubeconfig(kubeconfig); err != nil {
		return nil, Endpoint{}, err
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, Endpoint{}, models.WrapError(models.CodeInvalid, err, "the kubeconfig cannot be read: "+firstLine(err.Error()))
	}
	// What follows holds after checkKubeconfig; it is checked again on what client-go
	// made of the kubeconfig, in case the two ever read it differently.
	u, err := url.Parse(cfg.Host)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, Endpoint{}, models.Errorf(models.CodeInvalid, "the kubeconfig's server must be an https URL")
	}
	tls := cfg.TLSClientConfig
	if tls.Insecure || tls.CAFile != "" || tls.CertFile != "" || tls.KeyFile != "" || cfg.BearerTokenFile != "" ||
		cfg.ExecProvider != nil || cfg.AuthProvider != nil || cfg.Proxy != nil {
		return nil, Endpoint{}, models.Errorf(models.CodeInvalid, "the kubeconfig must embed its CA and credentials, not refer to files, plugins or proxies")
	}
	if len(tls.CAData) == 0 {
		return nil, Endpoint{}, models.Errorf(models.CodeInvalid, "the kubeconfig has no certificate-authority-data")
	}
	cfg.Timeout = 15 * time.Second
	return cfg, Endpoint{APIURL: cfg.Host, CAPEM: string(tls.CAData)}, nil
}

// Client returns a clientset for an admin kubeconfig.
func Client(kubeconfig []byte) (kubernetes.Interface, *rest.Config, error) {
	cfg, _, err := ParseKubeconfig(kubeconfig)
	if err != nil {
		return nil, nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, models.WrapError(models.CodeInvalid, err, "the kubeconfig cannot be used")
	}
	return cs, cfg, nil
}

// ServerVersion asks the cluster for its version: the check that it answers.
func ServerVersion(ctx context.Context, cs kubernetes.Interface) (string, error) {
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := cs.Discovery().ServerVersion()
		if err != nil {
			ch <- result{err: err}
			return
		}
		ch <- result{v: v.GitVersion}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return "", MapError(r.err, "ask the cluster for its version")
		}
		return r.v, nil
	case <-ctx.Done():
		return "", models.WrapError(models.CodeUnavailable, ctx.Err(), "the cluster did not answer in time")
	}
}

// MapError maps a client-go error to an application error.
func MapError(err error, op string) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("%s: %w", op, err)
	switch {
	case apierrors.IsNotFound(err):
		return models.WrapError(models.CodeNotFound, wrapped, "not found on the cluster")
	case apierrors.IsAlreadyExists(err), apierrors.IsConflict(err):
		return models.WrapError(models.CodeConflict, wrapped, "already exists on the cluster")
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return models.WrapError(models.CodeInvalid, wrapped, "the cluster refused it: "+firstLine(err.Error()))
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err):
		return models.WrapError(models.CodeUnavailable, wrapped, "the cluster refused the panel's credentials")
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, os.ErrDeadlineExceeded) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) {
		return models.WrapError(models.CodeUnavailable, wrapped, "the cluster's API is unreachable")
	}
	if se, ok := err.(apierrors.APIStatus); ok && se.Status().Code >= http.StatusInternalServerError {
		return models.WrapError(models.CodeUnavailable, wrapped, "the cluster's API is failing")
	}
	return wrapped
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

func isNotFound(err error) bool {
	var e *models.Error
	return errors.As(err, &e) && e.Code == models.CodeNotFound
}
