/* Rule "mounts": every mount judged by what runc 1.1.5 will do with it.
 *
 * Types are an allowlist, each with its constraints (runc decides a bind
 * mount by MS_BIND, "bind"/"rbind" in the options, whatever the type):
 *  - bind (or type "bind"): the source as runc resolves it (view.h,
 *    resolve.h: joined to the bundle with Go's lexical filepath.Join, then
 *    walked physically) must resolve, must not be a block device or on a
 *    kernel filesystem, and is compared with each denied path, its
 *    descendants and its ancestors: mounting /run exposes /run/systemd, and
 *    mounting / exposes everything.  Read-only does not make a denied path
 *    allowed: a read-only docker.sock is still a root shell on the host.
 *  - tmpfs, devpts, mqueue: no host path (the source is a name).
 *  - cgroup, cgroup2, sysfs: read-only.  proc only where it lands on /proc,
 *    sysfs only on /sys: elsewhere maskedPaths and readonlyPaths do not
 *    apply.
 *  - overlay: every lowerdir/upperdir/workdir path (lowerdir split on ':',
 *    relative ones taken from the rootfs, runc's cwd at mount time) judged
 *    exactly like a bind source.
 *  - anything else (ext4 on /dev/sda, "none" without bind, ...) only when
 *    the policy names the type in allowTypes.
 * CIS Docker Benchmark 5.6 (sensitive host directories), 5.32 (docker socket);
 * PSS baseline "HostPath volumes".
 *
 * The same rule also refuses, for every mount:
 *  - shared/rshared propagation, in options or linux.rootfsPropagation: the
 *    container's mounts would propagate back to the host (CIS 5.20,
 *    CVE-2025-31133/52565/52881 need it);
 *  - destinations that land (securejoin over the rootfs and the mounts
 *    before) under /proc or /sys other than the standard proc, sysfs and
 *    /sys/fs/cgroup mounts, or inside a kernel filesystem mounted elsewhere
 *    (CVE-2019-16884, CVE-2023-27561: mounts over /proc defeat AppArmor and
 *    masks). */
#include <errno.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/landlock.h"
#include "secshim/policy.h"
#include "secshim/resolve.h"
#include "secshim/settings.h"
#include "secshim/util.h"
#include "view.h"

struct mounts_state
{
  struct strv deny;        /* the path, everything below it, every ancestor */
  struct strv deny_exact;  /* the path and its ancestors; below it is allowed */
  struct strv allow_types; /* filesystem types allowed beyond the built-in ones */
};

static void
free_mounts (void *p)
{
  struct mounts_state *s = p;
  strv_free (&s->deny);
  strv_free (&s->deny_exact);
  strv_free (&s->allow_types);
  free (s);
}

static int
load_mounts (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct mounts_state *s = xzalloc (sizeof *s);
  size_t i;
  if (take_strv (settings, "rules.mounts", "deny", &s->deny, err) < 0
      || take_strv (settings, "rules.mounts", "denyExact", &s->deny_exact, err) < 0
      || take_strv (settings, "rules.mounts", "allowTypes", &s->allow_types, err) < 0)
    goto fail;
  for (i = 0; i < s->allow_types.n; i++)
    if (s->allow_types.v[i][0] == '\0' || strpbrk (s->allow_types.v[i], ",/ \t") != NULL)
      {
        secshim_make_error (err, SECSHIM_ECONFIG, "rules.mounts.allowTypes[%zu]: `%s` is not a filesystem type", i,
                            s->allow_types.v[i]);
        goto fail;
      }
  for (i = 0; i < s->deny.n + s->deny_exact.n; i++)
    {
      const char *e = i < s->deny.n ? s->deny.v[i] : s->deny_exact.v[i - s->deny.n];
      if (e[0] != '/')
        {
          secshim_make_error (err, SECSHIM_ECONFIG, "rules.mounts.%s: `%s` is not an absolute path",
                              i < s->deny.n ? "deny" : "denyExact", e);
          goto fail;
        }
    }
  *state = s;
  return 0;
fail:
  free_mounts (s);
  return -1;
}

/* inner is outer or lies below it ("/" contains everything). */
static bool
contains (const char *outer, const char *inner)
{
  size_t lo = strlen (outer);
  if (strcmp (outer, "/") == 0)
    return true;
  return strncmp (outer, inner, lo) == 0 && (inner[lo] == '\0' || inner[lo] == '/');
}

/* Does mounting source expose denied?  Always when source is denied or one
 * of its ancestors; when whole_tree, also when source lies below denied.
 * "/" as a denied tree would deny everything, so it only ever counts as a
 * path. */
static bool
exposes (const char *source, const char *denied, bool whole_tree)
{
  if (contains (source, denied))
    return true;
  return whole_tree && strcmp (denied, "/") != 0 && contains (denied, source);
}

/* The deny entries as the host resolves them (/var/run/docker.sock is
 * /run/docker.sock), computed once per document on the first bind mount:
 * each resolution walks the path with lstat, and a config with hundreds of
 * bind mounts must not repeat that for every mount. */
struct resolved_deny
{
  char **v; /* deny entries, then deny_exact entries */
  size_t n;
};

static void
resolved_deny_free (struct resolved_deny *r)
{
  size_t i;
  for (i = 0; i < r->n; i++)
    free (r->v[i]);
  free (r->v);
  r->v = NULL;
  r->n = 0;
}

static const char *
deny_entry (const struct mounts_state *s, size_t d)
{
  return d < s->deny.n ? s->deny.v[d] : s->deny_exact.v[d - s->deny.n];
}

static int
resolve_deny (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *r, secshim_error_t *err)
{
  size_t total = s->deny.n + s->deny_exact.n;
  if (r->v != NULL || total == 0)
    return 0;
  r->v = xzalloc (total * sizeof *r->v);
  /* A deny entry secshim cannot resolve (EACCES below /var/lib/docker for
   * a user running `secshim check`) is compared as written: it still
   * denies, the resolved form only adds what its symlinks lead to. */
  for (r->n = 0; r->n < total; r->n++)
    if (resolve_host (ctx->host, deny_entry (s, r->n), RESOLVE_MISSING_OK, &r->v[r->n]) < 0)
      r->v[r->n] = go_path_clean (deny_entry (s, r->n));
  return 0;
}

static const char *
errno_text (int rc)
{
  return strerror (-rc);
}

static int report_denied (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved,
                          const char *field, const struct json_value *m, const struct json_value *value,
                          const char *what, const char *host, secshim_error_t *err);

/* The host path a bind mount reaches (`host`, physical, from resolve.h)
 * against the deny lists.  The single place every host path of a mount is
 * judged: bind sources, overlay's lowerdir/upperdir/workdir, block device
 * sources.  Engine-owned mounts (a container's own sandbox files) are to be
 * judged here, before the deny check. */
static int
judge_host_path (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, const char *field,
                 const struct json_value *m, const struct json_value *value, const char *what, const char *host,
                 secshim_error_t *err)
{
  unsigned long magic = 0;
  int rc = report_denied (ctx, s, resolved, field, m, value, what, host, err);

  if (rc != 0)
    return rc < 0 ? -1 : 0;
  /* A procfs or sysfs mounted anywhere on the host is the kernel's, not a
   * directory: binding it escapes maskedPaths and readonlyPaths. */
  rc = resolve_fs_type (ctx->host, host, &magic);
  if (rc < 0)
    {
      eval_report (ctx, field, value, NULL, "%s source %s: cannot tell its filesystem (%s): refused", what, host,
                   errno_text (rc));
      return 0;
    }
  if (resolve_magic_is_kernel_fs (magic))
    eval_report (ctx, field, value, NULL,
                 "%s of host path %s (into %s) is denied: it is on a kernel filesystem (proc, sysfs, cgroup, ...)",
                 what, host, json_string (json_get (m, "destination")) ?: "?");
  return 0;
}

/* Report host against the deny lists: 1 when reported, 0 when it is not
 * denied, -1 on error. */
static int
report_denied (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, const char *field,
               const struct json_value *m, const struct json_value *value, const char *what, const char *host,
               secshim_error_t *err)
{
  size_t d;
  if (resolve_deny (ctx, s, resolved, err) < 0)
    return -1;
  for (d = 0; d < resolved->n; d++)
    {
      bool tree = d < s->deny.n;
      const char *entry = deny_entry (s, d);
      const char *deny = resolved->v[d];
      /* Compare with the entry as written and as the host resolves it. */
      if (!exposes (host, deny, tree) && !exposes (host, entry, tree))
        continue;
      eval_report (ctx, field, value, NULL, "%s of host path %s (into %s) is denied: %s %s", what, host,
                   json_string (json_get (m, "destination")) ?: "?",
                   strcmp (host, deny) == 0 ? "it is"
                   : contains (host, deny)  ? "it contains"
                                            : "it is inside",
                   entry);
      return 1;
    }
  return 0;
}

/* A bind mount's source as runc resolves it (view.h), failing closed: a
 * source secshim cannot resolve is refused, as runc's os.Stat would fail on
 * it too. */
static int
check_bind_source (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
                   const struct json_value *m, const struct mount_view *mv, secshim_error_t *err)
{
  cleanup_free char *field = NULL;
  const struct json_value *src = json_get (m, "source");
  const char *source = json_string (src);
  struct stat st;

  xasprintf (&field, "mounts[%zu].source", i);
  if (source == NULL || source[0] == '\0')
    {
      eval_report (ctx, field, src, NULL, "bind mount into %s has no source",
                   json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  if (mv->host_err == -EINVAL && source[0] != '/')
    {
      eval_report (ctx, field, src, NULL, "relative bind source `%s` and no bundle to resolve it against", source);
      return 0;
    }
  if (mv->host_err < 0)
    {
      /* Named as written, it may already be denied: say so rather than
       * that it is missing. */
      cleanup_free char *lexical = go_path_clean (mv->joined ? mv->joined : source);
      int denied = report_denied (ctx, s, resolved, field, m, src, "bind mount", lexical, err);
      if (denied != 0)
        return denied < 0 ? -1 : 0;
      eval_report (ctx, field, src, NULL,
                   "bind mount source %s cannot be resolved on the host (%s): refused, runc could not mount it either",
                   mv->joined ? mv->joined : source, errno_text (mv->host_err));
      return 0;
    }
  if (ctx->host->sys_stat && ctx->host->sys_stat (ctx->host, mv->host, &st) == 0 && S_ISBLK (st.st_mode))
    {
      eval_report (ctx, field, src, NULL, "bind mount of block device %s (into %s) is denied", mv->host,
                   json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  return judge_host_path (ctx, s, resolved, field, m, src, "bind mount", mv->host, err);
}

/* One overlay directory (escapes removed) as the kernel resolves it: runc
 * mounts with its cwd in the rootfs, so a relative one is taken from there. */
static int
check_overlay_dir (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved,
                   const char *field, const struct json_value *m, const struct config_view *cv, const char *dir,
                   secshim_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *host = NULL;
  const struct json_value *opts = json_get (m, "options");
  int rc;
  if (dir[0] == '\0')
    return 0;
  if (dir[0] != '/')
    {
      if (cv->rootfs == NULL)
        {
          eval_report (ctx, field, opts, NULL, "overlay directory `%s` is relative and the rootfs is unknown", dir);
          return 0;
        }
      xasprintf (&path, "%s/%s", cv->rootfs, dir);
    }
  else
    path = xstrdup (dir);
  rc = resolve_host (ctx->host, path, 0, &host);
  if (rc < 0)
    {
      cleanup_free char *lexical = go_path_clean (path);
      int denied = report_denied (ctx, s, resolved, field, m, opts, "overlay layer", lexical, err);
      if (denied != 0)
        return denied < 0 ? -1 : 0;
      eval_report (ctx, field, opts, NULL, "overlay directory %s cannot be resolved on the host (%s): refused", path,
                   errno_text (rc));
      return 0;
    }
  return judge_host_path (ctx, s, resolved, field, m, opts, "overlay layer", host, err);
}

static int
check_overlay (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
               const struct json_value *m, const struct config_view *cv, secshim_error_t *err)
{
  cleanup_free char *field = NULL;
  struct overlay_dirs d;
  size_t k;
  int ret = 0;

  xasprintf (&field, "mounts[%zu].options", i);
  overlay_dirs_parse (m, &d);
  for (k = 0; k < d.n && ret == 0; k++)
    ret = check_overlay_dir (ctx, s, resolved, field, m, cv, d.v[k].dir, err);
  overlay_dirs_free (&d);
  return ret;
}

/* The built-in allowlist; the policy adds to it with allowTypes. */
static bool
type_allowed (const struct mounts_state *s, const char *type)
{
  static const char *const builtin[]
      = { "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "proc", "sysfs", "overlay", "bind" };
  size_t i;
  if (type == NULL)
    return false;
  for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
    if (strcmp (type, builtin[i]) == 0)
      return true;
  for (i = 0; i < s->allow_types.n; i++)
    if (strcmp (type, s->allow_types.v[i]) == 0)
      return true;
  return false;
}

static bool
policy_allows_type (const struct mounts_state *s, const char *type)
{
  size_t i;
  for (i = 0; type && i < s->allow_types.n; i++)
    if (strcmp (type, s->allow_types.v[i]) == 0)
      return true;
  return false;
}

/* Everything but bind mounts: the type allowlist and its constraints. */
static int
check_type (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
            const struct json_value *m, const struct config_view *cv, secshim_error_t *err)
{
  const char *type = json_string (json_get (m, "type"));
  const char *landed = cv->m[i].landed;
  cleanup_free char *field = NULL;

  if (!type_allowed (s, type))
    {
      xasprintf (&field, "mounts[%zu].type", i);
      eval_report (ctx, field, json_get (m, "type"), NULL,
                   "mount type `%s` (into %s) is not allowed: only bind, tmpfs, devpts, mqueue, cgroup, cgroup2, "
                   "proc on /proc, sysfs on /sys and overlay, or a type the policy names in allowTypes",
                   type ? type : "", json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  if (policy_allows_type (s, type))
    return 0; /* the administrator's choice, as written */
  if (landed != NULL
      && ((str_equal (type, "proc") && strcmp (landed, "/proc") != 0)
          || (str_equal (type, "sysfs") && strcmp (landed, "/sys") != 0)))
    {
      xasprintf (&field, "mounts[%zu].destination", i);
      eval_report (ctx, field, json_get (m, "destination"), NULL,
                   "%s mounted at %s: only at %s, where maskedPaths and readonlyPaths apply", type, landed,
                   str_equal (type, "proc") ? "/proc" : "/sys");
      return 0;
    }
  if (str_equal (type, "overlay"))
    return check_overlay (ctx, s, resolved, i, m, cv, err);
  return 0;
}

static bool
is_shared (const char *propagation)
{
  return str_equal (propagation, "shared") || str_equal (propagation, "rshared");
}

static void
check_propagation (struct eval_ctx *ctx, size_t i, const struct json_value *m)
{
  const struct json_value *opts = json_get (m, "options");
  cleanup_free char *path = NULL;
  if (!json_array_has_string (opts, "shared") && !json_array_has_string (opts, "rshared"))
    return;
  xasprintf (&path, "mounts[%zu].options", i);
  eval_report (ctx, path, opts, NULL, "mount %s has shared propagation: its mounts would reach the host",
               json_string (json_get (m, "destination")) ?: "?");
}

static void
check_kernel_fs_readonly (struct eval_ctx *ctx, size_t i, const struct json_value *m)
{
  const char *type = json_string (json_get (m, "type"));
  cleanup_free char *path = NULL;
  if (!str_equal (type, "sysfs") && !str_equal (type, "cgroup") && !str_equal (type, "cgroup2"))
    return;
  if (json_array_has_string (json_get (m, "options"), "ro"))
    return;
  xasprintf (&path, "mounts[%zu].options", i);
  eval_report (ctx, path, json_get (m, "options"), NULL, "%s mount at %s is writable: it must be \"ro\"", type,
               json_string (json_get (m, "destination")) ?: "?");
}

/* The standard kernel filesystem mounts, the only ones allowed at or under
 * /proc and /sys. */
static bool
is_standard_kernel_mount (const char *dest, const char *type)
{
  return (str_equal (dest, "/proc") && str_equal (type, "proc"))
         || (str_equal (dest, "/sys") && str_equal (type, "sysfs"))
         || (str_equal (dest, "/sys/fs/cgroup")
             && (str_equal (type, "cgroup") || str_equal (type, "cgroup2") || str_equal (type, "tmpfs")));
}

static void
check_destination (struct eval_ctx *ctx, size_t i, const struct json_value *m, const struct mount_view *mv)
{
  const char *type = json_string (json_get (m, "type"));
  cleanup_free char *path = NULL;

  if (json_get (m, "destination") == NULL && !mv->bind)
    return;
  xasprintf (&path, "mounts[%zu].destination", i);
  if (mv->dest_err < 0)
    {
      eval_report (ctx, path, json_get (m, "destination"), NULL,
                   mv->dest_err == -EINVAL ? "mount has no destination%s"
                                           : "mount destination cannot be resolved in the rootfs (%s): refused",
                   mv->dest_err == -EINVAL ? "" : errno_text (mv->dest_err));
      return;
    }
  /* Where runc's securejoin lands it, over the rootfs and the mounts
   * before it (a symlink in the rootfs to /proc/sys lands there). */
  if (!mv->bind && is_standard_kernel_mount (mv->landed, type))
    return;
  if (!contains ("/proc", mv->landed) && !contains ("/sys", mv->landed))
    {
      if (mv->dest_in_kernel)
        eval_report (ctx, path, json_get (m, "destination"), NULL,
                     "mount destination lands on %s, inside a kernel filesystem mounted before it", mv->landed);
      return;
    }
  eval_report (ctx, path, json_get (m, "destination"), NULL,
               "mount destination %s is under /proc or /sys: only the standard proc, sysfs and cgroup mounts may be "
               "there",
               mv->landed);
}

static int
check_mounts (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct mounts_state *s = state;
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  const struct json_value *rootprop = json_get_path (ctx->doc, "linux.rootfsPropagation");
  struct resolved_deny resolved = { 0 };
  struct config_view cv;
  size_t i;

  if (is_shared (json_string (rootprop)))
    eval_report (ctx, "linux.rootfsPropagation", rootprop, NULL,
                 "rootfs propagation %s would let the container's mounts reach the host", json_string (rootprop));
  if (!json_is (mounts, JSON_ARRAY))
    return 0;
  config_view_build (ctx, &cv);
  for (i = 0; i < mounts->count; i++)
    {
      const struct json_value *m = mounts->items[i];
      const struct mount_view *mv = &cv.m[i];
      int rc;
      /* The apparmor rule's own read-only bind of the Landlock helper. */
      if (ll_is_helper_mount (m, ctx->host->landlock_helper))
        continue;
      rc = mv->bind ? check_bind_source (ctx, s, &resolved, i, m, mv, err)
                    : check_type (ctx, s, &resolved, i, m, &cv, err);
      if (rc < 0)
        {
          resolved_deny_free (&resolved);
          config_view_free (&cv);
          return -1;
        }
      check_destination (ctx, i, m, mv);
      check_propagation (ctx, i, m);
      check_kernel_fs_readonly (ctx, i, m);
    }
  resolved_deny_free (&resolved);
  config_view_free (&cv);
  return 0;
}

const struct rule_ops rule_mounts = {
  .name = "mounts",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_mounts,
  .free_state = free_mounts,
  .check = check_mounts,
};
