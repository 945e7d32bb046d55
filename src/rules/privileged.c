/* Rule "privileged": refuse a container that looks like `docker run
 * --privileged` / Kubernetes `privileged: true`, with one message listing
 * every sign it shows.
 *
 * The OCI spec has no "privileged" field, so this is a heuristic over the
 * signs an engine leaves when it turns confinement off (prior-art.md 3,
 * CIS 5.5):
 *   - CAP_SYS_ADMIN in any capability set          (rule capabilities)
 *   - no linux.seccomp                             (rule seccomp)
 *   - a device cgroup rule allowing every device   (rule devices)
 *   - no linux.maskedPaths                         (rule maskedPaths)
 *   - no linux.readonlyPaths                       (rule maskedPaths)
 *   - /sys mounted read-write                      (rule mounts)
 *   - process.apparmorProfile "unconfined"         (rules apparmor, process)
 * Threshold: CAP_SYS_ADMIN plus at least one other sign, or any three signs.
 * One sign alone is some other rule's business: `--cap-add ALL` (only the
 * first sign) is neutralised by the capabilities rule, a missing seccomp
 * profile by the seccomp rule.  Docker's --privileged shows all seven on an
 * AppArmor host and six without AppArmor.
 *
 * It runs first, on the document as submitted, before any rule rewrites
 * the evidence away.  Config only: exec's process.json shows at most the
 * capability and AppArmor signs, and both are handled by their own rules.
 * CIS Docker Benchmark 5.5; PSS baseline "Privileged Containers". */
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/policy.h"
#include "secshim/util.h"

#define MAX_SIGNS 8

struct signs
{
  const char *v[MAX_SIGNS];
  char *owned[MAX_SIGNS];
  size_t n;
  bool sys_admin;
};

static void
add_sign (struct signs *s, char *text)
{
  if (s->n < MAX_SIGNS)
    {
      s->owned[s->n] = text;
      s->v[s->n++] = text;
    }
  else
    free (text);
}

static void
sign_caps (const struct eval_ctx *ctx, struct signs *s)
{
  static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
  const struct json_value *caps = json_get (ctx->process, "capabilities");
  size_t i;
  for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
    {
      const struct json_value *set = json_get (caps, sets[i]);
      char *text = NULL;
      if (!json_array_has_string (set, "CAP_SYS_ADMIN"))
        continue;
      xasprintf (&text, "CAP_SYS_ADMIN among %zu capabilities in process.capabilities.%s (capabilities)", set->count,
                 sets[i]);
      add_sign (s, text);
      s->sys_admin = true;
      return;
    }
}

static bool
is_allow_all_device_rule (const struct json_value *r)
{
  const char *type = json_string (json_get (r, "type"));
  if (!json_is_true (json_get (r, "allow")))
    return false;
  if (json_get (r, "major") || json_get (r, "minor"))
    return false;
  return type == NULL || strcmp (type, "a") == 0;
}

static void
sign_devices (const struct eval_ctx *ctx, struct signs *s)
{
  const struct json_value *rules = json_get_path (ctx->doc, "linux.resources.devices");
  size_t i;
  if (!json_is (rules, JSON_ARRAY))
    return;
  for (i = 0; i < rules->count; i++)
    if (is_allow_all_device_rule (rules->items[i]))
      {
        char *text = NULL;
        xasprintf (&text, "linux.resources.devices[%zu] allows every device (devices)", i);
        add_sign (s, text);
        return;
      }
}

static bool
empty_list (const struct json_value *v)
{
  return !json_is (v, JSON_ARRAY) || v->count == 0;
}

static bool
has_option (const struct json_value *m, const char *opt)
{
  return json_array_has_string (json_get (m, "options"), opt);
}

static void
sign_sys_rw (const struct eval_ctx *ctx, struct signs *s)
{
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  size_t i;
  if (!json_is (mounts, JSON_ARRAY))
    return;
  for (i = 0; i < mounts->count; i++)
    {
      const struct json_value *m = mounts->items[i];
      const char *dest = json_string (json_get (m, "destination"));
      /* Normalising keeps components or drops them, never makes one: a
       * destination without "sys" in it cannot come out as /sys, and most
       * mounts are spared the copy. */
      cleanup_free char *norm = dest && strstr (dest, "sys") ? path_lexical_normalize (dest) : NULL;
      char *text = NULL;
      if (norm == NULL || strcmp (norm, "/sys") != 0 || has_option (m, "ro"))
        continue;
      xasprintf (&text, "/sys mounted read-write (mounts[%zu], mounts)", i);
      add_sign (s, text);
      return;
    }
}

static void
collect_signs (const struct eval_ctx *ctx, struct signs *s)
{
  sign_caps (ctx, s);
  if (json_get_path (ctx->doc, "linux.seccomp") == NULL)
    add_sign (s, xstrdup ("no seccomp profile: linux.seccomp absent (seccomp)"));
  sign_devices (ctx, s);
  if (empty_list (json_get_path (ctx->doc, "linux.maskedPaths")))
    add_sign (s, xstrdup ("no masked paths: linux.maskedPaths empty (maskedPaths)"));
  if (empty_list (json_get_path (ctx->doc, "linux.readonlyPaths")))
    add_sign (s, xstrdup ("no read-only paths: linux.readonlyPaths empty (maskedPaths)"));
  sign_sys_rw (ctx, s);
  if (str_equal (json_string (json_get (ctx->process, "apparmorProfile")), "unconfined"))
    add_sign (s, xstrdup ("process.apparmorProfile is unconfined (apparmor)"));
}

static int
check_privileged (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  struct signs s = { 0 };
  cleanup_free char *list = xstrdup ("");
  size_t i;
  (void) state;
  (void) err;

  collect_signs (ctx, &s);
  if ((s.sys_admin && s.n >= 2) || s.n >= 3)
    {
      for (i = 0; i < s.n; i++)
        {
          char *next = NULL;
          xasprintf (&next, "%s%s%s", list, i ? "; " : "", s.v[i]);
          free (list);
          list = next;
        }
      eval_report (ctx, "linux", NULL, NULL, "container looks privileged, %zu signs: %s", s.n, list);
    }
  for (i = 0; i < s.n; i++)
    free (s.owned[i]);
  return 0;
}

const struct rule_ops rule_privileged = {
  .name = "privileged",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .check = check_privileged,
};
