// Package webhook answers kube-apiservers' TokenReview requests
// (authentication.k8s.io v1 and v1beta1) for the panel's API tokens.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	authv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/models"
	"kaas/tokens"
)

// MaxBodyBytes bounds a TokenReview request body.
const MaxBodyBytes = 1 << 20

// TokenAuthenticator finds the live token for a secret (tokens.Service): with the
// token index, the same *tokens.Live for the same token every time, which keeps the
// answer rendered for it.
type TokenAuthenticator interface {
	AuthenticateLive(ctx context.Context, secret, cluster string) (*tokens.Live, error)
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
	buf := getBuffer()
	defer putBuffer(buf)
	var rq request
	body, complete, err := readBody(r.Body, buf.b[:0])
	buf.b = body
	switch {
	case err != nil:
		httpError(w, http.StatusBadRequest, "the body is not a JSON TokenReview")
		return ResultMalformed, ""
	case !complete || !rq.decodeFast(body):
		// Whatever the fast decoder does not take is decoded exactly as before, from the
		// same bytes followed by the rest of the body, under the same limit.
		if msg, code := rq.decodeJSON(http.MaxBytesReader(w, readerOf(body, r.Body, complete), MaxBodyBytes)); code != 0 {
			httpError(w, code, msg)
			return ResultMalformed, ""
		}
	}
	version = rq.apiVersion
	switch {
	case version != v1 && version != v1beta1:
		httpError(w, http.StatusBadRequest, "apiVersion must be authentication.k8s.io/v1 or authentication.k8s.io/v1beta1")
		return ResultMalformed, ""
	case !rq.kindOK:
		httpError(w, http.StatusBadRequest, "kind must be TokenReview")
		return ResultMalformed, version
	case rq.token == "":
		httpError(w, http.StatusBadRequest, "spec.token is empty")
		return ResultMalformed, version
	}

	ans, result := h.review(r.Context(), &rq, cluster)
	code := http.StatusOK
	if result == ResultUnavailable {
		w.Header()["Retry-After"] = retryAfter
		code = http.StatusServiceUnavailable
	}
	if ans.bytes != nil && (result != ResultAuthenticated || len(rq.audiences) == 0) {
		writeBytes(w, code, ans.bytes[versionIndex(version)])
		return result, version
	}
	if ans.bytes != nil {
		// The rendered answer with the request's audiences spliced in where encoding/json
		// puts them: last in the status, which carries no error.
		out := withAudiences(buf.out[:0], ans.bytes[versionIndex(version)], rq.audiences)
		buf.out = out
		writeBytes(w, code, out)
		return result, version
	}
	// Only refusals are not rendered ahead (an authenticated answer always is): they
	// carry no audiences.
	writeReview(w, code, version, ans.status)
	return result, version
}

// The API versions answered, and shared header values (never modified in place).
var (
	v1          = authv1.SchemeGroupVersion.String()
	v1beta1     = authv1beta1.SchemeGroupVersion.String()
	contentJSON = []string{"application/json"}
	retryAfter  = []string{"1"}
)

func versionIndex(version string) int {
	if version == v1beta1 {
		return 1
	}
	return 0
}

// callingCluster identifies the kube-apiserver from its webhook credential (a bearer
// token in the webhook kubeconfig) and the per-cluster path.
func (h *Handler) callingCluster(w http.ResponseWriter, r *http.Request) (string, bool) {
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
	pathCluster := strings.Trim(strings.TrimPrefix(r.URL.Path, "/authenticate"), "/")
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

// answer is a review's answer: rendered bytes for v1 and v1beta1 (without audiences)
// when it has them, else a status to encode.
type answer struct {
	bytes  *[2][]byte
	status authv1.TokenReviewStatus
}

// rendered is an authenticated answer kept with its token (tokens.Live's memo): it goes
// when the token does, and is rendered again when the identity it was made from changes.
type rendered struct {
	from  models.Identity
	bytes [2][]byte
}

// matches reports whether r was rendered from an identity that answers as id does.
func (r *rendered) matches(id models.Identity) bool {
	f := r.from
	return f.UserID == id.UserID && f.Username == id.Username && f.Domain == id.Domain &&
		f.DomainID == id.DomainID && f.Enabled == id.Enabled && slices.Equal(f.Roles, id.Roles)
}

// The fixed answers, rendered once.
var (
	answerUnknown      = staticAnswer(authv1.TokenReviewStatus{Authenticated: false})
	answerDisabled     = staticAnswer(authv1.TokenReviewStatus{Authenticated: false, Error: "the user is disabled"})
	answerGone         = staticAnswer(authv1.TokenReviewStatus{Authenticated: false, Error: "the user no longer exists"})
	answerStoreDown    = staticAnswer(authv1.TokenReviewStatus{Error: "the token store is unavailable"})
	answerIdentityDown = staticAnswer(authv1.TokenReviewStatus{Error: "the identity service is unavailable"})
)

func staticAnswer(st authv1.TokenReviewStatus) answer {
	return answer{bytes: &[2][]byte{renderReview(v1, st), renderReview(v1beta1, st)}, status: st}
}

func (h *Handler) review(ctx context.Context, rq *request, cluster string) (answer, string) {
	tok, err := h.Tokens.AuthenticateLive(ctx, rq.token, cluster)
	if err != nil {
		if models.ErrorCode(err) == models.CodeUnauthenticated {
			return answerUnknown, ResultRejected
		}
		h.Log.Error("webhook: look up token", "err", err)
		return answerStoreDown, ResultUnavailable
	}
	id, err := h.Identities.Get(ctx, tok.UserID)
	switch models.ErrorCode(err) {
	case "":
		if !id.Enabled {
			return answerDisabled, ResultRejected
		}
	case models.CodeNotFound:
		return answerGone, ResultRejected
	default:
		h.Log.Warn("webhook: Keystone unavailable", "user_id", tok.UserID, "err", err)
		return answerIdentityDown, ResultUnavailable
	}
	if r, _ := tok.Memo().(*rendered); r != nil && r.matches(id) {
		return answer{bytes: &r.bytes}, ResultAuthenticated
	}
	username, err := h.Usernames.Of(id)
	if err != nil {
		// A Keystone user must never pose as a Kubernetes component (system:…) or as a
		// user of another domain.
		h.Log.Warn("webhook: refused a user name", "user_id", tok.UserID, "reason", models.ErrorMessage(err))
		return answer{status: authv1.TokenReviewStatus{Authenticated: false, Error: models.ErrorMessage(err)}}, ResultRejected
	}
	st := authv1.TokenReviewStatus{
		Authenticated: true,
		User: authv1.UserInfo{
			Username: username,
			UID:      id.UserID,
			Groups:   groups(id),
			Extra:    map[string]authv1.ExtraValue{"kaas.io/token-id": {tok.ID}},
		},
		// Panel tokens are valid for any audience the apiserver asks for: they are
		// added to the rendered answer per request.
	}
	r := &rendered{from: id, bytes: [2][]byte{renderReview(v1, st), renderReview(v1beta1, st)}}
	tok.SetMemo(r)
	return answer{bytes: &r.bytes, status: st}, ResultAuthenticated
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

// reviewObject is the TokenReview of version answering st, as k8s.io/api defines it.
func reviewObject(version string, st authv1.TokenReviewStatus) any {
	if version == v1beta1 {
		return &authv1beta1.TokenReview{
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
	}
	return &authv1.TokenReview{TypeMeta: metav1.TypeMeta{APIVersion: version, Kind: "TokenReview"}, Status: st}
}

// renderReview encodes the answer as writeReview does.
func renderReview(version string, st authv1.TokenReviewStatus) []byte {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(reviewObject(version, st))
	return b.Bytes()
}

func writeReview(w http.ResponseWriter, code int, version string, st authv1.TokenReviewStatus) {
	w.Header()["Content-Type"] = contentJSON
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(reviewObject(version, st))
}

func writeBytes(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentJSON
	w.WriteHeader(code)
	_, _ = w.Write(b)
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
