package replicas_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPruningRunsOnOneReplicaAtATime starts three replicas that each try a pruning pass
// every second, gives them 60,000 audit entries past the retention (a pass of a second or
// more: enough for the others' ticks to fall inside it) and 10 recent ones, and reads
// their logs: the old entries go, the recent stay, and no two passes (of any replicas)
// ever held the pass at the same time.
func TestPruningRunsOnOneReplicaAtATime(t *testing.T) {
	rs, dsn := startReplicasDSN(t, []string{"a", "b", "c"}, "--prune-interval", "1s")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	insert := func(n int, at time.Time) {
		t.Helper()
		if _, err := conn.Exec(ctx, `INSERT INTO audit_entries (at, actor_id, actor_name, action, result)
			SELECT $1, 'u', 'prune-test', 'login', 'ok' FROM generate_series(1, $2)`, at, n); err != nil {
			t.Fatal(err)
		}
	}
	insert(60000, time.Now().Add(-500*24*time.Hour))
	insert(10, time.Now().Add(-time.Hour))
	count := func() (old, recent int) {
		t.Helper()
		err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE at < now() - interval '400 days'),
			count(*) FILTER (WHERE at >= now() - interval '400 days') FROM audit_entries WHERE actor_name = 'prune-test'`).Scan(&old, &recent)
		if err != nil {
			t.Fatal(err)
		}
		return old, recent
	}
	eventually(t, "the old audit entries are pruned", 30*time.Second, func() error {
		if old, _ := count(); old != 0 {
			return fmt.Errorf("%d old entries left", old)
		}
		return nil
	})
	if _, recent := count(); recent != 10 {
		t.Fatalf("%d recent entries left, want 10", recent)
	}

	type pass struct {
		replica    string
		began, end time.Time
	}
	var passes []pass
	perReplica := map[string]int{}
	readPasses := func() error {
		passes, perReplica = nil, map[string]int{}
		for _, r := range rs {
			for _, line := range strings.Split(r.Logs(), "\n") {
				if !strings.Contains(line, `"prune pass"`) {
					continue
				}
				var l struct{ Began, Ended time.Time }
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				passes = append(passes, pass{r.Name, l.Began, l.Ended})
				perReplica[r.Name]++
			}
		}
		for _, r := range rs {
			if perReplica[r.Name] < 2 {
				return fmt.Errorf("passes by replica: %v", perReplica)
			}
		}
		return nil
	}
	eventually(t, "every replica runs pruning passes", 30*time.Second, readPasses)
	if len(passes) < 3 {
		t.Fatalf("only %d pruning passes logged: %v", len(passes), perReplica)
	}
	sort.Slice(passes, func(i, j int) bool { return passes[i].began.Before(passes[j].began) })
	for i := 1; i < len(passes); i++ {
		if passes[i].began.Before(passes[i-1].end) {
			t.Fatalf("passes overlap: %s held it %s–%s, %s began at %s", passes[i-1].replica,
				passes[i-1].began.Format(time.StampMicro), passes[i-1].end.Format(time.StampMicro), passes[i].replica, passes[i].began.Format(time.StampMicro))
		}
	}
	t.Logf("%d pruning passes, none overlapping, by replica: %v", len(passes), perReplica)
}
