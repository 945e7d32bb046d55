/* Rule "maskedPaths": linux.maskedPaths and linux.readonlyPaths hold at
 * least the Docker defaults.
 *
 * Removing a mask exposes /proc/kcore, /proc/keys, /proc/timer_list,
 * /sys/firmware ...; removing a read-only path lets uid 0 without a user
 * namespace write /proc/sys/kernel/core_pattern (a program run on the host)
 * or /proc/sysrq-trigger.  `--privileged` and K8s `procMount: Unmasked`
 * empty both lists.  CIS Docker Benchmark 5.5 (privileged); PSS baseline
 * "/proc Mount Type"; CVE-2025-31133 needs masks to work.  Rewrite restores
 * the missing entries; reject refuses. */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct masked_state
{
  struct strv masked;
  struct strv readonly;
};

static void
free_masked (void *p)
{
  struct masked_state *s = p;
  strv_free (&s->masked);
  strv_free (&s->readonly);
  free (s);
}

static int
load_masked (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct masked_state *s = xzalloc (sizeof *s);
  if (take_strv (settings, "rules.maskedPaths", "masked", &s->masked, err) < 0
      || take_strv (settings, "rules.maskedPaths", "readonly", &s->readonly, err) < 0)
    {
      free_masked (s);
      return -1;
    }
  *state = s;
  return 0;
}

static void
require_all (struct eval_ctx *ctx, const char *key, const struct strv *want)
{
  cleanup_free char *path = NULL;
  struct json_value *linux_ = json_get (ctx->doc, "linux");
  struct json_value *have = json_get (linux_, key);
  cleanup_free char *before = NULL;
  cleanup_free char *after = NULL;
  size_t i, missing = 0;
  cleanup_free char *first = NULL;

  for (i = 0; i < want->n; i++)
    if (!json_array_has_string (have, want->v[i]))
      {
        if (missing++ == 0)
          first = xstrdup (want->v[i]);
      }
  if (missing == 0)
    return;
  xasprintf (&path, "linux.%s", key);
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, path, have, NULL, "%zu of the default %s are missing (first: %s)", missing, key, first);
      return;
    }
  /* Rendered now: the list is changed in place, or replaced. */
  before = eval_render (ctx, have);
  linux_ = json_get_or_add_object (ctx->doc, "linux");
  if (!json_is (have, JSON_ARRAY))
    {
      json_set (linux_, key, json_new_array ());
      have = json_get (linux_, key);
    }
  for (i = 0; i < want->n; i++)
    if (!json_array_has_string (have, want->v[i]))
      json_array_append (have, json_new_string (want->v[i]));
  after = eval_render (ctx, have);
  eval_report_rendered (ctx, path, before, after, "restored %zu missing %s (first: %s)", missing, key, first);
}

static int
check_masked (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct masked_state *s = state;
  require_all (ctx, "maskedPaths", &s->masked);
  require_all (ctx, "readonlyPaths", &s->readonly);
  return 0;
}

static void
pack_masked_paths (struct pack *k, void **state)
{
  struct masked_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->masked);
  pack_strv (k, &s->readonly);
}

const struct rule_ops rule_masked_paths = {
  .name = "maskedPaths",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_masked,
  .free_state = free_masked,
  .pack = pack_masked_paths,
  .check = check_masked,
};
