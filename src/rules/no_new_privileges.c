/* Rule "noNewPrivileges": process.noNewPrivileges must be true.
 *
 * Without it, setuid binaries and file capabilities inside the image raise
 * privileges up to the bounding set (sudo CVE-2021-3156 and friends), and
 * runc loads seccomp later.  CIS Docker Benchmark 5.26; PSS restricted
 * allowPrivilegeEscalation=false.  Applies to config.json and to exec's
 * process.json (an exec'd process's value replaces the container's). */
#include "secshim/policy.h"

static int
check_nnp (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  struct json_value *process = ctx->process;
  struct json_value *nnp = json_get (process, "noNewPrivileges");
  struct json_value *before = NULL;

  if (json_is_true (nnp))
    return 0;
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, ctx->kind == DOC_PROCESS ? "noNewPrivileges" : "process.noNewPrivileges", nnp, NULL,
                   "noNewPrivileges is not true: setuid binaries could raise privileges");
      return 0;
    }
  if (process == NULL)
    process = json_get_or_add_object (ctx->doc, "process");
  before = nnp ? json_clone (nnp) : NULL;
  json_set (process, "noNewPrivileges", json_new_bool (true));
  eval_report (ctx, ctx->kind == DOC_PROCESS ? "noNewPrivileges" : "process.noNewPrivileges", before,
               json_get (process, "noNewPrivileges"), "set noNewPrivileges to true");
  json_free (before);
  return 0;
}

const struct rule_ops rule_no_new_privileges = {
  .name = "noNewPrivileges",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS,
  .check = check_nnp,
};
