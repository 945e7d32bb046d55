/* Landlock: derive the helper's ruleset from bane's fields (landlock.h). */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/landlock.h"
#include "secshim/util.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define LANDLOCK_VERSION_FLAG 1U /* LANDLOCK_CREATE_RULESET_VERSION */

void
ll_ruleset_free (struct ll_ruleset *r)
{
  size_t i;
  for (i = 0; i < r->n; i++)
    free (r->v[i].path);
  free (r->v);
  memset (r, 0, sizeof *r);
}

bool
ll_ruleset_empty (const struct ll_ruleset *r)
{
  return r->n == 0 && !r->deny_tcp;
}

/* AppArmor's glob characters (apparmor.d(5)): a path containing one is
 * cut at the last '/' before it. */
static bool
is_glob (char c)
{
  return c == '*' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}' || c == '^';
}

static int
add_rule (struct ll_ruleset *out, const char *spelled, unsigned classes, const char *field, secshim_error_t *err)
{
  cleanup_free char *expanded = NULL, *literal = NULL;
  struct ll_rule *r;
  const char *p = spelled;
  size_t i, cut, len;
  bool glob = false;

  /* aa_spec_check allows @{PROC} only at the start: @{PROC}=/proc/. */
  if (str_has_prefix (p, "@{PROC}"))
    {
      xasprintf (&expanded, "/proc/%s", p + strlen ("@{PROC}"));
      p = expanded;
    }
  len = strlen (p);
  cut = len;
  for (i = 0; i < len; i++)
    if (is_glob (p[i]))
      {
        glob = true;
        cut = i;
        break;
      }
  if (glob)
    {
      while (cut > 0 && p[cut - 1] != '/')
        cut--;
      literal = xstrndup (p, cut);
    }
  else
    literal = xstrdup (p);
  if (out->n == LL_MAX_RULES)
    return secshim_make_error (err, SECSHIM_EINPUT, "more than %d file rules for Landlock", LL_MAX_RULES);
  out->v = xreallocarray (out->v, out->n + 1, sizeof *out->v);
  r = &out->v[out->n++];
  memset (r, 0, sizeof *r);
  r->path = path_lexical_normalize (literal);
  r->classes = classes;
  r->tree = glob;
  /* A trailing "**" after a slash is exactly the tree; any other glob is widened. */
  r->widened = glob && strcmp (p + cut, "**") != 0;
  r->field = field;
  if (r->widened)
    out->n_widened++;
  return 0;
}

static bool
protocols_allow_tcp (const struct strv *protocols)
{
  size_t i;
  if (protocols->n == 0)
    return true; /* no Protocols: `network,` */
  for (i = 0; i < protocols->n; i++)
    if (str_has_prefix (protocols->v[i], "tcp"))
      return true;
  return false;
}

int
ll_ruleset_from_spec (const struct aa_spec *s, struct ll_ruleset *out, secshim_error_t *err)
{
  size_t i;
  memset (out, 0, sizeof *out);
  for (i = 0; i < s->read_only_paths.n; i++)
    if (add_rule (out, s->read_only_paths.v[i], LL_WRITE, "ReadOnlyPaths", err) < 0)
      goto fail;
  for (i = 0; i < s->deny_exec.n; i++)
    if (add_rule (out, s->deny_exec.v[i], LL_READ | LL_WRITE | LL_EXEC, "DenyExec", err) < 0)
      goto fail;
  out->deny_tcp = !protocols_allow_tcp (&s->protocols);
  return 0;
fail:
  ll_ruleset_free (out);
  return -1;
}

static void
push (struct strv *v, char *s)
{
  v->v = xreallocarray (v->v, v->n + 2, sizeof *v->v);
  v->v[v->n++] = s;
  v->v[v->n] = NULL;
}

void
ll_helper_args (const struct ll_ruleset *r, struct strv *out)
{
  size_t i;
  memset (out, 0, sizeof *out);
  for (i = 0; i < r->n; i++)
    {
      const struct ll_rule *e = &r->v[i];
      char *arg = NULL;
      xasprintf (&arg, "%s%s%s%s:%s", e->classes & LL_READ ? "r" : "", e->classes & LL_WRITE ? "w" : "",
                 e->classes & LL_EXEC ? "x" : "", e->tree ? "t" : "", e->path);
      push (out, xstrdup ("-d"));
      push (out, arg);
    }
  if (r->deny_tcp)
    push (out, xstrdup ("-n"));
}

static const char *const helper_options[] = { "bind", "ro", "nosuid", "nodev" };
#define N_HELPER_OPTIONS (sizeof helper_options / sizeof helper_options[0])

struct json_value *
ll_helper_mount (const char *helper)
{
  struct json_value *m = json_new_object (), *opts = json_new_array ();
  size_t i;
  json_set (m, "destination", json_new_string (LL_CONTAINER_PATH));
  json_set (m, "type", json_new_string ("bind"));
  json_set (m, "source", json_new_string (helper));
  for (i = 0; i < N_HELPER_OPTIONS; i++)
    json_array_append (opts, json_new_string (helper_options[i]));
  json_set (m, "options", opts);
  return m;
}

bool
ll_is_helper_mount (const struct json_value *m, const char *helper)
{
  const struct json_value *opts = json_get (m, "options");
  size_t i;
  if (helper == NULL || !json_is (m, JSON_OBJECT) || m->count != 4 || !json_is (opts, JSON_ARRAY)
      || opts->count != N_HELPER_OPTIONS || !str_equal (json_string (json_get (m, "destination")), LL_CONTAINER_PATH)
      || !str_equal (json_string (json_get (m, "type")), "bind")
      || !str_equal (json_string (json_get (m, "source")), helper))
    return false;
  for (i = 0; i < N_HELPER_OPTIONS; i++)
    if (!str_equal (json_string (opts->items[i]), helper_options[i]))
      return false;
  return true;
}

int
ll_abi_version (void)
{
  long v = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_VERSION_FLAG);
  return v > 0 ? (int) v : 0;
}
