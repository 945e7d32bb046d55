/* Helpers shared by the process-side rules (src/rules/{capabilities,user,namespaces,
 * privileged,process,resources}.c).  Private to src/rules. */
#ifndef SECSHIM_RULES_COMMON_H
#define SECSHIM_RULES_COMMON_H

#include <stdbool.h>

#include "secshim/policy.h"

/* JSON path of a member of the process object: "process.<sub>" in a
 * config.json, "<sub>" in a process.json (which is the process itself).
 * Returns a malloc'd string. */
char *process_field_path (const struct eval_ctx *ctx, const char *sub);

/* Record a violation the rule cannot repair.  Under action rewrite there is
 * no safe value to write (a cwd under /proc, host root in a uid mapping), so
 * the finding refuses the container instead of being silently allowed;
 * under audit/warn (and when exempted) it is recorded like any other. */
void eval_report_unfixable (struct eval_ctx *ctx, const char *path, const struct json_value *before, const char *fmt,
                            ...) __attribute__ ((format (printf, 4, 5)));

/* The cgroup runc puts the container's own cgroup in (absolute within the
 * hierarchy, cleaned: the parent of a cgroupfs path, the slice of a systemd
 * one), or NULL when it is relative, absent, unusable or the root.  Rule
 * cgroups judges where that is; rule resources asks whether it bounds the
 * container (kubelet limits the pod's cgroup, not its pause container). */
char *cgroups_parent_dir (const struct eval_ctx *ctx);

/* runc's command line when secshim runs in its place and the verb is
 * `verb` (VERB_EXEC, VERB_RESTORE): the flags a rule owns.  NULL under
 * `secshim check` and for every other verb. */
const struct cli_model *eval_cli (const struct eval_ctx *ctx, int verb);

/* Record a flag of runc's command line that the rule refuses, as a finding
 * at path "<verb> --<flag>" with the value as written.  A flag cannot be
 * repaired (a person typed it), so under rewrite it refuses, like
 * eval_report_unfixable; under audit/warn or an exemption it is recorded
 * and runc gets it. */
void eval_report_flag (struct eval_ctx *ctx, const char *flag, const char *value, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Capability names.  In a policy, "NET_RAW", "net_raw" and "CAP_NET_RAW"
 * are accepted (libcap-ng's names are case-insensitive); in a document only
 * the exact form runc's capability map uses, "CAP_" + upper case.  Both
 * give the canonical "CAP_NET_RAW" or NULL when unknown: the policy's
 * malloc'd, the document's static (a table built once per process). */
char *cap_normalize_policy_name (const char *name);
const char *cap_document_name (const char *name, int *cap); /* *cap: its number (< 64) */
/* Number of capabilities libcap-ng knows on this build (CAP_LAST_CAP + 1). */
int cap_known_count (void);

#endif
