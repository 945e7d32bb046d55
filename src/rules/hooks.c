/* Rule "hooks": only allowlisted OCI hooks reach runc.
 *
 * prestart, createRuntime, poststart and poststop hooks run as root in the
 * host's namespaces, and createContainer runs a host binary as full root
 * before pivot_root: a hook is arbitrary code on the host.  Runc stores them
 * at create, so create is the only place to stop them.  CVE-2025-23266
 * (NVIDIAScape) came through a hook inheriting the container's env.
 *
 * Allowed: hooks whose path is in "allow" (absolute host paths), and, when
 * "allowDockerSetkey" is true, the prestart hook dockerd 20-27 adds to every
 * container with a private network namespace:
 *   /proc/<dockerd pid>/exe libnetwork-setkey -exec-root=... <cid> <netctl>
 * It is accepted only if /proc/<pid>/exe is one of "dockerPaths", or does
 * not exist (then runc cannot run it and the container fails by itself). */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "secshim/cleanup.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

static const char *const hook_kinds[]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };

struct hooks_state
{
  struct strv allow;
  struct strv docker_paths;
  bool allow_docker_setkey;
};

static void
free_hooks (void *p)
{
  struct hooks_state *s = p;
  strv_free (&s->allow);
  strv_free (&s->docker_paths);
  free (s);
}

static int
load_hooks (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct hooks_state *s = xzalloc (sizeof *s);
  size_t i;
  if (take_strv (settings, "rules.hooks", "allow", &s->allow, err) < 0
      || take_strv (settings, "rules.hooks", "dockerPaths", &s->docker_paths, err) < 0
      || take_bool (settings, "rules.hooks", "allowDockerSetkey", &s->allow_docker_setkey, err) < 0)
    goto fail;
  for (i = 0; i < s->allow.n; i++)
    if (s->allow.v[i][0] != '/')
      {
        secshim_make_error (err, SECSHIM_ECONFIG, "rules.hooks.allow[%zu]: `%s` is not an absolute path", i,
                            s->allow.v[i]);
        goto fail;
      }
  *state = s;
  return 0;
fail:
  free_hooks (s);
  return -1;
}

/* "/proc/<digits>/exe" */
static bool
is_proc_pid_exe (const char *path)
{
  const char *p;
  if (!str_has_prefix (path, "/proc/"))
    return false;
  p = path + 6;
  if (!isdigit ((unsigned char) *p))
    return false;
  while (isdigit ((unsigned char) *p))
    p++;
  return strcmp (p, "/exe") == 0;
}

static int
is_docker_setkey (struct eval_ctx *ctx, const struct hooks_state *s, const char *kind, const struct json_value *h,
                  bool *yes, secshim_error_t *err)
{
  cleanup_free char *target = NULL;
  const char *path = json_string (json_get (h, "path"));
  const struct json_value *args = json_get (h, "args");
  struct stat st;

  *yes = false;
  if (!s->allow_docker_setkey || strcmp (kind, "prestart") != 0 || path == NULL || !is_proc_pid_exe (path)
      || !json_is (args, JSON_ARRAY) || args->count < 1
      || !str_equal (json_string (args->items[0]), "libnetwork-setkey"))
    return 0;
  if (lstat (path, &st) < 0)
    {
      *yes = true; /* nothing there: runc fails to run it */
      return 0;
    }
  {
    /* The process may exit between lstat and readlink (then, as above,
     * nothing is there), or its exe may be unreadable (a kernel thread,
     * another user's process): that cannot be verified, so it is not
     * allowed, which the caller reports as a finding, not an error. */
    secshim_error_t local = NULL;
    if (ctx->host->canonicalize (ctx->host, path, &target, &local) < 0)
      {
        *yes = local->status == ENOENT;
        secshim_error_release (&local);
        return 0;
      }
  }
  *yes = strv_contains (&s->docker_paths, target);
  (void) err;
  return 0;
}

static int
check_kind (struct eval_ctx *ctx, const struct hooks_state *s, struct json_value *hooks, const char *kind,
            secshim_error_t *err)
{
  struct json_value *list = json_get (hooks, kind);
  size_t i = 0;
  while (json_is (list, JSON_ARRAY) && i < list->count)
    {
      const struct json_value *h = list->items[i];
      const char *path = json_string (json_get (h, "path"));
      cleanup_free char *where = NULL;
      bool setkey = false;

      if (is_docker_setkey (ctx, s, kind, h, &setkey, err) < 0)
        return -1;
      if (setkey || (path && strv_contains (&s->allow, path)))
        {
          i++;
          continue;
        }
      xasprintf (&where, "hooks.%s[%zu]", kind, i);
      if (eval_action (ctx) == ACTION_REWRITE)
        {
          eval_report (ctx, where, json_get (h, "path"), NULL,
                       "removed %s hook %s: hooks run as root on the host and it is not in the allowlist", kind,
                       path ?: "?");
          json_array_remove_at (list, i);
          continue;
        }
      eval_report (ctx, where, json_get (h, "path"), NULL,
                   "%s hook %s is not in the allowlist: hooks run as root on the host", kind, path ?: "?");
      i++;
    }
  return 0;
}

static int
check_hooks (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct hooks_state *s = state;
  struct json_value *hooks = json_get (ctx->doc, "hooks");
  size_t k;
  if (!json_is (hooks, JSON_OBJECT))
    return 0;
  for (k = 0; hook_kinds[k]; k++)
    if (check_kind (ctx, s, hooks, hook_kinds[k], err) < 0)
      return -1;
  return 0;
}

const struct rule_ops rule_hooks = {
  .name = "hooks",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_hooks,
  .free_state = free_hooks,
  .check = check_hooks,
};
