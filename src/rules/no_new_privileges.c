/* Rule "noNewPrivileges": process.noNewPrivileges must be true.
 *
 * Without it, setuid binaries and file capabilities inside the image raise
 * privileges up to the bounding set (sudo CVE-2021-3156 and friends), and
 * runc loads seccomp later.  CIS Docker Benchmark 5.26; PSS restricted
 * allowPrivilegeEscalation=false.  Applies to config.json and to exec's
 * process.json (an exec'd process's value replaces the container's). */
#include <string.h>

#include "common.h"
#include "secshim/cli.h"
#include "secshim/policy.h"

/* Inline `runc exec --no-new-privs=false` turns it off for the exec'd
 * process whatever config.json says (runc: if context.IsSet). */
static void
check_nnp_flag (struct eval_ctx *ctx)
{
  const struct cli_model *m = eval_cli (ctx, VERB_EXEC);
  const char *v = m ? cli_flag_value (m, "no-new-privs") : NULL;
  if (v && strcmp (v, "false") == 0)
    eval_report_flag (ctx, "no-new-privs", v,
                      "exec: --no-new-privs=false is refused: noNewPrivileges must stay on; drop the flag");
}

static int
check_nnp (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  struct json_value *process = ctx->process;
  struct json_value *nnp = json_get (process, "noNewPrivileges");
  struct json_value *before = NULL;
  (void) state;
  (void) err;

  if (ctx->kind == DOC_ARGV)
    {
      check_nnp_flag (ctx);
      return 0;
    }

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
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .check = check_nnp,
};
