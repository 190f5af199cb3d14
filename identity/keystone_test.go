package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kaas/identity"
	"kaas/internal/testenv"
	"kaas/models"
)

func newKeystone(t *testing.T, authURL string) *identity.Keystone {
	t.Helper()
	env := testenv.Keystone(t)
	if authURL == "" {
		authURL = env.AuthURL
	}
	k, err := identity.New(identity.Options{AuthURL: authURL, Username: env.Username, Password: env.Password,
		ProjectName: env.ProjectName, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAuthenticate(t *testing.T) {
	k := newKeystone(t, "")
	tests := []struct {
		name, user, password, domain string
		code                         models.Code
	}{
		{"success", "ursula", "ursula-pass", "", ""},
		{"success with explicit domain", "ursula", "ursula-pass", "Default", ""},
		{"wrong password", "ursula", "nope", "", models.CodeUnauthenticated},
		{"unknown user", "nobody-here", "x", "", models.CodeUnauthenticated},
		{"disabled user", "dora", "dora-pass", "", models.CodeUnauthenticated},
		{"wrong domain", "ursula", "ursula-pass", "NoSuchDomain", models.CodeUnauthenticated},
		{"empty password", "ursula", "", "", models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := k.Authenticate(context.Background(), tt.user, tt.password, tt.domain)
			if got := models.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if id.Username != tt.user || id.UserID == "" || id.Domain != "Default" || !id.Enabled {
				t.Errorf("identity = %+v", id)
			}
			if !id.HasAnyRole("member") {
				t.Errorf("ursula's roles %v lack member", id.Roles)
			}
		})
	}
}

func TestKeystoneStoppedIsUnavailable(t *testing.T) {
	k := newKeystone(t, testenv.ClosedURL(t))
	_, err := k.Authenticate(context.Background(), "ursula", "ursula-pass", "")
	if models.ErrorCode(err) != models.CodeUnavailable {
		t.Fatalf("login: %v, want UNAVAILABLE", err)
	}
	if msg := models.ErrorMessage(err); msg != "Keystone is unreachable; try again in a moment" {
		t.Errorf("message = %q", msg)
	}
	if _, err := k.User(context.Background(), "any"); models.ErrorCode(err) != models.CodeUnavailable {
		t.Errorf("user lookup: %v, want UNAVAILABLE", err)
	}
}

func TestRolesIncludeGroupAssignments(t *testing.T) {
	k := newKeystone(t, "")
	ctx := context.Background()
	alice, err := k.Authenticate(ctx, "alice", "alice-pass", "")
	if err != nil {
		t.Fatal(err)
	}
	// alice holds demo-cluster-admin only through her group.
	if !alice.HasAnyRole("demo-cluster-admin") {
		t.Fatalf("alice's roles %v lack the group-inherited demo-cluster-admin", alice.Roles)
	}
	seen := map[string]bool{}
	for _, r := range alice.Roles {
		if r.ID == "" || r.Name == "" || seen[r.ID] {
			t.Errorf("bad or duplicate role %+v", r)
		}
		seen[r.ID] = true
	}
	byID, err := k.User(ctx, alice.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if byID.Username != "alice" || byID.Domain != "Default" || len(byID.Roles) != len(alice.Roles) {
		t.Errorf("User = %+v, want %+v", byID, alice)
	}
	if _, err := k.User(ctx, "0123456789abcdef0123456789abcdef"); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("unknown user: %v, want NOT_FOUND", err)
	}
}

func TestDisabledUserLookup(t *testing.T) {
	k := newKeystone(t, "")
	ctx := context.Background()
	ursula, err := k.Authenticate(ctx, "ursula", "ursula-pass", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := k.User(ctx, ursula.UserID)
	if err != nil || !u.Enabled {
		t.Fatalf("ursula = %+v, %v", u, err)
	}
}

func TestDisabledUserFoundByName(t *testing.T) {
	k := newKeystone(t, "")
	ctx := context.Background()
	dora, err := k.UserByName(ctx, "dora", "")
	if err != nil {
		t.Fatal(err)
	}
	if dora.Enabled {
		t.Fatal("dora should be disabled")
	}
	byID, err := k.User(ctx, dora.UserID)
	if err != nil || byID.Enabled {
		t.Fatalf("User(dora) = %+v, %v", byID, err)
	}
	if _, err := k.UserByName(ctx, "nobody-at-all", ""); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("unknown: %v", err)
	}
}

func TestEnsureRoleIsIdempotent(t *testing.T) {
	k := newKeystone(t, "")
	ctx := context.Background()
	name := "kaas-test-role-" + time.Now().Format("150405.000000")
	r1, err := k.EnsureRole(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := k.EnsureRole(ctx, name)
	if err != nil || r2.ID != r1.ID {
		t.Fatalf("second EnsureRole = %+v, %v; want %+v", r2, err, r1)
	}
	if err := k.DeleteRole(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	if err := k.DeleteRole(ctx, r1.ID); err != nil {
		t.Fatalf("deleting a missing role: %v", err)
	}
	if _, err := k.Role(ctx, r1.ID); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("deleted role: %v", err)
	}
}

// TestSearchUsers pages through users found by part of their name, without case, in every
// domain, sorted by name then domain, against the real Keystone.
func TestSearchUsers(t *testing.T) {
	k := newKeystone(t, "")
	ks := testenv.NewKeystoneAdmin(t)
	prefix := testenv.RandomName("find") + "-"
	for _, n := range []string{"c", "a", "b"} {
		ks.CreateUser(prefix+n, "pw")
	}
	domain := testenv.RandomName("dom")
	ks.CreateUserIn(ks.CreateDomain(domain), prefix+"a", "pw")
	want := []string{prefix + "a@Default", prefix + "a@" + domain, prefix + "b@Default", prefix + "c@Default"}
	cases := []struct {
		name           string
		query          string
		offset, limit  int
		wantUsers      []string
		wantTotal, off int
	}{
		{"everything on one page", prefix, 0, 10, want, 4, 0},
		{"without case", strings.ToUpper(prefix), 0, 10, want, 4, 0},
		{"first page", prefix, 0, 2, want[:2], 4, 0},
		{"second page", prefix, 2, 2, want[2:], 4, 2},
		{"past the end", prefix, 9, 2, nil, 4, 4},
		{"no match", prefix + "zzz", 0, 10, nil, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := k.SearchUsers(context.Background(), tc.query, tc.offset, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range page.Users {
				if u.ID == "" || u.DomainID == "" || !u.Enabled {
					t.Errorf("user %+v lacks an ID, a domain ID or is disabled", u)
				}
				got = append(got, u.Name+"@"+u.Domain)
			}
			if strings.Join(got, ",") != strings.Join(tc.wantUsers, ",") || page.Total != tc.wantTotal || page.Offset != tc.off {
				t.Fatalf("page = %v total %d offset %d; want %v total %d offset %d", got, page.Total, page.Offset, tc.wantUsers, tc.wantTotal, tc.off)
			}
		})
	}
}
