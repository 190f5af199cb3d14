{{/* kaas.name is the chart name, or nameOverride. */}}
{{- define "kaas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* kaas.fullname names every object of a release. */}}
{{- define "kaas.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "kaas.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kaas.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kaas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kaas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kaas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "kaas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kaas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kaas.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* kaas.secretName is the Secret the chart makes from values. */}}
{{- define "kaas.secretName" -}}
{{- include "kaas.fullname" . -}}
{{- end -}}

{{- define "kaas.webhookTLSSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "kaas.fullname" .)) .Values.webhook.tls.existingSecret -}}
{{- end -}}

{{/* kaas.hasDatabase is "true" when the panel runs on PostgreSQL. */}}
{{- define "kaas.hasDatabase" -}}
{{- if or .Values.database.dsn .Values.database.existingSecret -}}true{{- end -}}
{{- end -}}

{{- define "kaas.hasKeys" -}}
{{- if or .Values.keys.existingSecret (and .Values.keys.session .Values.keys.credential) -}}true{{- end -}}
{{- end -}}

{{/* kaas.chartSecretNeeded is "true" when some value goes into the chart's Secret. */}}
{{- define "kaas.chartSecretNeeded" -}}
{{- if or (and .Values.database.dsn (not .Values.database.existingSecret)) (and (not .Values.keys.existingSecret) (or .Values.keys.session .Values.keys.credential)) (not .Values.keystone.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "kaas.publicURL" -}}
{{- if .Values.publicURL -}}
{{- .Values.publicURL -}}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tls.secretName))) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{- define "kaas.webhookPublicURL" -}}
{{- if .Values.webhook.publicURL -}}
{{- .Values.webhook.publicURL -}}
{{- else if and .Values.ingress.enabled .Values.ingress.webhook.enabled .Values.ingress.webhook.host -}}
{{- printf "https://%s" .Values.ingress.webhook.host -}}
{{- end -}}
{{- end -}}

{{/*
kaas.validate fails rendering with a message naming the value to set, for settings the binary
would refuse or that would break with several replicas.
*/}}
{{- define "kaas.validate" -}}
{{- $v := .Values -}}
{{- if not $v.keystone.url -}}
{{- fail "keystone.url is required: the Keystone v3 URL (OS_AUTH_URL)" -}}
{{- end -}}
{{- if and (not $v.keystone.existingSecret) (or (not $v.keystone.username) (not $v.keystone.password)) -}}
{{- fail "the Keystone service account is required: set keystone.username and keystone.password, or keystone.existingSecret (keys username, password)" -}}
{{- end -}}
{{- if lt (int $v.replicas) 1 -}}
{{- fail "replicas must be at least 1" -}}
{{- end -}}
{{- if and (gt (int $v.replicas) 1) (not (include "kaas.hasDatabase" .)) -}}
{{- fail (printf "replicas=%d needs PostgreSQL: set database.dsn or database.existingSecret (SQLite serves one replica only)" (int $v.replicas)) -}}
{{- end -}}
{{- if and (gt (int $v.replicas) 1) (not (include "kaas.hasKeys" .)) -}}
{{- fail (printf "replicas=%d needs the same keys in every replica: set keys.session and keys.credential, or keys.existingSecret (keys generated in a pod's data directory differ per pod)" (int $v.replicas)) -}}
{{- end -}}
{{- if and (not (include "kaas.hasDatabase" .)) (not $v.persistence.enabled) -}}
{{- fail "without PostgreSQL the SQLite database lives in the data directory: set database.dsn (or database.existingSecret), or persistence.enabled=true with replicas=1" -}}
{{- end -}}
{{- if and (include "kaas.hasDatabase" .) (not (include "kaas.hasKeys" .)) -}}
{{- fail "with PostgreSQL set keys.session and keys.credential, or keys.existingSecret: keys generated in the pod's emptyDir data directory are lost with the pod, and cluster credentials sealed with them cannot be opened again" -}}
{{- end -}}
{{- if and (not $v.keys.existingSecret) (or $v.keys.session $v.keys.credential) (not (and $v.keys.session $v.keys.credential)) -}}
{{- fail "set keys.session and keys.credential together (or keys.existingSecret)" -}}
{{- end -}}
{{- if and (not $v.keys.existingSecret) $v.keys.session (lt (len (b64dec $v.keys.session)) 32) -}}
{{- fail "keys.session must be base64 of at least 32 bytes" -}}
{{- end -}}
{{- if and (not $v.keys.existingSecret) $v.keys.credential (ne (len (b64dec $v.keys.credential)) 32) -}}
{{- fail "keys.credential must be base64 of exactly 32 bytes (AES-256)" -}}
{{- end -}}
{{- range $v.keys.oldCredential -}}
{{- if ne (len (b64dec .)) 32 -}}
{{- fail "each of keys.oldCredential must be base64 of exactly 32 bytes" -}}
{{- end -}}
{{- end -}}
{{- if and $v.webhook.tls.enabled (not $v.webhook.tls.existingSecret) (or (not $v.webhook.tls.cert) (not $v.webhook.tls.key)) -}}
{{- fail "webhook.tls.enabled needs webhook.tls.cert and webhook.tls.key, or webhook.tls.existingSecret (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if and $v.webhook.tls.enabled (not (include "kaas.webhookPublicURL" .)) -}}
{{- fail "webhook.tls.enabled needs webhook.publicURL: the https URL clusters reach the TLS listener at (its Service or load balancer)" -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.host) -}}
{{- fail "ingress.enabled needs ingress.host" -}}
{{- end -}}
{{- if and $v.ingress.enabled $v.ingress.webhook.enabled (not $v.ingress.webhook.host) -}}
{{- fail "ingress.webhook.enabled needs ingress.webhook.host" -}}
{{- end -}}
{{- if and $v.ingress.enabled $v.ingress.webhook.enabled (not $v.ingress.webhook.tlsSecretName) -}}
{{- fail "ingress.webhook.enabled needs ingress.webhook.tlsSecretName: kube-apiservers send a cluster's webhook credential over https only" -}}
{{- end -}}
{{- if and $v.webhook.tls.enabled $v.ingress.enabled $v.ingress.webhook.enabled -}}
{{- fail "choose one way for the webhook: its own TLS listener (webhook.tls.enabled) or the ingress (ingress.webhook.enabled); the kubeconfigs trust the listener's certificate, which the ingress does not serve" -}}
{{- end -}}
{{- if and $v.persistence.enabled (gt (int $v.replicas) 1) -}}
{{- fail "persistence (SQLite on a volume) serves one replica: use PostgreSQL (database.dsn) for several" -}}
{{- end -}}
{{- end -}}

{{/* kaas.secretEnv renders an env entry read from a Secret key. */}}
{{- define "kaas.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}
