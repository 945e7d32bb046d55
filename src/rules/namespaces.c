/* Rule "namespaces": the container gets its own pid, ipc, uts, mount and
 * network namespaces (and cgroup where the kernel has it).
 *
 * A namespace type absent from linux.namespaces is shared with the host
 * (`docker run --pid host`, `--network host`, hostPID/hostNetwork pods).  An
 * entry with a "path" joins an existing namespace: another container's is
 * fine (pods share their sandbox's), the host's (/proc/1/ns/<type>, compared
 * by inode, not by name) is not.  CIS Docker Benchmark 5.10 (network), 5.16
 * (pid), 5.17 (ipc), 5.21 (uts); PSS baseline "Host
 * Namespaces".  CVE-2020-15257 needs the host network namespace.
 *
 * Types listed in "addMissing" are quietly added when absent instead of
 * refused: Docker on cgroup v1 does not create a cgroup namespace by
 * default, and adding one changes nothing a workload relies on. */
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/resolve.h"
#include "secshim/settings.h"
#include "secshim/util.h"

static const char *const known_types[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL };

struct ns_state
{
  struct strv require;
  struct strv add_missing;
};

static void
free_ns (void *p)
{
  struct ns_state *s = p;
  strv_free (&s->require);
  strv_free (&s->add_missing);
  free (s);
}

static int
check_types (const struct strv *v, const char *key, secshim_error_t *err)
{
  size_t i, k;
  for (i = 0; i < v->n; i++)
    {
      for (k = 0; known_types[k]; k++)
        if (strcmp (v->v[i], known_types[k]) == 0)
          break;
      if (known_types[k] == NULL)
        return secshim_make_error (err, SECSHIM_ECONFIG, "rules.namespaces.%s[%zu]: unknown namespace type `%s`", key,
                                   i, v->v[i]);
    }
  return 0;
}

static int
load_ns (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct ns_state *s = xzalloc (sizeof *s);
  if (take_strv (settings, "rules.namespaces", "require", &s->require, err) < 0
      || take_strv (settings, "rules.namespaces", "addMissing", &s->add_missing, err) < 0
      || check_types (&s->require, "require", err) < 0 || check_types (&s->add_missing, "addMissing", err) < 0)
    {
      free_ns (s);
      return -1;
    }
  *state = s;
  return 0;
}

static struct json_value *
find_ns (const struct json_value *list, const char *type, size_t *index)
{
  size_t i;
  for (i = 0; json_is (list, JSON_ARRAY) && i < list->count; i++)
    if (str_equal (json_string (json_get (list->items[i], "type")), type))
      {
        *index = i;
        return list->items[i];
      }
  return NULL;
}

/* The kernel may lack a namespace type (cgroup before 4.6): requiring it
 * there would refuse every container. */
static bool
host_has (const struct eval_ctx *ctx, const char *type)
{
  return strcmp (type, "cgroup") != 0 || ctx->host->cgroupns_supported;
}

static void
add_namespace (struct eval_ctx *ctx, const char *type)
{
  struct json_value *linux_ = json_get_or_add_object (ctx->doc, "linux");
  struct json_value *list, *entry;
  cleanup_free char *path = NULL;
  if (linux_ == NULL)
    return;
  list = json_get (linux_, "namespaces");
  if (!json_is (list, JSON_ARRAY))
    {
      json_set (linux_, "namespaces", json_new_array ());
      list = json_get (linux_, "namespaces");
    }
  entry = json_new_object ();
  json_set (entry, "type", json_new_string (type));
  json_array_append (list, entry);
  xasprintf (&path, "linux.namespaces[%zu]", list->count - 1);
  eval_report_as (ctx, ACTION_REWRITE, path, NULL, entry, "added a private %s namespace", type);
}

/* The rootfs as runc's init sees it before pivot_root: root.path, joined
 * to the bundle when relative.  NULL when there is no bundle (check). */
static char *
host_rootfs (const struct eval_ctx *ctx)
{
  const char *root = json_string (json_get_path (ctx->doc, "root.path"));
  if (root == NULL || root[0] == '\0')
    return NULL;
  if (root[0] == '/')
    return xstrdup (root);
  return ctx->id && ctx->id->bundle ? go_path_join (ctx->id->bundle, root) : NULL;
}

/* One place runc resolves the path from: the kernel walks it, so a plain
 * concatenation (no lexical cleaning) resolves as a relative path from
 * that directory would. */
static char *
resolved_from (const char *dir, const char *path)
{
  char *full = NULL;
  if (path[0] == '/')
    return xstrdup (path);
  if (dir == NULL)
    return NULL;
  xasprintf (&full, "%s/%s", dir, path);
  return full;
}

/* A joined namespace, judged where runc really opens it.  `runc create`
 * Lstat()s the path from its cwd, the bundle (container_linux.go,
 * orderNamespacePaths), and nsexec opens it from its own cwd, the rootfs
 * (newParentProcess sets cmd.Dir): a relative path means two files, and
 * both must be another container's namespace.  What cannot be resolved, is
 * no namespace file, or holds a ',' (runc's separator) is refused. */
static int
check_path (struct eval_ctx *ctx, const char *type, const struct json_value *entry, size_t index, secshim_error_t *err)
{
  cleanup_free char *where = NULL, *rootfs = NULL;
  const char *path = json_string (json_get (entry, "path"));
  const char *bases[2];
  const char *what[2] = { "from the bundle, where runc create looks it up", "from the rootfs, where runc opens it" };
  size_t n = 1;

  if (path == NULL || path[0] == '\0')
    return 0;
  xasprintf (&where, "linux.namespaces[%zu].path", index);
  if (strchr (path, ','))
    {
      eval_report_unfixable (ctx, where, json_get (entry, "path"), "%s namespace path %s holds a ','", type, path);
      return 0;
    }
  rootfs = host_rootfs (ctx);
  bases[0] = ctx->id ? ctx->id->bundle : NULL;
  bases[1] = rootfs;
  if (path[0] != '/')
    n = 2;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *full = resolved_from (bases[i], path);
      secshim_error_t e = NULL;
      bool is_host = false;
      if (full == NULL)
        {
          eval_report_unfixable (ctx, where, json_get (entry, "path"),
                                 "relative %s namespace path %s and no bundle to resolve it against", type, path);
          return 0;
        }
      if (ctx->host->ns_is_host (ctx->host, type, full, &is_host, &e) < 0)
        {
          eval_report_unfixable (ctx, where, json_get (entry, "path"), "%s namespace path %s%s%s %s: refused", type,
                                 path, n == 2 ? " " : "", n == 2 ? what[i] : "", e->msg);
          secshim_error_release (&e);
          return 0;
        }
      if (is_host)
        {
          eval_report (ctx, where, json_get (entry, "path"), NULL,
                       "%s namespace path %s%s%s is the host's %s namespace", type, path, n == 2 ? " " : "",
                       n == 2 ? what[i] : "", type);
          return 0;
        }
    }
  (void) err;
  return 0;
}

static int
check_ns (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct ns_state *s = state;
  const struct json_value *list = json_get_path (ctx->doc, "linux.namespaces");
  size_t i, index = 0;

  for (i = 0; i < s->require.n; i++)
    {
      const char *type = s->require.v[i];
      const struct json_value *entry = find_ns (list, type, &index);
      if (entry)
        {
          if (check_path (ctx, type, entry, index, err) < 0)
            return -1;
          continue;
        }
      if (!host_has (ctx, type))
        continue;
      /* Quiet fix under reject and rewrite; audit and warn change nothing. */
      if (strv_contains (&s->add_missing, type)
          && (eval_action (ctx) == ACTION_REJECT || eval_action (ctx) == ACTION_REWRITE))
        {
          add_namespace (ctx, type);
          list = json_get_path (ctx->doc, "linux.namespaces");
          continue;
        }
      eval_report (ctx, "linux.namespaces", NULL, NULL,
                   "no %s namespace: the container would share the host's (e.g. --%s host)", type,
                   strcmp (type, "network") == 0 ? "network" : type);
    }
  return 0;
}

static void
pack_namespaces (struct pack *k, void **state)
{
  struct ns_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->require);
  pack_strv (k, &s->add_missing);
}

const struct rule_ops rule_namespaces = {
  .name = "namespaces",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_ns,
  .free_state = free_ns,
  .pack = pack_namespaces,
  .check = check_ns,
};
