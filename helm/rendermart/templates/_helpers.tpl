{{/* Chart name, truncated to the 63 characters Kubernetes allows in a name. */}}
{{- define "rendermart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>", or the release name alone when it already contains the chart name. */}}
{{- define "rendermart.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rendermart.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rendermart.labels" -}}
helm.sh/chart: {{ include "rendermart.chart" . }}
app.kubernetes.io/part-of: rendermart
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- end }}

{{/* Selector labels for one component: pass (dict "ctx" $ "component" "backend"). */}}
{{- define "rendermart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rendermart.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "rendermart.componentLabels" -}}
{{ include "rendermart.labels" .ctx }}
{{ include "rendermart.selectorLabels" . }}
{{- end }}

{{- define "rendermart.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rendermart.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "rendermart.secretName" -}}
{{- default (printf "%s-secrets" (include "rendermart.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "rendermart.configMapName" -}}
{{- printf "%s-config" (include "rendermart.fullname" .) }}
{{- end }}

{{- define "rendermart.postgresName" -}}
{{- printf "%s-postgresql" (include "rendermart.fullname" .) }}
{{- end }}

{{/* Image reference; refuses a missing or "latest" tag so every deployment is reproducible. */}}
{{- define "rendermart.image" -}}
{{- $tag := toString .tag }}
{{- if or (eq $tag "") (eq $tag "latest") }}
{{- fail (printf "image %s needs a pinned tag (got %q)" .repository $tag) }}
{{- end }}
{{- printf "%s:%s" .repository $tag }}
{{- end }}

{{/* Where DATABASE_URL comes from: (dict "name" secret "key" key). */}}
{{- define "rendermart.databaseUrlRef" -}}
{{- if and (not .Values.postgres.enabled) .Values.externalDatabase.existingSecret }}
name: {{ .Values.externalDatabase.existingSecret }}
key: {{ .Values.externalDatabase.existingSecretKey }}
{{- else }}
name: {{ include "rendermart.secretName" . }}
key: {{ .Values.secrets.keys.databaseUrl }}
{{- end }}
{{- end }}

{{/* Container security context shared by every container: non-root, read-only, no capabilities. */}}
{{- define "rendermart.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* Environment shared by the API, the workers and the migration Job. Secrets only via secretKeyRef. */}}
{{- define "rendermart.backendEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "rendermart.databaseUrlRef" . | trim | nindent 6 }}
- name: RENDERMART_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "rendermart.secretName" . }}
      key: {{ .Values.secrets.keys.jwtSecret }}
- name: RENDERMART_ENV
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RENDERMART_ENV
- name: RENDERMART_STORAGE
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RENDERMART_STORAGE
- name: AWS_REGION
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: AWS_REGION
{{- if .Values.config.s3EndpointUrl }}
- name: RENDERMART_S3_ENDPOINT_URL
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RENDERMART_S3_ENDPOINT_URL
{{- end }}
{{- if .Values.config.bedrockEndpointUrl }}
- name: RENDERMART_BEDROCK_ENDPOINT_URL
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RENDERMART_BEDROCK_ENDPOINT_URL
{{- end }}
{{- if toString .Values.backend.workers }}
- name: RENDERMART_WORKERS
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RENDERMART_WORKERS
{{- end }}
- name: RENDERMART_DATA_DIR
  value: /data
- name: RUST_LOG
  valueFrom:
    configMapKeyRef:
      name: {{ include "rendermart.configMapName" . }}
      key: RUST_LOG
{{- with .Values.backend.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
