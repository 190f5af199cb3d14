package models_test

import (
	"testing"

	"kaas/models"
)

func TestAdminRoleTemplate(t *testing.T) {
	tests := []struct {
		template, cluster, want string
		valid                   bool
	}{
		{"", "prod", "prod-cluster-admin", false},
		{models.DefaultAdminRoleTemplate, "prod", "prod-cluster-admin", true},
		{"k8s-%s-admins", "prod", "k8s-prod-admins", true},
		{"admins-of-everything", "prod", "", false},
		{"%s-%s", "prod", "", false},
		{"%d-admins", "prod", "", false},
		{"%s-100%-admins", "prod", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			if got := models.ValidAdminRoleTemplate(tt.template); got != tt.valid {
				t.Fatalf("ValidAdminRoleTemplate(%q) = %v, want %v", tt.template, got, tt.valid)
			}
			if tt.want != "" {
				if got := models.AdminRoleName(tt.template, tt.cluster); got != tt.want {
					t.Fatalf("AdminRoleName(%q, %q) = %q, want %q", tt.template, tt.cluster, got, tt.want)
				}
			}
		})
	}
}
