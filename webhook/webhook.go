// Package webhook answers kube-apiservers' TokenReview requests
// (authentication.k8s.io v1 and v1beta1) for the panel's API tokens.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	authv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/models"
)

// MaxBodyBytes bounds a TokenReview request body.
const MaxBodyBytes = 1 << 20

// TokenAuthenticator finds the live token for a secret (tokens.Service).
type TokenAuthenticator interface {
	Authenticate(ctx context.Context, secret, cluster string) (*models.Token, error)
}

// Identities returns a user's cached Keystone identity (identity.Cache).
type Identities interface {
	Get(ctx context.Context, userID string) (models.Identity, error)
}

// ClusterCredentials tells which cluster presents a webhook credential.
type ClusterCredentials interface {
	// ClusterForCredential returns the name of the cluster whose webhook credential
	// this is, or "" when none is.
	ClusterForCredential(ctx context.Context, credential string) (string, error)
}

// Usernames maps identities to Kubernetes user names (identity.UsernameRule): an error
// means the identity has none the panel may answer with.
type Usernames interface {
	Of(id models.Identity) (string, error)
}

// Metrics observes reviews. result is one of the Result constants.
type Metrics interface {
	Review(result string, apiVersion string, d time.Duration)
}

// Review results, for metrics.
const (
	ResultAuthenticated = "authenticated"
	ResultRejected      = "rejected"
	ResultMalformed     = "malformed"
	ResultUnavailable   = "unavailable"
	ResultForbidden     = "forbidden"
)

// Handler serves POST /authenticate and /authenticate/<cluster>.
type Handler struct {
	Tokens     TokenAuthenticator
	Identities Identities
	Clusters   ClusterCredentials
	Usernames  Usernames
	Metrics    Metrics
	Log        *slog.Logger
	// RequireClusterCredential refuses callers without a cluster's webhook credential.
	RequireClusterCredential bool
}

// review is the decoded request: v1 and v1beta1 share their JSON shape.
type review struct {
	metav1.TypeMeta `json:",inline"`
	Spec            authv1.TokenReviewSpec `json:"spec"`
}

// ServeHTTP answers one TokenReview. Unknown, expired or deleted tokens get 200 with
// authenticated false, so the kube-apiserver caches the rejection; only a malformed
// request gets 4xx, and an unreachable Keystone past the stale window 503 (not cached).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	result, version := h.serve(w, r)
	if h.Metrics != nil {
		h.Metrics.Review(result, version, time.Since(start))
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (result, version string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, http.StatusMethodNotAllowed, "TokenReview requests are POSTed")
		return ResultMalformed, ""
	}
	cluster, ok := h.callingCluster(w, r)
	if !ok {
		return ResultForbidden, ""
	}
	var rv review
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	if err := dec.Decode(&rv); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, "the TokenReview is larger than 1 MiB")
		} else {
			httpError(w, http.StatusBadRequest, "the body is not a JSON TokenReview")
		}
		return ResultMalformed, ""
	}
	version = rv.APIVersion
	switch {
	case version != authv1.SchemeGroupVersion.String() && version != authv1beta1.SchemeGroupVersion.String():
		httpError(w, http.StatusBadRequest, "apiVersion must be authentication.k8s.io/v1 or authentication.k8s.io/v1beta1")
		return ResultMalformed, ""
	case rv.Kind != "TokenReview":
		httpError(w, http.StatusBadRequest, "kind must be TokenReview")
		return ResultMalformed, version
	case rv.Spec.Token == "":
		httpError(w, http.StatusBadRequest, "spec.token is empty")
		return ResultMalformed, version
	}

	status, result := h.review(r.Context(), rv.Spec, cluster)
	if result == ResultUnavailable {
		w.Header().Set("Retry-After", "1")
		writeReview(w, http.StatusServiceUnavailable, version, status)
		return result, version
	}
	writeReview(w, http.StatusOK, version, status)
	return result, version
}

// callingCluster identifies the kube-apiserver from its webhook credential (a bearer
// token in the webhook kubeconfig) and the per-cluster path.
func (h *Handler) callingCluster(w http.ResponseWriter, r *http.Request) (string, bool) {
	pathCluster := strings.Trim(strings.TrimPrefix(r.URL.Path, "/authenticate"), "/")
	credential, hasCredential := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !hasCredential || credential == "" {
		if h.RequireClusterCredential {
			httpError(w, http.StatusUnauthorized, "this panel requires the cluster's webhook credential")
			return "", false
		}
		// Without a credential the path is only a hint: record it when it names a
		// cluster that could be checked, which we cannot, so record nothing.
		return "", true
	}
	name, err := h.Clusters.ClusterForCredential(r.Context(), credential)
	switch {
	case err != nil:
		h.Log.Error("webhook: resolve cluster credential", "err", err)
		httpError(w, http.StatusServiceUnavailable, "cannot check the cluster credential now")
		return "", false
	case name == "", pathCluster != "" && pathCluster != name:
		h.Log.Warn("webhook: refused a cluster credential", "path_cluster", pathCluster, "known", name != "")
		httpError(w, http.StatusUnauthorized, "the cluster's webhook credential is not valid")
		return "", false
	}
	return name, true
}

func (h *Handler) review(ctx context.Context, spec authv1.TokenReviewSpec, cluster string) (authv1.TokenReviewStatus, string) {
	tok, err := h.Tokens.Authenticate(ctx, spec.Token, cluster)
	if err != nil {
		if models.ErrorCode(err) == models.CodeUnauthenticated {
			return authv1.TokenReviewStatus{Authenticated: false}, ResultRejected
		}
		h.Log.Error("webhook: look up token", "err", err)
		return authv1.TokenReviewStatus{Error: "the token store is unavailable"}, ResultUnavailable
	}
	id, err := h.Identities.Get(ctx, tok.UserID)
	switch models.ErrorCode(err) {
	case "":
		if !id.Enabled {
			return authv1.TokenReviewStatus{Authenticated: false, Error: "the user is disabled"}, ResultRejected
		}
	case models.CodeNotFound:
		return authv1.TokenReviewStatus{Authenticated: false, Error: "the user no longer exists"}, ResultRejected
	default:
		h.Log.Warn("webhook: Keystone unavailable", "user_id", tok.UserID, "err", err)
		return authv1.TokenReviewStatus{Error: "the identity service is unavailable"}, ResultUnavailable
	}
	username, err := h.Usernames.Of(id)
	if err != nil {
		// A Keystone user must never pose as a Kubernetes component (system:…) or as a
		// user of another domain.
		h.Log.Warn("webhook: refused a user name", "user_id", tok.UserID, "reason", models.ErrorMessage(err))
		return authv1.TokenReviewStatus{Authenticated: false, Error: models.ErrorMessage(err)}, ResultRejected
	}
	return authv1.TokenReviewStatus{
		Authenticated: true,
		User: authv1.UserInfo{
			Username: username,
			UID:      id.UserID,
			Groups:   groups(id),
			Extra:    map[string]authv1.ExtraValue{"kaas.io/token-id": {tok.ID}},
		},
		// Panel tokens are valid for any audience the apiserver asks for.
		Audiences: spec.Audiences,
	}, ResultAuthenticated
}

// groups are the identity's role IDs, without any that Kubernetes reserves.
func groups(id models.Identity) []string {
	out := id.RoleIDs()
	kept := out[:0]
	for _, g := range out {
		if !models.HasPrefixFold(g, models.KubernetesReservedPrefix) {
			kept = append(kept, g)
		}
	}
	return kept
}

func writeReview(w http.ResponseWriter, code int, version string, st authv1.TokenReviewStatus) {
	var out any
	if version == authv1beta1.SchemeGroupVersion.String() {
		out = &authv1beta1.TokenReview{
			TypeMeta: metav1.TypeMeta{APIVersion: version, Kind: "TokenReview"},
			Status: authv1beta1.TokenReviewStatus{
				Authenticated: st.Authenticated,
				User: authv1beta1.UserInfo{
					Username: st.User.Username, UID: st.User.UID, Groups: st.User.Groups,
					Extra: convertExtra(st.User.Extra),
				},
				Audiences: st.Audiences,
				Error:     st.Error,
			},
		}
	} else {
		out = &authv1.TokenReview{TypeMeta: metav1.TypeMeta{APIVersion: version, Kind: "TokenReview"}, Status: st}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

func convertExtra(in map[string]authv1.ExtraValue) map[string]authv1beta1.ExtraValue {
	if in == nil {
		return nil
	}
	out := make(map[string]authv1beta1.ExtraValue, len(in))
	for k, v := range in {
		out[k] = authv1beta1.ExtraValue(v)
	}
	return out
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
