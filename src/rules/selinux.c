/* Rule "selinux": the SELinux labels a container runs with.
 *
 * A label is "user:role:type:level".  The type decides the confinement:
 * spc_t ("super privileged container") and unconfined_t turn SELinux off for
 * the container, and another container's exact level (MCS categories) would
 * give access to its files.  Only types from "allowTypes" are accepted, for
 * process.selinuxLabel (config.json and exec's process.json) and
 * linux.mountLabel; an absent label is the engine's default and fine.
 * CIS Docker Benchmark 5.3; PSS baseline "SELinux" (seLinuxOptions.type in
 * container_t, container_init_t, container_kvm_t, container_engine_t).
 * Nothing can be rewritten safely (the right label is the engine's to
 * choose), so the rule refuses, audits or warns. */
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct selinux_state
{
  struct strv process_types;
  struct strv mount_types;
};

static void
free_selinux (void *p)
{
  struct selinux_state *s = p;
  strv_free (&s->process_types);
  strv_free (&s->mount_types);
  free (s);
}

static int
load_selinux (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct selinux_state *s = xzalloc (sizeof *s);
  if (take_strv (settings, "rules.selinux", "allowTypes", &s->process_types, err) < 0
      || take_strv (settings, "rules.selinux", "allowMountTypes", &s->mount_types, err) < 0)
    {
      free_selinux (s);
      return -1;
    }
  *state = s;
  return 0;
}

/* The third field of "user:role:type[:level]", or NULL when the label does
 * not have that shape.  *out is malloc'd. */
static char *
label_type (const char *label)
{
  const char *a = strchr (label, ':');
  const char *b = a ? strchr (a + 1, ':') : NULL;
  const char *c;
  if (b == NULL)
    return NULL;
  c = strchr (b + 1, ':');
  if (c == NULL)
    c = b + 1 + strlen (b + 1);
  if (c == b + 1)
    return NULL;
  return xstrndup (b + 1, (size_t) (c - b - 1));
}

static void
check_label (struct eval_ctx *ctx, const struct json_value *v, const char *path, const struct strv *allowed,
             const char *what)
{
  cleanup_free char *type = NULL;
  const char *label = json_string (v);
  if (label == NULL || label[0] == '\0')
    return;
  type = label_type (label);
  if (type == NULL)
    {
      eval_report_unfixable (ctx, path, v, "%s \"%s\" is not a user:role:type:level label", what, label);
      return;
    }
  if (!strv_contains (allowed, type))
    eval_report_unfixable (ctx, path, v, "%s type %s is not allowed (it decides the container's confinement)", what,
                           type);
}

/* Inline `runc exec --process-label L` replaces the exec'd process's label. */
static void
check_exec_flag (struct eval_ctx *ctx, const struct cli_model *m)
{
  const char *label = cli_flag_value (m, "process-label");
  if (label && label[0] != '\0')
    eval_report_flag (ctx, "process-label", label,
                      "exec: --process-label is refused: it replaces the container's SELinux label for the exec'd "
                      "process; drop the flag");
}

/* restore --lsm-profile selinux:LABEL and --lsm-mount-context replace what
 * config.json says.  CRI-O passes its own container's labels back on every
 * restore, so a value equal to the checked document is accepted. */
static void
check_restore_flags (struct eval_ctx *ctx, const struct cli_model *m)
{
  const char *profile = cli_flag_value (m, "lsm-profile");
  const char *ctxt = cli_flag_value (m, "lsm-mount-context");
  const char *label = json_string (json_get (ctx->process, "selinuxLabel"));
  const char *mount = json_string (json_get_path (ctx->doc, "linux.mountLabel"));

  if (profile && str_has_prefix (profile, "selinux:") && !str_equal (profile + strlen ("selinux:"), label))
    eval_report_flag (ctx, "lsm-profile", profile,
                      "restore: --lsm-profile=%.128s is refused: it differs from the checked config.json "
                      "(selinuxLabel %.128s); drop the flag",
                      profile, label ? label : "unset");
  if (ctxt && ctxt[0] != '\0' && !str_equal (ctxt, mount))
    eval_report_flag (ctx, "lsm-mount-context", ctxt,
                      "restore: --lsm-mount-context=%.128s is refused: it differs from the checked config.json "
                      "(linux.mountLabel %.128s); drop the flag",
                      ctxt, mount ? mount : "unset");
}

static int
check_selinux (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct selinux_state *s = state;
  cleanup_free char *path = NULL;
  (void) err;

  if (ctx->kind == DOC_ARGV)
    {
      if (eval_cli (ctx, VERB_EXEC))
        check_exec_flag (ctx, eval_cli (ctx, VERB_EXEC));
      return 0;
    }
  if (eval_cli (ctx, VERB_RESTORE))
    check_restore_flags (ctx, eval_cli (ctx, VERB_RESTORE));
  path = process_field_path (ctx, "selinuxLabel");
  check_label (ctx, json_get (ctx->process, "selinuxLabel"), path, &s->process_types, "SELinux process label");
  if (ctx->kind == DOC_CONFIG)
    check_label (ctx, json_get_path (ctx->doc, "linux.mountLabel"), "linux.mountLabel", &s->mount_types,
                 "SELinux mount label");
  return 0;
}

static void
pack_selinux (struct pack *k, void **state)
{
  struct selinux_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->process_types);
  pack_strv (k, &s->mount_types);
}

const struct rule_ops rule_selinux = {
  .name = "selinux",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .load = load_selinux,
  .free_state = free_selinux,
  .pack = pack_selinux,
  .check = check_selinux,
};
