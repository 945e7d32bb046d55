/* Rule "mounts": host paths that must never be bind-mounted into a container.
 *
 * A mount is a bind mount when its options hold "bind" or "rbind", whatever
 * its type (runc's createLibcontainerMount), or when its type is "bind".
 * The source is canonicalised on the host ("//", "/./", "..", trailing "/",
 * symlinks such as /var/run -> /run) and compared with each denied path, its
 * descendants and its ancestors: mounting /run exposes /run/systemd, and
 * mounting / exposes everything.  Read-only does not make a denied path
 * allowed: a read-only docker.sock is still a root shell on the host.
 * CIS Docker Benchmark 5.5 (sensitive host directories), 5.31 (docker socket);
 * PSS baseline "HostPath volumes". */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/policy.h"
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

static int
source_on_host (struct eval_ctx *ctx, const char *source, char **out, secshim_error_t *err)
{
  cleanup_free char *joined = NULL;
  if (source[0] != '/')
    {
      /* runc joins a relative source with the bundle directory. */
      if (ctx->id->bundle == NULL)
        return secshim_make_error (err, SECSHIM_EINPUT, "relative bind source `%s` and no bundle to resolve it",
                                   source);
      xasprintf (&joined, "%s/%s", ctx->id->bundle, source);
      source = joined;
    }
  return ctx->host->canonicalize (ctx->host, source, out, err);
}

static int
check_one (struct eval_ctx *ctx, const struct mounts_state *s, size_t i, const struct json_value *m,
           secshim_error_t *err)
{
  cleanup_free char *canon = NULL;
  const char *source = json_string (json_get (m, "source"));
  size_t d;

  if (!is_bind (m) || source == NULL)
    return 0;
  if (source_on_host (ctx, source, &canon, err) < 0)
    return -1;
  for (d = 0; d < s->deny.n + s->deny_exact.n; d++)
    {
      cleanup_free char *deny = NULL;
      cleanup_free char *path = NULL;
      bool tree = d < s->deny.n;
      const char *entry = tree ? s->deny.v[d] : s->deny_exact.v[d - s->deny.n];
      /* Compare with the entry as written and as the host resolves it
       * (/var/run/docker.sock is /run/docker.sock). */
      if (ctx->host->canonicalize (ctx->host, entry, &deny, err) < 0)
        return -1;
      if (!exposes (canon, deny, tree) && !exposes (canon, entry, tree))
        continue;
      xasprintf (&path, "mounts[%zu].source", i);
      eval_report (ctx, path, json_get (m, "source"), NULL, "bind mount of host path %s (into %s) is denied: %s %s",
                   canon, json_string (json_get (m, "destination")) ?: "?",
                   strcmp (canon, deny) == 0 ? "it is" : contains (canon, deny) ? "it contains" : "it is inside",
                   entry);
      return 0;
    }
  return 0;
}

static int
check_mounts (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct mounts_state *s = state;
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  size_t i;

  if (!json_is (mounts, JSON_ARRAY))
    return 0;
  for (i = 0; i < mounts->count; i++)
    if (check_one (ctx, s, i, mounts->items[i], err) < 0)
      return -1;
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
