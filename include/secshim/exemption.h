/* Exemptions: explicit, audited exceptions to named rules.
 *
 *   "exemptions": [ { "rules": ["user"], "reason": "...",
 *                     "match": { "containerId": "glob", "root": "/run/containerd/runc/k8s.io",
 *                                "bundlePrefix": "/run/...", "verbs": ["exec"],
 *                                "annotations": { "io.kubernetes.pod.namespace": "kube-system" } },
 *                     "trustAnnotations": false } ]
 *
 * Every key given in "match" must match.  Annotations are written by whoever
 * asks for the container on Docker and podman (`--annotation`), so matching
 * on them is refused unless "trustAnnotations": true says the engine (a CRI
 * runtime that overwrites io.kubernetes.* after user input) is trusted. */
#ifndef SECSHIM_EXEMPTION_H
#define SECSHIM_EXEMPTION_H

#include <stdbool.h>

#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/settings.h"

struct exemption
{
  struct strv rules;
  char *reason;
  char *container_id_glob;
  char *root;
  char *bundle_prefix;
  struct strv verbs;
  struct json_value *annotations; /* object of key -> glob, or NULL */
};

int exemptions_load (struct policy *p, struct json_value *list, secshim_error_t *err);
void exemptions_free (struct exemption *e, size_t n);
/* Save or restore p's exemptions in a compiled policy (secshim/pack.h). */
struct pack;
void exemptions_pack (struct pack *k, struct policy *p);
/* The first exemption lifting rule for this identity and document, or NULL. */
const struct exemption *exemption_find (const struct policy *p, const char *rule, const struct identity *id,
                                        const struct json_value *doc);

#endif
