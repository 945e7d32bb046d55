/* Rule "hooks": only allowlisted OCI hooks reach runc.
 *
 * prestart, createRuntime, poststart and poststop hooks run as root in the
 * host's namespaces, and createContainer runs a host binary as full root
 * before pivot_root: a hook is arbitrary code on the host.  Runc stores them
 * at create, so create is the only place to stop them.  CVE-2025-23266
 * (NVIDIAScape) came through a hook inheriting the container's env.
 *
 * Allowed: hooks whose path is in "allow" (absolute host paths, compared as
 * text: runc executes that very text in its own mount namespace), and, when
 * "allowDockerSetkey" is true, the prestart hook dockerd 20-27 adds to every
 * container with a private network namespace:
 *   /proc/<dockerd pid>/exe libnetwork-setkey -exec-root=DIR <cid> <netctl>
 * It is accepted only in exactly that shape, with <cid> this container's
 * id, no env, and /proc/<pid>/exe the same inode as one of "dockerPaths"
 * (setkey_refusal).  Anything that cannot be verified is refused. */
#include <ctype.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
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

/* Exactly n lower-case hex digits: stringid.GenerateRandomID (64) and
 * TruncateID (12) in moby. */
static bool
is_lower_hex (const char *s, size_t n)
{
  size_t i;
  if (s == NULL || strlen (s) != n)
    return false;
  for (i = 0; i < n; i++)
    if (!(isdigit ((unsigned char) s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* Whether h has the shape of dockerd's hook at all: prestart or not, a
 * /proc/<pid>/exe path whose first argument is libnetwork-setkey.  Only such
 * hooks are judged as setkey hooks; every other hook meets the allowlist. */
static bool
looks_like_setkey (const struct json_value *h)
{
  const char *path = json_string (json_get (h, "path"));
  const struct json_value *args = json_get (h, "args");
  return path && is_proc_pid_exe (path) && json_is (args, JSON_ARRAY) && args->count >= 1
         && str_equal (json_string (args->items[0]), "libnetwork-setkey");
}

/* The file runc will execute for a setkey-shaped hook, judged by identity:
 * runc runs the hook in its own mount namespace, which is secshim's, and
 * exec of /proc/<pid>/exe follows the magic link to the very inode that
 * process runs, whatever namespace it lives in.  The text readlink gives is
 * that file's path in the *other* process's mount namespace, so a process
 * whose root holds its own /usr/bin/dockerd would pass a comparison of
 * names.  (st_dev, st_ino) is compared instead, with each of dockerPaths
 * stat'ed here, in runc's namespace.  Returns NULL when the hook is
 * dockerd's own, or why not (malloc'd). */
static char *
setkey_refusal (struct eval_ctx *ctx, const struct hooks_state *s, const char *kind, const struct json_value *h)
{
  const char *path = json_string (json_get (h, "path"));
  const struct json_value *args = json_get (h, "args");
  const struct json_value *env = json_get (h, "env");
  const char *exec_root, *cid, *netctl;
  struct host_file_id exe, want;
  secshim_error_t local = NULL;
  char *why = NULL;
  size_t i;

  if (strcmp (kind, "prestart") != 0)
    return xstrdup ("dockerd adds its libnetwork-setkey hook to prestart only");
  /* daemon/oci_linux.go WithLibnetwork: exactly these four arguments. */
  if (args->count != 4)
    return xstrdup ("dockerd's hook has exactly 4 arguments: libnetwork-setkey -exec-root=DIR ID NETCTL");
  exec_root = json_string (args->items[1]);
  if (exec_root == NULL || !str_has_prefix (exec_root, "-exec-root=/"))
    return xstrdup ("the second argument is not -exec-root=<absolute path>");
  {
    cleanup_free char *clean = path_lexical_normalize (exec_root + strlen ("-exec-root="));
    if (strcmp (clean, exec_root + strlen ("-exec-root=")) != 0)
      return xstrdup ("the -exec-root path is not in clean form");
  }
  cid = json_string (args->items[2]);
  if (cid == NULL)
    return xstrdup ("the container id argument is not a string");
  /* The id tells dockerd whose sandbox to give this network namespace: it
   * must be this container's own (runc create <id>), or another container's
   * network would be joined to this one. */
  if (ctx->id && ctx->id->container_id)
    {
      if (strcmp (cid, ctx->id->container_id) != 0)
        {
          xasprintf (&why, "it names container %.80s, not this container (%.80s)", cid, ctx->id->container_id);
          return why;
        }
    }
  else if (!is_lower_hex (cid, 64))
    return xstrdup ("the container id argument is not a docker container id (64 hex digits)");
  netctl = json_string (args->items[3]);
  if (!is_lower_hex (netctl, 12))
    return xstrdup ("the network controller argument is not 12 hex digits");
  /* runc gives a hook exactly its env: LD_PRELOAD would run code of the
   * container's choosing inside dockerd's binary, as root on the host. */
  if (env != NULL && !(json_is (env, JSON_ARRAY) && env->count == 0))
    return xstrdup ("dockerd's hook has no environment; this one sets env");
  if (ctx->host->file_identity == NULL)
    return xstrdup ("the file it runs cannot be identified on this host");
  if (ctx->host->file_identity (ctx->host, path, &exe, &local) < 0)
    {
      /* A dead pid, a kernel thread, EACCES: nothing says what runc would
       * run, and a pid free now can be taken before runc runs the hook. */
      xasprintf (&why, "the file it runs cannot be identified (%s)", local->msg);
      secshim_error_release (&local);
      return why;
    }
  for (i = 0; i < s->docker_paths.n; i++)
    {
      if (ctx->host->file_identity (ctx->host, s->docker_paths.v[i], &want, &local) < 0)
        {
          secshim_error_release (&local); /* not installed there */
          continue;
        }
      if (host_file_id_equal (&exe, &want))
        return NULL;
    }
  xasprintf (&why, "%s is not the dockerd binary the policy names (rules.hooks.dockerPaths), compared by inode", path);
  return why;
}

struct kind_walk
{
  struct eval_ctx *ctx;
  const struct hooks_state *s;
  const char *kind;
  bool remove;
};

/* json_array_retain callback: judge one hook, keep it unless it is refused
 * under action rewrite.  One pass, so a document of many hooks costs linear
 * time (docs/threat-model.md §2.9). */
static bool
keep_hook (struct json_value *h, size_t index, void *data)
{
  struct kind_walk *w = data;
  const char *path = json_string (json_get (h, "path"));
  cleanup_free char *where = NULL;
  cleanup_free char *why = NULL;

  if (w->s->allow_docker_setkey && looks_like_setkey (h))
    {
      why = setkey_refusal (w->ctx, w->s, w->kind, h);
      if (why == NULL)
        return true;
    }
  else if (path && strv_contains (&w->s->allow, path))
    return true;
  xasprintf (&where, "hooks.%s[%zu]", w->kind, index);
  if (w->remove)
    {
      if (why)
        eval_report (w->ctx, where, json_get (h, "path"), NULL, "removed %s hook %s: %s", w->kind, path, why);
      else
        eval_report (w->ctx, where, json_get (h, "path"), NULL,
                     "removed %s hook %s: hooks run as root on the host and it is not in the allowlist", w->kind,
                     path ?: "?");
      return false;
    }
  if (why)
    eval_report (w->ctx, where, json_get (h, "path"), NULL, "%s hook %s is refused: %s", w->kind, path, why);
  else
    eval_report (w->ctx, where, json_get (h, "path"), NULL,
                 "%s hook %s is not in the allowlist: hooks run as root on the host", w->kind, path ?: "?");
  return true;
}

static int
check_kind (struct eval_ctx *ctx, const struct hooks_state *s, struct json_value *hooks, const char *kind,
            secshim_error_t *err)
{
  struct kind_walk w = { ctx, s, kind, eval_action (ctx) == ACTION_REWRITE };
  (void) err;
  json_array_retain (json_get (hooks, kind), keep_hook, &w);
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

static void
pack_hooks (struct pack *k, void **state)
{
  struct hooks_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->allow);
  pack_strv (k, &s->docker_paths);
  pack_bool (k, &s->allow_docker_setkey);
}

const struct rule_ops rule_hooks = {
  .name = "hooks",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_hooks,
  .free_state = free_hooks,
  .pack = pack_hooks,
  .check = check_hooks,
};
