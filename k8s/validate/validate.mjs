// Validates every manifest in k8s/ offline; prints one line per problem and exits 1 if there is any.
//
// 1. Schema: each document against the JSON schema of its kind, as bundled by kubernetes-models
//    (Kubernetes 1.33 API) and @kubernetes-models/prometheus-operator (the operator's CRDs).
// 2. Unknown fields: those schemas allow any extra property, so a misspelt key (say
//    readOnlyRootFileSystem) would pass step 1 and be dropped silently by the API server.
//    The packages' TypeScript declarations, generated from the same schemas, are closed: each
//    document is type-checked against them, as kubectl's strict field validation would.
// 3. Consistency: the references between the manifests (selectors, named ports, ConfigMap and
//    Secret names and keys) resolve, and the settings the service relies on are present.
//
// Usage: node validate.mjs   (from any directory; it finds k8s/ next to itself)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import ts from "typescript";

import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8sDir = path.resolve(here, "..");

// apiVersion/kind -> model class, and the module and interface that declare its fields.
const MODELS = {
  "v1/ConfigMap": [ConfigMap, "kubernetes-models/v1/ConfigMap", "IConfigMap"],
  "v1/Secret": [Secret, "kubernetes-models/v1/Secret", "ISecret"],
  "v1/Service": [Service, "kubernetes-models/v1/Service", "IService"],
  "apps/v1/Deployment": [Deployment, "kubernetes-models/apps/v1/Deployment", "IDeployment"],
  "autoscaling/v2/HorizontalPodAutoscaler": [
    HorizontalPodAutoscaler, "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler", "IHorizontalPodAutoscaler"],
  "policy/v1/PodDisruptionBudget": [
    PodDisruptionBudget, "kubernetes-models/policy/v1/PodDisruptionBudget", "IPodDisruptionBudget"],
  "networking.k8s.io/v1/NetworkPolicy": [
    NetworkPolicy, "kubernetes-models/networking.k8s.io/v1/NetworkPolicy", "INetworkPolicy"],
  "networking.k8s.io/v1/Ingress": [Ingress, "kubernetes-models/networking.k8s.io/v1/Ingress", "IIngress"],
  "monitoring.coreos.com/v1/ServiceMonitor": [
    ServiceMonitor, "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "IServiceMonitor"],
  "monitoring.coreos.com/v1/PrometheusRule": [
    PrometheusRule, "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule", "IPrometheusRule"],
};

// Kustomization fields this directory may use; anything else is most likely a typo.
const KUSTOMIZATION_FIELDS = new Set([
  "apiVersion", "kind", "resources", "components", "namespace", "namePrefix", "nameSuffix",
  "labels", "commonLabels", "commonAnnotations", "images", "replicas", "patches",
  "configMapGenerator", "secretGenerator", "generatorOptions",
]);
const IMAGE_FIELDS = new Set(["name", "newName", "newTag", "digest"]);

// What the application does when GENLEDGER_SHUTDOWN_GRACE is not set.
const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;

const errors = [];
const fail = (where, message) => errors.push(`${where}: ${message}`);

// ---------------------------------------------------------------- files and kustomization

const manifestFiles = fs.readdirSync(k8sDir)
  .filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml")
  .sort();

function parseFile(file) {
  const text = fs.readFileSync(path.join(k8sDir, file), "utf8");
  const docs = [];
  YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true }).forEach((doc, i) => {
    const where = `${file}#${i + 1}`;
    for (const e of [...doc.errors, ...doc.warnings]) fail(where, `YAML: ${e.message}`);
    if (doc.errors.length) return;
    const value = doc.toJS();
    if (value === null) return; // empty document, e.g. after a trailing ---
    docs.push({ file, where, value });
  });
  return docs;
}

const kustomization = parseFile("kustomization.yaml")[0]?.value;
if (!kustomization) {
  fail("kustomization.yaml", "missing or empty");
} else {
  if (kustomization.apiVersion !== "kustomize.config.k8s.io/v1beta1" || kustomization.kind !== "Kustomization") {
    fail("kustomization.yaml", "must be apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization");
  }
  for (const key of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_FIELDS.has(key)) fail("kustomization.yaml", `unknown field '${key}'`);
  }
  const listed = Array.isArray(kustomization.resources) ? kustomization.resources : [];
  if (!listed.length) fail("kustomization.yaml", "resources must list the manifests");
  for (const r of listed) {
    if (!manifestFiles.includes(r)) fail("kustomization.yaml", `resource '${r}' is not a manifest file in k8s/`);
    if (r.endsWith(".example.yaml")) fail("kustomization.yaml", `'${r}' holds placeholders and must not be applied`);
  }
  for (const f of manifestFiles) {
    if (!listed.includes(f) && !f.endsWith(".example.yaml")) {
      fail("kustomization.yaml", `'${f}' is not listed in resources (name it *.example.yaml if it must not be applied)`);
    }
  }
  for (const [i, image] of (kustomization.images ?? []).entries()) {
    for (const key of Object.keys(image)) {
      if (!IMAGE_FIELDS.has(key)) fail("kustomization.yaml", `images[${i}]: unknown field '${key}'`);
    }
  }
}

const docs = manifestFiles.flatMap(parseFile);

// ---------------------------------------------------------------- 1. schemas

for (const d of docs) {
  const { apiVersion, kind, metadata } = d.value ?? {};
  const model = MODELS[`${apiVersion}/${kind}`];
  if (!model) {
    fail(d.where, `no schema known for apiVersion '${apiVersion}', kind '${kind}' (add it to MODELS in validate.mjs)`);
    continue;
  }
  d.model = model;
  d.label = `${d.where} ${kind}/${metadata?.name}`;
  if (typeof metadata?.name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(metadata.name)) {
    fail(d.label, "metadata.name must be a lowercase DNS label");
  }
  try {
    new model[0](d.value).validate();
  } catch (e) {
    d.schemaInvalid = true;
    const details = e.errors ?? [];
    if (!details.length) fail(d.label, e.message);
    for (const err of details) fail(d.label, `schema: ${err.instancePath || "/"} ${err.message}`);
  }
}

// ---------------------------------------------------------------- 2. unknown fields

function checkFields(typed) {
  const virtualFile = path.join(here, "__manifests__.ts");
  const lines = [];
  typed.forEach((d, i) => {
    const [, module, type] = d.model;
    lines.push(`import type { ${type} as T${i} } from "${module}";`);
  });
  typed.forEach((d, i) => lines.push(`export const doc${i}: T${i} = ${JSON.stringify(d.value, null, 2)};`));
  const source = lines.join("\n");

  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile;
  host.getSourceFile = (name, ...rest) => (path.resolve(name) === virtualFile
    ? ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true)
    : readSource(name, ...rest));
  const program = ts.createProgram([virtualFile], options, host);

  for (const diag of ts.getPreEmitDiagnostics(program)) {
    if (!diag.file || path.resolve(diag.file.fileName) !== virtualFile) {
      fail("validate.mjs", `TypeScript: ${ts.flattenDiagnosticMessageText(diag.messageText, " ")}`);
      continue;
    }
    const { index, fieldPath } = locate(diag.file, diag.start);
    const where = index === undefined ? "manifests" : typed[index].label;
    const text = ts.flattenDiagnosticMessageText(diag.messageText, "\n");
    const unknown = /known properties, (?:but|and) '"?([^'"]+)"?' does not exist/.exec(text);
    if (unknown) {
      const hint = /Did you mean to write '([^']+)'/.exec(text);
      fail(where, `unknown field ${fieldPath}${hint ? ` (did you mean '${hint[1]}'?)` : ""}`);
    } else if (index === undefined || !typed[index].schemaInvalid) { // else step 1 said it already
      fail(where, `type: ${fieldPath}: ${text.split("\n").pop().slice(0, 300)}`);
    }
  }
}

// The document index and the field path (spec.template...) at a position in the generated source.
function locate(sourceFile, position) {
  let node = sourceFile;
  for (;;) {
    const child = node.getChildren(sourceFile).find((c) => c.getStart(sourceFile) <= position && position < c.getEnd());
    if (!child) break;
    node = child;
  }
  const parts = [];
  let index;
  for (let n = node; n; n = n.parent) {
    if (ts.isPropertyAssignment(n) && n.name) {
      parts.unshift(n.name.text ?? n.name.getText(sourceFile));
    } else if (n.parent && ts.isArrayLiteralExpression(n.parent)) {
      parts.unshift(`[${n.parent.elements.indexOf(n)}]`);
    } else if (ts.isVariableDeclaration(n)) {
      index = Number(n.name.getText(sourceFile).replace("doc", ""));
      break;
    }
  }
  return { index, fieldPath: parts.join(".").replaceAll(".[", "[") || "(document)" };
}

checkFields(docs.filter((d) => d.model));
report("fix these first; the consistency checks need valid documents");

// ---------------------------------------------------------------- 3. consistency

const byKind = (kind) => docs.filter((d) => d.value?.kind === kind).map((d) => ({ ...d, m: d.value }));
const matches = (selector, labels) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const deployments = byKind("Deployment");
const services = byKind("Service");
const configMaps = byKind("ConfigMap");
const secrets = byKind("Secret");

if (deployments.length !== 1) fail("k8s/", `expected exactly one Deployment, found ${deployments.length}`);
const dep = deployments[0];

if (dep) {
  const spec = dep.m.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const podLabels = spec.template?.metadata?.labels ?? {};
  const containers = pod.containers ?? [];
  const c = containers[0] ?? {};
  const portNames = new Map(containers.flatMap((x) => x.ports ?? []).map((p) => [p.name, p.containerPort]));
  const portExists = (port) => (typeof port === "number" ? [...portNames.values()].includes(port) : portNames.has(port));

  if (!matches(spec.selector?.matchLabels, podLabels)) fail(dep.label, "spec.selector does not match the pod template labels");
  if (containers.length !== 1) fail(dep.label, "expected exactly one container");

  // Security settings the service is built to run with.
  if (pod.automountServiceAccountToken !== false) fail(dep.label, "automountServiceAccountToken must be false");
  if (pod.securityContext?.runAsNonRoot !== true && c.securityContext?.runAsNonRoot !== true) {
    fail(dep.label, "runAsNonRoot must be true");
  }
  const seccomp = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") fail(dep.label, "seccompProfile must be RuntimeDefault");
  if (c.securityContext?.readOnlyRootFilesystem !== true) fail(dep.label, "readOnlyRootFilesystem must be true");
  if (c.securityContext?.allowPrivilegeEscalation !== false) fail(dep.label, "allowPrivilegeEscalation must be false");
  if (!(c.securityContext?.capabilities?.drop ?? []).includes("ALL")) fail(dep.label, "capabilities must drop ALL");
  if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
    fail(dep.label, "cpu and memory requests and a memory limit are required");
  }

  // A read-only root file system leaves /tmp as the only place to write.
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  const mounts = c.volumeMounts ?? [];
  const tmp = mounts.find((m) => m.mountPath === "/tmp");
  if (!tmp || !volumes.get(tmp.name)?.emptyDir) fail(dep.label, "/tmp must be an emptyDir mount");
  for (const m of mounts) if (!volumes.has(m.name)) fail(dep.label, `volumeMount '${m.name}' has no volume`);

  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    const get = c[probe]?.httpGet;
    if (!get) fail(dep.label, `${probe} with httpGet is required`);
    else if (!portExists(get.port)) fail(dep.label, `${probe} port '${get.port}' is not a container port`);
  }

  // ConfigMaps and Secrets the pod reads must exist, with the keys it reads.
  const env = Object.fromEntries((c.env ?? []).filter((e) => "value" in e).map((e) => [e.name, e.value]));
  for (const ref of c.envFrom ?? []) {
    const name = ref.configMapRef?.name ?? ref.secretRef?.name;
    const found = (ref.configMapRef ? configMaps : secrets).find((x) => x.m.metadata?.name === name);
    if (!found) fail(dep.label, `envFrom refers to '${name}', which no manifest defines`);
    else Object.assign(env, found.m.data ?? {}, found.m.stringData ?? {});
  }
  const keysOf = (s) => Object.keys({ ...(s.m.data ?? {}), ...(s.m.stringData ?? {}) });
  const requireKey = (list, what, name, key) => {
    const found = list.find((x) => x.m.metadata?.name === name);
    if (!found) fail(dep.label, `${what} '${name}' is not defined in k8s/`);
    else if (key !== undefined && !keysOf(found).includes(key)) fail(dep.label, `${what} '${name}' has no key '${key}'`);
  };
  for (const e of c.env ?? []) {
    const s = e.valueFrom?.secretKeyRef;
    const cm = e.valueFrom?.configMapKeyRef;
    if (s) requireKey(secrets, "Secret", s.name, s.key);
    if (cm) requireKey(configMaps, "ConfigMap", cm.name, cm.key);
  }
  for (const v of volumes.values()) {
    if (v.secret) for (const item of v.secret.items ?? [{}]) requireKey(secrets, "Secret", v.secret.secretName, item.key);
    if (v.configMap) for (const item of v.configMap.items ?? [{}]) requireKey(configMaps, "ConfigMap", v.configMap.name, item.key);
  }

  // The JWT public key location must be a file the Secret volume provides.
  const keyLocation = env.MP_JWT_VERIFY_PUBLICKEY_LOCATION;
  if (!keyLocation) {
    fail(dep.label, "MP_JWT_VERIFY_PUBLICKEY_LOCATION is not set");
  } else {
    const provided = mounts.some((m) => {
      const v = volumes.get(m.name)?.secret;
      if (!v) return false;
      const files = v.items
        ? v.items.map((i) => i.path)
        : keysOf(secrets.find((s) => s.m.metadata?.name === v.secretName) ?? { m: {} });
      return files.some((f) => path.posix.join(m.mountPath, f) === keyLocation);
    });
    if (!provided) fail(dep.label, `MP_JWT_VERIFY_PUBLICKEY_LOCATION ${keyLocation} is not a file of a mounted Secret`);
  }

  // Shutdown order: preStop sleep, then SIGTERM and the application's graceful shutdown, all
  // before the kubelet's SIGKILL at terminationGracePeriodSeconds.
  const grace = parseSeconds(env.GENLEDGER_SHUTDOWN_GRACE ?? `${DEFAULT_SHUTDOWN_GRACE_SECONDS}S`);
  const preStop = c.lifecycle?.preStop?.sleep?.seconds;
  const period = pod.terminationGracePeriodSeconds ?? 30;
  if (grace === undefined) fail(dep.label, `GENLEDGER_SHUTDOWN_GRACE '${env.GENLEDGER_SHUTDOWN_GRACE}' is not a duration like 20S`);
  if (typeof preStop !== "number") fail(dep.label, "a preStop sleep is required (lifecycle.preStop.sleep.seconds)");
  if (grace !== undefined && typeof preStop === "number" && !(period > preStop + grace)) {
    fail(dep.label, `terminationGracePeriodSeconds ${period} must exceed preStop ${preStop} s + shutdown grace ${grace} s`);
  }

  for (const s of services) {
    if (!matches(s.m.spec?.selector, podLabels)) fail(s.label, "selector does not match the Deployment's pods");
    for (const p of s.m.spec?.ports ?? []) {
      if (!portExists(p.targetPort ?? p.port)) fail(s.label, `targetPort '${p.targetPort}' is not a container port`);
    }
  }

  for (const h of byKind("HorizontalPodAutoscaler")) {
    const ref = h.m.spec?.scaleTargetRef ?? {};
    if (ref.kind !== "Deployment" || ref.name !== dep.m.metadata?.name) fail(h.label, "scaleTargetRef is not the Deployment");
    if (!((h.m.spec?.minReplicas ?? 1) >= 2)) fail(h.label, "minReplicas must be at least 2");
    if (spec.replicas !== undefined) fail(dep.label, "replicas must be left to the HorizontalPodAutoscaler");
  }

  for (const p of byKind("PodDisruptionBudget")) {
    if (!matches(p.m.spec?.selector?.matchLabels, podLabels)) fail(p.label, "selector does not match the Deployment's pods");
  }

  for (const n of byKind("NetworkPolicy")) {
    if (!matches(n.m.spec?.podSelector?.matchLabels, podLabels)) fail(n.label, "podSelector does not match the Deployment's pods");
    for (const rule of n.m.spec?.ingress ?? []) {
      for (const p of rule.ports ?? []) if (!portExists(p.port)) fail(n.label, `ingress port '${p.port}' is not a container port`);
    }
  }

  // The Ingress reaches the API Service by a port it has, and routes each user to one replica.
  for (const ing of byKind("Ingress")) {
    for (const rule of ing.m.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const backend = p.backend?.service ?? {};
        const svc = services.find((s) => s.m.metadata?.name === backend.name);
        if (!svc) { fail(ing.label, `backend Service '${backend.name}' is not defined in k8s/`); continue; }
        const ports = svc.m.spec?.ports ?? [];
        if (!ports.some((sp) => sp.name === backend.port?.name || sp.port === backend.port?.number)) {
          fail(ing.label, `backend port '${backend.port?.name ?? backend.port?.number}' is not a port of Service ${backend.name}`);
        }
        if (svc.m.metadata?.labels?.["app.kubernetes.io/component"] !== "api") {
          fail(ing.label, `backend Service '${backend.name}' is not the API Service`);
        }
      }
    }
    if (!ing.m.metadata?.annotations?.["nginx.ingress.kubernetes.io/upstream-hash-by"]) {
      fail(ing.label, "nginx.ingress.kubernetes.io/upstream-hash-by must route each user to one replica");
    }
  }

  for (const sm of byKind("ServiceMonitor")) {
    const selected = services.filter((s) => matches(sm.m.spec?.selector?.matchLabels, s.m.metadata?.labels));
    if (!selected.length) fail(sm.label, "selector matches no Service");
    for (const e of sm.m.spec?.endpoints ?? []) {
      for (const s of selected) {
        if (!(s.m.spec?.ports ?? []).some((p) => p.name === e.port)) {
          fail(sm.label, `endpoint port '${e.port}' is not a port name of Service ${s.m.metadata?.name}`);
        }
      }
    }
  }
}

function parseSeconds(value) {
  const m = /^(?:PT)?(\d+)S$/i.exec(String(value).trim());
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------- report

function report(note) {
  if (!errors.length) return;
  console.error(`k8s manifests: ${errors.length} problem(s)`);
  for (const e of errors) console.error(`  ${e}`);
  if (note) console.error(`(${note})`);
  process.exit(1);
}

report();
for (const d of docs) console.log(`ok  ${d.label}`);
console.log(`k8s manifests: ${docs.length} documents in ${manifestFiles.length} files valid`);
