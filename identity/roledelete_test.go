package identity_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"kaas/internal/testenv"
	"kaas/models"
)

// TestLoginWhileTheUsersRolesAreDeleted logs a user in, and looks their roles up, while
// roles they hold are being deleted, as a cluster's deletion deletes the cluster's admin
// role under its admins' feet. Keystone reads an assignment and then the role it names,
// so a role deleted in between makes it answer 404 (a token scoped to the user's default
// project, a listing of assignments with names): neither may fail a login or a lookup.
func TestLoginWhileTheUsersRolesAreDeleted(t *testing.T) {
	admin := testenv.NewKeystoneAdmin(t)
	k := newKeystone(t, "")
	name := testenv.RandomName("racer-")
	userID := admin.CreateUser(name, name+"-pass")
	admin.SetDefaultProject(userID, admin.DemoProjectID())
	const rounds, askers = 12, 4
	ctx := context.Background()
	var failures []string
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for round := range rounds {
		roles := make([]string, 3)
		for i := range roles {
			roles[i] = admin.CreateRole(testenv.RandomName("doomed-"))
			admin.AssignRole(userID, roles[i])
		}
		var wg sync.WaitGroup
		for a := range askers {
			wg.Go(func() {
				for range 3 {
					if a%2 == 0 {
						if _, err := k.Authenticate(ctx, name, name+"-pass", ""); err != nil {
							fail("round %d: login: %s: %v", round, models.ErrorCode(err), err)
						}
					} else if _, _, err := k.RoleAssignments(ctx, userID); err != nil {
						fail("round %d: role assignments: %s: %v", round, models.ErrorCode(err), err)
					}
				}
			})
		}
		for _, id := range roles {
			if err := admin.DeleteRole(id); err != nil {
				t.Fatalf("delete role: %v", err)
			}
		}
		wg.Wait()
	}
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d rounds of %d role deletions under %d askers: %d failures", rounds, 3, askers, len(failures))
}
