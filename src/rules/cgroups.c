/* Rule "cgroups": the container gets a cgroup of its own, below the
 * engine's cgroup parent (CIS Docker Benchmark 5.25).
 *
 * A cgroupsPath of "/" or one that cleans to an existing host cgroup
 * ("/../system.slice") puts the container's processes into a host cgroup,
 * where `runc kill --all` and `runc delete --force` signal the host's
 * processes and the container's limits become the host service's.  The
 * rule judges the directory runc 1.1.5 ends up with, computed as runc does
 * (docs/policy.md "cgroups"):
 *
 *  - cgroupfs driver (libcontainer/specconv CreateCgroupConfig,
 *    cgroups/fs{,2} innerPath): utils.CleanPath (cgroupsPath).  An absolute
 *    result is taken from the cgroup root and must lie strictly below one of
 *    allowParents.  A relative one (docker with a relative --cgroup-parent,
 *    and the container id when cgroupsPath is absent) is created beside
 *    runc's own cgroup, whose siblings are systemd units: allowed when
 *    allowRelative, unless it is "." (runc's parent itself) or its first
 *    component names a systemd unit.
 *  - systemd driver (runc --systemd-cgroup; systemd/common.go): exactly
 *    "slice:prefix:name"; the slice goes through ExpandSlice ("" is
 *    system.slice, "-.slice" the root) and must be one of allowSlices or a
 *    slice below one; the unit is the scope "prefix-name.scope".  A name
 *    ending in ".slice" makes runc start a slice unit instead: refused.
 *
 * Anything runc could not parse is refused too (fail closed: runc would not
 * start it either).  Nothing here can be rewritten into something safe, so
 * the rule refuses, audits or warns. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

#define RULE "rules.cgroups"

/* Longest piece of the document quoted in a message. */
#define QUOTE_MAX 160

struct cgroups_state
{
  struct strv parents;   /* cleaned absolute cgroupfs parents */
  struct strv slices;    /* as written in the policy, e.g. "kubepods.slice" */
  struct strv slice_dir; /* ExpandSlice of each, e.g. "/kubepods.slice" */
  bool allow_relative;
};

static const char *const default_parents[]
    = { "/docker", "/moby", "/default", "/k8s.io", "/kubepods", "/libpod_parent", NULL };
static const char *const default_slices[] = { "system.slice", "machine.slice", "kubepods.slice", NULL };

static void
free_cgroups (void *p)
{
  struct cgroups_state *s = p;
  if (s == NULL)
    return;
  strv_free (&s->parents);
  strv_free (&s->slices);
  strv_free (&s->slice_dir);
  free (s);
}

static void
strv_fill (struct strv *s, const char *const *v)
{
  size_t n = 0, i;
  while (v[n])
    n++;
  s->v = xzalloc ((n + 1) * sizeof (char *));
  for (i = 0; i < n; i++)
    s->v[i] = xstrdup (v[i]);
  s->n = n;
}

/* runc's systemd.ExpandSlice: "a-b.slice" -> "/a.slice/a-b.slice",
 * "-.slice" -> "/".  NULL when runc would refuse the name. */
static char *
expand_slice (const char *slice)
{
  static const char suffix[] = ".slice";
  const size_t slen = sizeof suffix - 1;
  size_t len = strlen (slice), name_len, i, start;
  struct strbuf b = { 0 };

  if (len < slen || strcmp (slice + len - slen, suffix) != 0 || strchr (slice, '/') != NULL)
    return NULL;
  name_len = len - slen;
  if (name_len == 1 && slice[0] == '-')
    return xstrdup ("/");
  /* Every "-"-separated component must be non-empty ("-a.slice", "a--b.slice"
   * and ".slice" are refused by runc); each adds "/<prefix><component>.slice". */
  for (i = start = 0; i <= name_len; i++)
    {
      if (i < name_len && slice[i] != '-')
        continue;
      if (i == start)
        {
          free (b.buf);
          return NULL;
        }
      strbuf_append (&b, "/", 1, 64);
      strbuf_append (&b, slice, i, 64);
      strbuf_append (&b, suffix, slen, 64);
      start = i + 1;
    }
  return b.buf;
}

/* runc's utils.CleanPath: filepath.Clean, and a relative path cleaned as if
 * from "/" and made relative again ("../../x" -> "x", ".." -> "."). */
static char *
clean_path (const char *path)
{
  char *norm = path_lexical_normalize (path);
  char *rel;
  if (path[0] == '/')
    return norm;
  rel = xstrdup (norm[1] ? norm + 1 : ".");
  free (norm);
  return rel;
}

/* A strictly below p (both cleaned, absolute): p + "/" + something. */
static bool
strictly_below (const char *a, const char *p)
{
  size_t n = strlen (p);
  if (strcmp (p, "/") == 0)
    return a[0] == '/' && a[1] != '\0';
  return strncmp (a, p, n) == 0 && a[n] == '/' && a[n + 1] != '\0';
}

static bool
below_or_equal (const char *a, const char *p)
{
  return strcmp (a, p) == 0 || strictly_below (a, p);
}

DEFINE_CLEANUP_FUNC (struct cgroups_state *, free_cgroups)

static int
load_cgroups (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  cleanup_with (free_cgroups) struct cgroups_state *s = xzalloc (sizeof *s);
  size_t i;
  (void) policy_dir;

  s->allow_relative = true;
  if (take_strv (settings, RULE, "allowParents", &s->parents, err) < 0
      || take_strv (settings, RULE, "allowSlices", &s->slices, err) < 0
      || take_bool (settings, RULE, "allowRelative", &s->allow_relative, err) < 0)
    return -1;
  if (s->parents.v == NULL)
    strv_fill (&s->parents, default_parents);
  if (s->slices.v == NULL)
    strv_fill (&s->slices, default_slices);
  for (i = 0; i < s->parents.n; i++)
    {
      char *clean;
      if (s->parents.v[i][0] != '/')
        return secshim_make_error (err, SECSHIM_ECONFIG, RULE ".allowParents[%zu]: `%s` is not an absolute path", i,
                                   s->parents.v[i]);
      clean = path_lexical_normalize (s->parents.v[i]);
      free (s->parents.v[i]);
      s->parents.v[i] = clean;
      if (strcmp (clean, "/") == 0)
        return secshim_make_error (err, SECSHIM_ECONFIG,
                                   RULE ".allowParents[%zu]: the cgroup root would allow every host cgroup", i);
    }
  s->slice_dir.v = xzalloc ((s->slices.n + 1) * sizeof (char *));
  for (i = 0; i < s->slices.n; i++)
    {
      char *dir = expand_slice (s->slices.v[i]);
      if (dir == NULL || strcmp (dir, "/") == 0)
        {
          free (dir);
          return secshim_make_error (err, SECSHIM_ECONFIG,
                                     RULE ".allowSlices[%zu]: `%s` is not a systemd slice below the root", i,
                                     s->slices.v[i]);
        }
      s->slice_dir.v[s->slice_dir.n++] = dir;
    }
  *state = steal_pointer (&s);
  return 0;
}

/* A name systemd gives its units: what sits beside runc's own cgroup. */
static bool
names_systemd_unit (const char *component, size_t len)
{
  static const char *const types[] = { ".service", ".scope",  ".slice",     ".socket", ".mount", ".swap",
                                       ".target",  ".device", ".automount", ".path",   ".timer", NULL };
  size_t i;
  for (i = 0; types[i]; i++)
    {
      size_t t = strlen (types[i]);
      if (len >= t && strncmp (component + len - t, types[i], t) == 0)
        return true;
    }
  return false;
}

/* Characters of a systemd unit name, without ":" (the separator here). */
static bool
is_unit_word (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'
          || *s == '-' || *s == '@'))
      return false;
  return true;
}

/* The list of parents for a message: "/docker, /kubepods, ...". */
static char *
list_text (const struct strv *v)
{
  struct strbuf b = { 0 };
  size_t i;
  strbuf_append (&b, "", 0, 128);
  for (i = 0; i < v->n && b.len < 2 * QUOTE_MAX; i++)
    {
      if (i)
        strbuf_append (&b, ", ", 2, 128);
      strbuf_append (&b, v->v[i], strlen (v->v[i]), 128);
    }
  if (i < v->n)
    strbuf_append (&b, ", ...", 5, 128);
  return b.buf;
}

/* cgroupfs driver: why the cleaned path is refused, or NULL. */
static char *
judge_cgroupfs (const struct cgroups_state *s, const char *shown, const char *clean)
{
  cleanup_free char *list = list_text (&s->parents);
  char *why = NULL;
  size_t i, first;

  if (clean[0] == '/')
    {
      for (i = 0; i < s->parents.n; i++)
        if (strictly_below (clean, s->parents.v[i]))
          return NULL;
      xasprintf (&why, "cgroupsPath %.*s is %.*s to runc: %s, not a cgroup of its own below an allowed parent (%s)",
                 QUOTE_MAX, shown, QUOTE_MAX, clean,
                 strcmp (clean, "/") == 0 ? "the host's root cgroup" : "outside the container's parents", list);
      return why;
    }
  first = strcspn (clean, "/");
  if (!s->allow_relative)
    xasprintf (&why,
               "cgroupsPath %.*s is relative: runc puts it beside its own cgroup, not below an allowed parent (%s)",
               QUOTE_MAX, shown, list);
  else if (strcmp (clean, ".") == 0)
    xasprintf (&why, "cgroupsPath %.*s is \".\" to runc: the cgroup runc itself runs beside, a host cgroup", QUOTE_MAX,
               shown);
  else if (names_systemd_unit (clean, first))
    xasprintf (&why,
               "cgroupsPath %.*s is relative and starts with the systemd unit %.*s: runc would join that host "
               "unit's cgroup beside its own",
               QUOTE_MAX, shown, (int) (first > QUOTE_MAX ? QUOTE_MAX : first), clean);
  return why;
}

/* systemd driver: "slice:prefix:name".  Why refused, or NULL. */
static char *
judge_systemd (const struct cgroups_state *s, const char *shown, const char *value)
{
  const char *c1 = strchr (value, ':');
  const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  cleanup_free char *slice = NULL, *dir = NULL, *list = NULL;
  const char *prefix_end, *name;
  cleanup_free char *prefix = NULL;
  char *why = NULL;
  size_t i;

  if (c1 == NULL || c2 == NULL || strchr (c2 + 1, ':') != NULL)
    {
      xasprintf (&why, "cgroupsPath %.*s is not \"slice:prefix:name\", which runc --systemd-cgroup requires", QUOTE_MAX,
                 shown);
      return why;
    }
  slice = c1 == value ? xstrdup ("system.slice") : xstrndup (value, (size_t) (c1 - value));
  prefix_end = c2;
  prefix = xstrndup (c1 + 1, (size_t) (prefix_end - c1 - 1));
  name = c2 + 1;
  dir = expand_slice (slice);
  if (dir == NULL)
    xasprintf (&why, "cgroupsPath %.*s: %.*s is not a systemd slice name runc accepts", QUOTE_MAX, shown, QUOTE_MAX,
               slice);
  else if (!is_unit_word (prefix) || !is_unit_word (name))
    xasprintf (&why, "cgroupsPath %.*s: the scope prefix and name must be non-empty unit-name words", QUOTE_MAX, shown);
  else if (strlen (name) >= 6 && strcmp (name + strlen (name) - 6, ".slice") == 0)
    xasprintf (&why,
               "cgroupsPath %.*s: a name ending in .slice makes runc start a slice unit, not the container's "
               "own scope",
               QUOTE_MAX, shown);
  if (why)
    return why;
  for (i = 0; i < s->slice_dir.n; i++)
    if (below_or_equal (dir, s->slice_dir.v[i]))
      return NULL;
  list = list_text (&s->slices);
  xasprintf (&why, "cgroupsPath %.*s puts the container's scope into %.*s to runc: %s, not an allowed slice (%s)",
             QUOTE_MAX, shown, QUOTE_MAX, dir, strcmp (dir, "/") == 0 ? "the host's root cgroup" : "a host slice",
             list);
  return why;
}

static int
check_cgroups (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct cgroups_state *s = state;
  const struct json_value *v = json_get_path (ctx->doc, "linux.cgroupsPath");
  const char *value = json_string (v);
  bool systemd = ctx->id && ctx->id->systemd_cgroup;
  cleanup_free char *shown = NULL, *clean = NULL, *why = NULL;
  (void) err;

  if (v != NULL && value == NULL)
    {
      eval_report_unfixable (ctx, "linux.cgroupsPath", v, "cgroupsPath is not a string");
      return 0;
    }
  if (value == NULL || value[0] == '\0')
    {
      /* runc's default: cgroupfs takes the container id as a relative
       * path, systemd the scope "runc-<id>.scope" in system.slice. */
      const char *id = ctx->id ? ctx->id->container_id : NULL;
      if (id == NULL || id[0] == '\0')
        return 0; /* secshim check without --id: nothing runc-specific to judge */
      xasprintf (&shown, "(absent, so the container id \"%.*s\")", QUOTE_MAX, id);
      if (systemd)
        {
          cleanup_free char *path = NULL;
          xasprintf (&path, ":runc:%s", id);
          why = judge_systemd (s, shown, path);
        }
      else
        {
          clean = clean_path (id);
          why = judge_cgroupfs (s, shown, clean);
        }
    }
  else
    {
      xasprintf (&shown, "\"%.*s\"", QUOTE_MAX, value);
      if (systemd)
        why = judge_systemd (s, shown, value);
      else
        {
          clean = clean_path (value);
          why = judge_cgroupfs (s, shown, clean);
        }
    }
  if (why)
    eval_report_unfixable (ctx, "linux.cgroupsPath", v, "%s", why);
  return 0;
}

char *
cgroups_parent_dir (const struct eval_ctx *ctx)
{
  const char *value = json_string (json_get_path (ctx->doc, "linux.cgroupsPath"));
  cleanup_free char *clean = NULL;
  char *slash, *dir;

  if (value == NULL || value[0] == '\0')
    return NULL;
  if (ctx->id && ctx->id->systemd_cgroup)
    {
      /* "slice:prefix:name": the scope's parent is the slice. */
      const char *c1 = strchr (value, ':');
      cleanup_free char *slice = NULL;
      if (c1 == NULL || strchr (c1 + 1, ':') == NULL)
        return NULL;
      slice = c1 == value ? xstrdup ("system.slice") : xstrndup (value, (size_t) (c1 - value));
      dir = expand_slice (slice);
    }
  else
    {
      clean = clean_path (value);
      if (clean[0] != '/' || (slash = strrchr (clean, '/')) == clean)
        return NULL; /* relative, or directly below the root */
      dir = xstrndup (clean, (size_t) (slash - clean));
    }
  if (dir != NULL && strcmp (dir, "/") == 0)
    {
      free (dir);
      return NULL;
    }
  return dir;
}

static void
pack_cgroups (struct pack *k, void **state)
{
  struct cgroups_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->parents);
  pack_strv (k, &s->slices);
  pack_strv (k, &s->slice_dir);
  pack_bool (k, &s->allow_relative);
}

const struct rule_ops rule_cgroups = {
  .name = "cgroups",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_cgroups,
  .free_state = free_cgroups,
  .pack = pack_cgroups,
  .check = check_cgroups,
};
