package app_test

import (
	"encoding/json"
	"fmt"
	"kaas/config"
	"net/http"
	"strings"
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// TestWrongPasswordsAreThrottled sprays wrong passwords at one user over HTTP: after the
// free allowance the answer is RATE_LIMITED with a wait, without asking Keystone, and the
// right password works again once the wait is over. Each refusal kind is audited.
func TestWrongPasswordsAreThrottled(t *testing.T) {
	cfg := apptest.Config(t)
	// A first wait longer than any login takes on a loaded machine: the sixth attempt is
	// refused whatever the pace of the first five.
	cfg.Access.LoginBackoffBase = 5 * time.Second
	panel := apptest.Start(t, cfg)
	ks := testenv.NewKeystoneAdmin(t)
	name := testenv.RandomName("spray-")
	ks.CreateUser(name, "right-pass")
	c := panel.Client(t)
	answered, retryAfter := 0, ""
	for i := 0; i < 50; i++ {
		r := c.LoginAs(name, "wrong", "")
		if r.Code() == "RATE_LIMITED" {
			retryAfter = fmt.Sprint(r.Errors[0].Extensions["retryAfterSeconds"])
			break
		}
		if r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("wrong password %d: %+v", i, r.Errors)
		}
		answered++
	}
	t.Logf("wrong logins answered before RATE_LIMITED: %d (retryAfterSeconds %s)", answered, retryAfter)
	if answered != 5 || retryAfter == "" || retryAfter == "0" {
		t.Fatalf("answered %d wrong logins, retryAfterSeconds %q; want 5 and a wait", answered, retryAfter)
	}
	// Even the right password waits (no oracle), then works: no permanent lock.
	if r := c.LoginAs(name, "right-pass", ""); r.Code() != "RATE_LIMITED" {
		t.Fatalf("right password during the wait: %+v", r.Errors)
	}
	deadline := time.Now().Add(cfg.Access.LoginBackoffBase + 10*time.Second)
	for {
		r := c.LoginAs(name, "right-pass", "")
		if len(r.Errors) == 0 {
			break
		}
		if r.Code() != "RATE_LIMITED" || time.Now().After(deadline) {
			t.Fatalf("right password after the wait: %+v", r.Errors)
		}
		time.Sleep(200 * time.Millisecond)
	}

	op := panel.Client(t)
	op.Login("oscar")
	var audit struct {
		AuditEntries struct {
			Entries []struct{ ActorName, Result, Detail string }
		}
	}
	op.MustDo(`{auditEntries(filter:{all:true, action:"login"}, first:100){entries{actorName result detail}}}`, nil, &audit)
	seen := map[string]bool{}
	for _, e := range audit.AuditEntries.Entries {
		if e.ActorName == name {
			seen[e.Result] = true
		}
		if strings.Contains(e.Detail, "wrong\"") || strings.Contains(e.Detail, "right-pass") {
			t.Fatalf("a password in the audit trail: %+v", e)
		}
	}
	if !seen["UNAUTHENTICATED"] || !seen["RATE_LIMITED"] || !seen["ok"] {
		t.Fatalf("audit results for %s: %v; want UNAUTHENTICATED, RATE_LIMITED and ok", name, seen)
	}
}

// TestClientAddressIsThrottledAndForwardedForNeedsATrustedProxy sprays many users from one
// address: a forged X-Forwarded-For does not change the address it is counted under.
func TestClientAddressIsThrottledAndForwardedForNeedsATrustedProxy(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Access.LoginAddressFreeFailures = 3
	panel := apptest.Start(t, cfg)
	limited := 0
	for i := 0; i < 6; i++ {
		r := forwardedLogin(t, panel.URL, fmt.Sprintf("nobody-%d", i), fmt.Sprintf("198.51.100.%d", i))
		if r == "RATE_LIMITED" {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("spraying users from one address with forged X-Forwarded-For was never throttled")
	}

	cfg = apptest.Config(t)
	cfg.Access.LoginAddressFreeFailures = 3
	cfg.Access.TrustedProxies, _ = config.ParsePrefixes("127.0.0.1")
	panel = apptest.Start(t, cfg)
	for i := 0; i < 6; i++ {
		if r := forwardedLogin(t, panel.URL, fmt.Sprintf("nobody-%d", i), fmt.Sprintf("198.51.100.%d", i)); r != "UNAUTHENTICATED" {
			t.Fatalf("login %d behind a trusted proxy from distinct clients: %s", i, r)
		}
	}
}

func forwardedLogin(t *testing.T, base, user, xff string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `mutation($u:String!){login(username:$u,password:"x"){id}}`, "variables": map[string]any{"u": user}})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apptest.Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Code()
}

// TestAliasBombsAreRefusedBeforeAnyUpstreamCall sends one request with 100 aliased logins
// and ones with 300 aliased keystoneRoles or keystoneUsers: all are refused before any
// Keystone call.
func TestAliasBombsAreRefusedBeforeAnyUpstreamCall(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	c := panel.Client(t)
	c.Login("alice")
	var logins, roles, users strings.Builder
	logins.WriteString("mutation{")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&logins, `l%d:login(username:"ursula",password:"guess%d"){id} `, i, i)
	}
	logins.WriteString("}")
	roles.WriteString("{")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&roles, "r%d:keystoneRoles{id} ", i)
	}
	roles.WriteString("}")
	users.WriteString("{")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&users, `u%d:keystoneUsers(search:"a"){total} `, i)
	}
	users.WriteString("}")
	for _, q := range []struct{ name, query string }{
		{"100 logins", logins.String()}, {"300 keystoneRoles", roles.String()}, {"300 keystoneUsers", users.String()},
		{"2 logins under the complexity limit", `mutation{a:login(username:"ursula",password:"x"){id} b:login(username:"ursula",password:"y"){id}}`},
	} {
		start := time.Now()
		r := c.Do(q.query, nil, nil)
		d := time.Since(start)
		t.Logf("%s refused in %v: %s", q.name, d, r.Errors[0].Message)
		if r.Code() != "INVALID" || r.Data != nil && string(r.Data) != "null" {
			t.Fatalf("%s: %+v %s", q.name, r.Errors, r.Data)
		}
	}
	// Nothing was tried: ursula is not throttled.
	if r := c.LoginAs("ursula", "ursula-pass", ""); len(r.Errors) > 0 {
		t.Fatalf("ursula after the refused bombs: %+v", r.Errors)
	}
}

// TestSessionsEndOnTheServer copies a session cookie, logs out, and finds the copy dead;
// an operator ends every session of a user; an API token cannot create tokens.
func TestSessionsEndOnTheServer(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	browser := panel.Client(t)
	browser.Login("ursula")
	thief := browser.CopySession(t)
	thief.MustDo(`{tokens{id}}`, nil, nil)
	browser.MustDo(`mutation{logout}`, nil, nil)
	if r := thief.Do(`{tokens{id}}`, nil, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("copied cookie after logout: %+v", r.Errors)
	}

	a, b := panel.Client(t), panel.Client(t)
	userID := a.Login("ursula")
	b.Login("ursula")
	secret, _ := a.CreateToken("script")
	operator := panel.Client(t)
	operator.Login("oscar")
	var ended struct{ EndSessions int }
	if r := a.Do(`mutation($u:ID!){endSessions(userId:$u)}`, map[string]any{"u": userID}, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("endSessions by a regular user: %+v", r.Errors)
	}
	operator.MustDo(`mutation($u:ID!){endSessions(userId:$u)}`, map[string]any{"u": userID}, &ended)
	if ended.EndSessions != 2 {
		t.Fatalf("endSessions = %d; want 2", ended.EndSessions)
	}
	for _, c := range []*apptest.Client{a, b} {
		if r := c.Do(`{tokens{id}}`, nil, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("session after endSessions: %+v", r.Errors)
		}
	}

	script := panel.Client(t)
	script.Bearer = secret
	script.MustDo(`{tokens{id}}`, nil, nil)
	if r := script.Do(`mutation{createToken(input:{name:"longer"}){secret}}`, nil, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("createToken with an API token: %+v", r.Errors)
	}
	var audit struct {
		AuditEntries struct {
			Entries []struct{ Action, Result, Target string }
		}
	}
	operator.MustDo(`{auditEntries(filter:{all:true}, first:200){entries{action result target}}}`, nil, &audit)
	want := map[string]bool{"token.create/FORBIDDEN": false, "token.create/ok": false, "access.denied/FORBIDDEN": false, "sessions.end/ok": false}
	for _, e := range audit.AuditEntries.Entries {
		if _, ok := want[e.Action+"/"+e.Result]; ok {
			want[e.Action+"/"+e.Result] = true
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no audit entry %s", k)
		}
	}
}

// TestOperatorRoleCountsOnlyOnTheRoleScope gives a user the operator role's name on
// another project: that does not make an operator; on the configured project it does.
func TestOperatorRoleCountsOnlyOnTheRoleScope(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	ks := testenv.NewKeystoneAdmin(t)
	name := testenv.RandomName("scope-")
	userID := ks.CreateUser(name, "scope-pass")
	other := ks.CreateProject("default", testenv.RandomName("elsewhere-"))
	ks.AssignRoleOnProject(userID, ks.RoleID("admin"), other)
	c := panel.Client(t)
	isOperator := func() bool {
		if r := c.LoginAs(name, "scope-pass", ""); len(r.Errors) > 0 {
			t.Fatalf("login: %+v", r.Errors)
		}
		var v struct{ Viewer struct{ IsOperator bool } }
		c.MustDo(`{viewer{isOperator}}`, nil, &v)
		return v.Viewer.IsOperator
	}
	if isOperator() {
		t.Fatal("admin on another project made an operator")
	}
	if r := c.Do(`{jobs{id}}`, nil, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("jobs as admin of another project: %+v", r.Errors)
	}
	ks.AssignRole(userID, ks.RoleID("admin")) // on the demo project, the role scope
	if !isOperator() {
		t.Fatal("admin on the role scope is not an operator")
	}
}
