/* Rule "mounts": host paths that must never be bind-mounted into a container.
 *
 * A mount is a bind mount when its options hold "bind" or "rbind", whatever
 * its type (runc's createLibcontainerMount), or when its type is "bind".
 * The source is canonicalised on the host ("//", "/./", "..", trailing "/",
 * symlinks such as /var/run -> /run) and compared with each denied path, its
 * descendants and its ancestors: mounting /run exposes /run/systemd, and
 * mounting / exposes everything.  Read-only does not make a denied path
 * allowed: a read-only docker.sock is still a root shell on the host.
 * CIS Docker Benchmark 5.6 (sensitive host directories), 5.32 (docker socket);
 * PSS baseline "HostPath volumes".
 *
 * The same rule also refuses, for every mount:
 *  - shared/rshared propagation, in options or linux.rootfsPropagation: the
 *    container's mounts would propagate back to the host (CIS 5.20,
 *    CVE-2025-31133/52565/52881 need it);
 *  - sysfs and cgroup mounts without "ro" (cgroup v1 release_agent,
 *    /sys/kernel/uevent_helper; CVE-2022-0492);
 *  - destinations under /proc or /sys other than the standard proc, sysfs
 *    and /sys/fs/cgroup mounts (CVE-2019-16884, CVE-2023-27561: mounts over
 *    /proc defeat AppArmor and masks). */
#include <errno.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/landlock.h"
#include "secshim/policy.h"
#include "secshim/resolve.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct mounts_state
{
  struct strv deny;       /* the path, everything below it, every ancestor */
  struct strv deny_exact; /* the path and its ancestors; below it is allowed */
};

static void
free_mounts (void *p)
{
  struct mounts_state *s = p;
  strv_free (&s->deny);
  strv_free (&s->deny_exact);
  free (s);
}

static int
load_mounts (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct mounts_state *s = xzalloc (sizeof *s);
  size_t i;
  if (take_strv (settings, "rules.mounts", "deny", &s->deny, err) < 0
      || take_strv (settings, "rules.mounts", "denyExact", &s->deny_exact, err) < 0)
    goto fail;
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

static bool
is_bind (const struct json_value *m)
{
  const struct json_value *opts = json_get (m, "options");
  return str_equal (json_string (json_get (m, "type")), "bind") || json_array_has_string (opts, "bind")
         || json_array_has_string (opts, "rbind");
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
  for (r->n = 0; r->n < total; r->n++)
    if (ctx->host->canonicalize (ctx->host, deny_entry (s, r->n), &r->v[r->n], err) < 0)
      return -1;
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

/* A bind mount's source as runc resolves it (resolve_bind_source), failing
 * closed: a source secshim cannot resolve is refused, as runc's os.Stat
 * would fail on it too. */
static int
check_bind_source (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
                   const struct json_value *m, secshim_error_t *err)
{
  cleanup_free char *joined = NULL;
  cleanup_free char *host = NULL;
  cleanup_free char *field = NULL;
  const struct json_value *src = json_get (m, "source");
  const char *source = json_string (src);
  int rc;

  if (!is_bind (m))
    return 0;
  xasprintf (&field, "mounts[%zu].source", i);
  if (source == NULL || source[0] == '\0')
    {
      eval_report (ctx, field, src, NULL, "bind mount into %s has no source",
                   json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  rc = resolve_bind_source (ctx->host, ctx->id->bundle, source, &joined, &host);
  if (rc == -EINVAL && source[0] != '/')
    {
      eval_report (ctx, field, src, NULL, "relative bind source `%s` and no bundle to resolve it against", source);
      return 0;
    }
  if (rc < 0)
    {
      /* Named as written, it may already be denied: say so rather than
       * that it is missing. */
      cleanup_free char *lexical = go_path_clean (joined ? joined : source);
      int denied = report_denied (ctx, s, resolved, field, m, src, "bind mount", lexical, err);
      if (denied != 0)
        return denied < 0 ? -1 : 0;
      eval_report (ctx, field, src, NULL,
                   "bind mount source %s cannot be resolved on the host (%s): refused, runc could not mount it either",
                   joined ? joined : source, errno_text (rc));
      return 0;
    }
  return judge_host_path (ctx, s, resolved, field, m, src, "bind mount", host, err);
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
check_destination (struct eval_ctx *ctx, size_t i, const struct json_value *m)
{
  const char *dest = json_string (json_get (m, "destination"));
  const char *type = json_string (json_get (m, "type"));
  cleanup_free char *canon = NULL;
  cleanup_free char *path = NULL;

  if (dest == NULL)
    return;
  /* Destinations live in the container's rootfs: lexical only, and runc
   * takes a relative destination from the rootfs root. */
  canon = path_lexical_normalize (dest);
  if (!contains ("/proc", canon) && !contains ("/sys", canon))
    return;
  if (is_standard_kernel_mount (canon, type))
    return;
  xasprintf (&path, "mounts[%zu].destination", i);
  eval_report (ctx, path, json_get (m, "destination"), NULL,
               "mount destination %s is under /proc or /sys: only the standard proc, sysfs and cgroup mounts may be "
               "there",
               canon);
}

static int
check_mounts (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct mounts_state *s = state;
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  const struct json_value *rootprop = json_get_path (ctx->doc, "linux.rootfsPropagation");
  struct resolved_deny resolved = { 0 };
  size_t i;

  if (is_shared (json_string (rootprop)))
    eval_report (ctx, "linux.rootfsPropagation", rootprop, NULL,
                 "rootfs propagation %s would let the container's mounts reach the host", json_string (rootprop));
  if (!json_is (mounts, JSON_ARRAY))
    return 0;
  for (i = 0; i < mounts->count; i++)
    {
      const struct json_value *m = mounts->items[i];
      /* The apparmor rule's own read-only bind of the Landlock helper. */
      if (ll_is_helper_mount (m, ctx->host->landlock_helper))
        continue;
      if (check_bind_source (ctx, s, &resolved, i, m, err) < 0)
        {
          resolved_deny_free (&resolved);
          return -1;
        }
      check_destination (ctx, i, m);
      check_propagation (ctx, i, m);
      check_kernel_fs_readonly (ctx, i, m);
    }
  resolved_deny_free (&resolved);
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
