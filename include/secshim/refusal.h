/* What the person who typed `docker run` (or podman, or a pod spec) reads.
 *
 * The findings of the rules name JSON paths of the OCI document
 * ("mounts[7].source"); those stay in the audit record and `secshim check`.
 * This layer turns them into one short message in the words of the engine
 * that made the document: `--privileged`, `-v /run/systemd:/run/systemd`,
 * `--pid host` for docker and podman, `hostNetwork: true`, hostPath volumes
 * and `securityContext` fields for a Kubernetes pod (CRI), OCI fields
 * otherwise.  The most important reason comes first, then "and N more
 * (secshim check / audit log)"; the whole message is at most
 * REFUSAL_MAX_BYTES.  `secshim explain` uses the same clauses for what was
 * rewritten. */
#ifndef SECSHIM_REFUSAL_H
#define SECSHIM_REFUSAL_H

#include "secshim/json.h"
#include "secshim/policy.h"

#define REFUSAL_MAX_BYTES 1024

enum engine
{
  ENGINE_OCI = 0, /* unknown caller: OCI field names */
  ENGINE_DOCKER,
  ENGINE_PODMAN,
  ENGINE_CRI, /* kubelet through containerd's or CRI-O's CRI */
};

/* Which engine wrote the document: podman's and CRI's annotations, docker's
 * bind mounts from /var/lib/docker/containers and its setkey hook, then the
 * runc --root and the bundle path.  Each argument may be NULL. */
enum engine refusal_engine (const struct json_value *doc, const char *root, const char *bundle);
const char *engine_name (enum engine e); /* "docker", "podman", "cri", "oci" */
enum engine engine_from_name (const char *name);

/* The message of a refused container: "RULE: <most important reason>
 * (policy POLICY); and N more (secshim check / audit log)".  doc (may be
 * NULL) gives mount destinations.  Malloc'd; with report_refusal's
 * "secshim: " prefix the line stays below REFUSAL_MAX_BYTES. */
char *refusal_message (const struct findings *f, const struct json_value *doc, enum engine e, const char *policy_path);

/* One finding (refused or rewritten) in the engine's words, without its JSON
 * path: what `secshim explain` prints.  Malloc'd. */
char *refusal_clause (const struct finding *fd, const struct json_value *doc, enum engine e);

#endif
