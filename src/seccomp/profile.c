/* Source profiles: strict loading, libseccomp name checks, and resolution
 * of Docker's conditional fields into pure OCI (docs/seccomp.md). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <seccomp.h>

#include "internal.h"
#include "secshim/cleanup.h"
#include "secshim/seccomp.h"
#include "secshim/sha256.h"
#include "secshim/file.h"
#include "secshim/util.h"

#define SOURCE_MAX_BYTES ((size_t) 1024 * 1024)

struct seccomp_source
{
  char *origin;
  struct json_value *doc;
};

void
seccomp_source_free (struct seccomp_source *src)
{
  if (src == NULL)
    return;
  free (src->origin);
  json_free (src->doc);
  free (src);
}

/* ---- schema ---- */

/* Where a check is, for its messages: "syscalls[3].args[0]".  Built with
 * plain copies, not asprintf: the schema check runs over every rule of the
 * profile at every policy load, and formatting was most of its cost. */
#define WHERE_MAX 96

static void
where_join (char out[WHERE_MAX], const char *base, const char *suffix)
{
  size_t n = strnlen (base, WHERE_MAX - 1), m = strnlen (suffix, WHERE_MAX - 1 - n);
  memmove (out, base, n);
  memcpy (out + n, suffix, m);
  out[n + m] = '\0';
}

static void
where_index (char out[WHERE_MAX], const char *base, size_t i)
{
  char digits[24];
  size_t k = sizeof digits;
  digits[--k] = '\0';
  digits[--k] = ']';
  do
    digits[--k] = (char) ('0' + i % 10);
  while ((i /= 10) > 0 && k > 1);
  digits[--k] = '[';
  where_join (out, base, digits + k);
}

static int
only_keys (const struct json_value *obj, const char *const *allowed, const char *origin, const char *where,
           secshim_error_t *err)
{
  size_t i, j;
  if (!json_is (obj, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s: expected an object", origin, where);
  for (i = 0; i < obj->count; i++)
    {
      bool ok = false;
      for (j = 0; allowed[j] && !ok; j++)
        ok = strcmp (obj->members[i].key, allowed[j]) == 0;
      if (!ok)
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s: unknown key `%s`", origin, where,
                                   obj->members[i].key);
    }
  return 0;
}

typedef bool (*string_pred) (const char *);

/* An array of strings each satisfying pred (NULL: any non-empty string). */
static int
check_string_array (const struct json_value *arr, string_pred pred, const char *what, bool allow_null,
                    const char *origin, const char *where, secshim_error_t *err)
{
  size_t i;
  if (arr == NULL || (allow_null && json_is (arr, JSON_NULL)))
    return 0;
  if (!json_is (arr, JSON_ARRAY))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s: expected an array of strings", origin, where);
  for (i = 0; i < arr->count; i++)
    {
      const char *s = json_string (arr->items[i]);
      if (s == NULL || *s == '\0')
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s[%zu]: expected a non-empty string", origin, where, i);
      if (pred && !pred (s))
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s[%zu]: unknown %s `%s`", origin, where, i, what, s);
    }
  return 0;
}

static bool
arch_known (const char *s)
{
  return sc_arch_token (s) != 0;
}

static int
check_condition (const struct json_value *cond, const char *origin, const char *where, secshim_error_t *err)
{
  static const char *const keys[] = { "caps", "arches", NULL };
  char w[WHERE_MAX];
  if (cond == NULL)
    return 0;
  if (only_keys (cond, keys, origin, where, err) < 0)
    return -1;
  where_join (w, where, ".caps");
  if (check_string_array (json_get (cond, "caps"), sc_cap_known, "capability", false, origin, w, err) < 0)
    return -1;
  where_join (w, where, ".arches");
  return check_string_array (json_get (cond, "arches"), arch_known, "architecture", false, origin, w, err);
}

static int
check_args (const struct json_value *args, const char *origin, const char *where, secshim_error_t *err)
{
  static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
  size_t i;
  if (args == NULL)
    return 0;
  if (!json_is (args, JSON_ARRAY))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s: expected an array", origin, where);
  for (i = 0; i < args->count; i++)
    {
      const struct json_value *a = args->items[i];
      uint32_t index;
      uint64_t v;
      char w[WHERE_MAX];
      where_index (w, where, i);
      if (only_keys (a, keys, origin, w, err) < 0)
        return -1;
      if (json_get_u32 (json_get (a, "index"), &index) < 0 || index > 5)
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.index: expected an integer from 0 to 5", origin, w);
      if (json_get_u64 (json_get (a, "value"), &v) < 0)
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.value: expected a uint64", origin, w);
      if (json_get (a, "valueTwo") && json_get_u64 (json_get (a, "valueTwo"), &v) < 0)
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.valueTwo: expected a uint64", origin, w);
      if (!sc_op_known (json_string (json_get (a, "op"))))
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.op: expected one of SCMP_CMP_*", origin, w);
    }
  return 0;
}

static int
check_rule (const struct json_value *rule, size_t i, const char *origin, secshim_error_t *err)
{
  static const char *const keys[] = { "names", "action", "errnoRet", "args", "includes", "excludes", "comment", NULL };
  char w[WHERE_MAX], sub[WHERE_MAX];
  const struct json_value *names;
  const char *action;
  uint32_t u;

  where_index (w, "syscalls", i);
  if (only_keys (rule, keys, origin, w, err) < 0)
    return -1;
  names = json_get (rule, "names");
  if (!json_is (names, JSON_ARRAY) || names->count == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.names: expected a non-empty array", origin, w);
  where_join (sub, w, ".names");
  if (check_string_array (names, NULL, NULL, false, origin, sub, err) < 0)
    return -1;
  action = json_string (json_get (rule, "action"));
  if (!sc_action_known (action))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.action: expected one of SCMP_ACT_*", origin, w);
  if (strcmp (action, "SCMP_ACT_NOTIFY") == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG,
                               "%s: %s.action: SCMP_ACT_NOTIFY needs a listener, which a shipped profile cannot name",
                               origin, w);
  if (json_get (rule, "errnoRet") && json_get_u32 (json_get (rule, "errnoRet"), &u) < 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.errnoRet: expected a uint32", origin, w);
  where_join (sub, w, ".args");
  if (check_args (json_get (rule, "args"), origin, sub, err) < 0)
    return -1;
  where_join (sub, w, ".includes");
  if (check_condition (json_get (rule, "includes"), origin, sub, err) < 0)
    return -1;
  where_join (sub, w, ".excludes");
  return check_condition (json_get (rule, "excludes"), origin, sub, err);
}

static int
check_arch_map (const struct json_value *map, const char *origin, secshim_error_t *err)
{
  static const char *const keys[] = { "architecture", "subArchitectures", NULL };
  size_t i;
  if (!json_is (map, JSON_ARRAY) || map->count == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: archMap: expected a non-empty array", origin);
  for (i = 0; i < map->count; i++)
    {
      char w[WHERE_MAX], sub[WHERE_MAX];
      where_index (w, "archMap", i);
      if (only_keys (map->items[i], keys, origin, w, err) < 0)
        return -1;
      if (!arch_known (json_string (json_get (map->items[i], "architecture"))))
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: %s.architecture: expected an SCMP_ARCH_* name", origin,
                                   w);
      where_join (sub, w, ".subArchitectures");
      if (check_string_array (json_get (map->items[i], "subArchitectures"), arch_known, "architecture", true, origin,
                              sub, err)
          < 0)
        return -1;
    }
  return 0;
}

static int
check_top (const struct json_value *doc, const char *origin, secshim_error_t *err)
{
  static const char *const keys[]
      = { "comment", "defaultAction", "defaultErrnoRet", "archMap", "architectures", "flags", "syscalls", NULL };
  const struct json_value *syscalls;
  const char *def;
  const char *why;
  uint32_t u;
  size_t i;

  if (only_keys (doc, keys, origin, "profile", err) < 0)
    return -1;
  def = json_string (json_get (doc, "defaultAction"));
  if (!sc_action_known (def))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: defaultAction: expected one of SCMP_ACT_*", origin);
  if (seccomp_profile_is_weak (doc, &why) || strcmp (def, "SCMP_ACT_NOTIFY") == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: defaultAction: %s must deny by default", origin, def);
  if (json_get (doc, "defaultErrnoRet") && json_get_u32 (json_get (doc, "defaultErrnoRet"), &u) < 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: defaultErrnoRet: expected a uint32", origin);
  if ((json_get (doc, "archMap") == NULL) == (json_get (doc, "architectures") == NULL))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: exactly one of archMap and architectures is needed", origin);
  if (json_get (doc, "archMap") && check_arch_map (json_get (doc, "archMap"), origin, err) < 0)
    return -1;
  if (json_get (doc, "architectures"))
    {
      const struct json_value *a = json_get (doc, "architectures");
      if (!json_is (a, JSON_ARRAY) || a->count == 0)
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s: architectures: expected a non-empty array", origin);
      if (check_string_array (a, arch_known, "architecture", false, origin, "architectures", err) < 0)
        return -1;
    }
  if (check_string_array (json_get (doc, "flags"), seccomp_flag_known, "flag", false, origin, "flags", err) < 0)
    return -1;
  syscalls = json_get (doc, "syscalls");
  if (!json_is (syscalls, JSON_ARRAY))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: syscalls: expected an array", origin);
  for (i = 0; i < syscalls->count; i++)
    {
      const struct json_value *rule = syscalls->items[i];
      if (check_rule (rule, i, origin, err) < 0)
        return -1;
      if (json_get (doc, "architectures")
          && (json_get_path (rule, "includes.arches") || json_get_path (rule, "excludes.arches")))
        return secshim_make_error (err, SECSHIM_ECONFIG,
                                   "%s: syscalls[%zu]: includes/excludes.arches need an archMap, not architectures",
                                   origin, i);
    }
  return 0;
}

/* ---- architecture groups ---- */

/* The architectures a profile loads for a native head: [head, subs...]. */
static struct json_value *
group_for (const struct json_value *doc, const char *head)
{
  const struct json_value *map = json_get (doc, "archMap");
  size_t i, j;
  if (map == NULL)
    return json_clone (json_get (doc, "architectures"));
  for (i = 0; i < map->count; i++)
    {
      const struct json_value *e = map->items[i];
      const struct json_value *subs = json_get (e, "subArchitectures");
      struct json_value *out;
      if (!str_equal (json_string (json_get (e, "architecture")), head))
        continue;
      out = json_new_array ();
      json_array_append (out, json_new_string (head));
      for (j = 0; json_is (subs, JSON_ARRAY) && j < subs->count; j++)
        sc_strarray_add_unique (out, json_string (subs->items[j]));
      return out;
    }
  return NULL;
}

static bool
cond_arches_match (const struct json_value *cond, const char *head)
{
  return json_array_has_string (json_get (cond, "arches"), head);
}

static bool
rule_applies_to_arch (const struct json_value *rule, const char *head)
{
  const struct json_value *inc = json_get_path (rule, "includes.arches");
  const struct json_value *exc = json_get_path (rule, "excludes.arches");
  if (inc && inc->count > 0 && !cond_arches_match (json_get (rule, "includes"), head))
    return false;
  if (exc && cond_arches_match (json_get (rule, "excludes"), head))
    return false;
  return true;
}

static bool
rule_applies_to_caps (const struct json_value *rule, const struct json_value *bounding)
{
  const struct json_value *inc = json_get_path (rule, "includes.caps");
  const struct json_value *exc = json_get_path (rule, "excludes.caps");
  size_t i;
  /* Docker's semantics: every included capability is required, any
   * excluded one disables the rule. */
  for (i = 0; inc && i < inc->count; i++)
    if (!sc_caps_have (bounding, json_string (inc->items[i])))
      return false;
  for (i = 0; exc && i < exc->count; i++)
    if (sc_caps_have (bounding, json_string (exc->items[i])))
      return false;
  return true;
}

static char *
group_text (const struct json_value *group)
{
  char *s = xstrdup ("");
  size_t i;
  for (i = 0; i < group->count; i++)
    {
      char *t = NULL;
      xasprintf (&t, "%s%s%s", s, i ? ", " : "", json_string (group->items[i]));
      free (s);
      s = t;
    }
  return s;
}

/* Every name of every rule must exist on at least one architecture of each
 * group the rule applies to: libseccomp would otherwise skip it silently
 * (and so would runc), and a typo would leave a hole or a broken workload. */
static int
check_names_for_group (const struct json_value *doc, const char *head, const char *origin, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *group = group_for (doc, head);
  const struct json_value *syscalls = json_get (doc, "syscalls");
  size_t i, j, k;

  for (i = 0; i < syscalls->count; i++)
    {
      const struct json_value *rule = syscalls->items[i];
      const struct json_value *names = json_get (rule, "names");
      if (json_get (doc, "archMap") && !rule_applies_to_arch (rule, head))
        continue;
      for (j = 0; j < names->count; j++)
        {
          const char *name = json_string (names->items[j]);
          bool found = false;
          for (k = 0; k < group->count && !found; k++)
            found = sc_name_on_arch (sc_arch_token (json_string (group->items[k])), name);
          if (!found)
            {
              cleanup_free char *arches = group_text (group);
              return secshim_make_error (
                  err, SECSHIM_ECONFIG,
                  "%s: syscalls[%zu].names[%zu]: `%s` is not a syscall on %s (libseccomp %u.%u.%u)", origin, i, j, name,
                  arches, seccomp_version ()->major, seccomp_version ()->minor, seccomp_version ()->micro);
            }
        }
    }
  return 0;
}

static int
check_names (const struct json_value *doc, const char *origin, secshim_error_t *err)
{
  const struct json_value *map = json_get (doc, "archMap");
  size_t i;
  if (map == NULL)
    return check_names_for_group (doc, json_string (json_get (doc, "architectures")->items[0]), origin, err);
  for (i = 0; i < map->count; i++)
    if (check_names_for_group (doc, json_string (json_get (map->items[i], "architecture")), origin, err) < 0)
      return -1;
  return 0;
}

int
seccomp_source_check_names (const struct seccomp_source *src, secshim_error_t *err)
{
  return check_names (src->doc, src->origin, err);
}

/* Schema checked, names not: takes *doc. */
static int
source_from_doc (struct json_value **doc, const char *origin, struct seccomp_source **out, secshim_error_t *err)
{
  struct seccomp_source *src;
  if (check_top (*doc, origin, err) < 0)
    return -1;
  src = xzalloc (sizeof *src);
  src->origin = xstrdup (origin);
  src->doc = steal_pointer (doc);
  *out = src;
  return 0;
}

int
seccomp_source_load_json (const struct json_value *doc, const char *origin, struct seccomp_source **out,
                          secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *copy = NULL;
  struct seccomp_source *src = NULL;

  if (check_top (doc, origin, err) < 0 || check_names (doc, origin, err) < 0)
    return -1;
  copy = json_clone (doc);
  if (source_from_doc (&copy, origin, &src, err) < 0)
    return -1;
  *out = src;
  return 0;
}

int
seccomp_source_load_file (const char *path, struct seccomp_source **out, secshim_error_t *err)
{
  struct seccomp_source *src = NULL;

  if (seccomp_source_load_file_unchecked (path, NULL, &src, err) < 0)
    return -1;
  if (seccomp_source_check_names (src, err) < 0)
    {
      seccomp_source_free (src);
      return -1;
    }
  *out = src;
  return 0;
}

int
seccomp_source_load_file_unchecked (const char *path, char sha256[65], struct seccomp_source **out,
                                    secshim_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;

  if (read_data_file (path, SOURCE_MAX_BYTES, &buf, &len, err) < 0)
    return secshim_error_wrap (err, "seccomp profile");
  if (sha256)
    sha256_hex (buf, len, sha256);
  return seccomp_source_load_bytes_unchecked (buf, len, path, out, err);
}

int
seccomp_source_load_bytes_unchecked (const char *buf, size_t len, const char *origin, struct seccomp_source **out,
                                     secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *doc = NULL;

  if (json_parse (buf, len, NULL, &doc, err) < 0)
    return secshim_error_wrap (err, "seccomp profile `%s`", origin);
  /* The parsed tree becomes the source's: no copy. */
  return source_from_doc (&doc, origin, out, err);
}

/* ---- resolution ---- */

static struct json_value *
resolve_rule (const struct json_value *rule)
{
  struct json_value *out = json_new_object ();
  const struct json_value *names = json_get (rule, "names");
  struct json_value *n = json_new_array ();
  size_t i;

  for (i = 0; i < names->count; i++)
    sc_strarray_add_unique (n, json_string (names->items[i]));
  json_set (out, "names", n);
  json_set (out, "action", json_clone (json_get (rule, "action")));
  if (json_get (rule, "errnoRet"))
    json_set (out, "errnoRet", json_clone (json_get (rule, "errnoRet")));
  if (json_get (rule, "args") && json_get (rule, "args")->count > 0)
    json_set (out, "args", json_clone (json_get (rule, "args")));
  return out;
}

int
seccomp_source_resolve (const struct seccomp_source *src, const char *native_arch, const struct json_value *bounding,
                        struct json_value **out, secshim_error_t *err)
{
  const struct json_value *doc = src->doc;
  const struct json_value *syscalls = json_get (doc, "syscalls");
  cleanup_with (json_free) struct json_value *res = json_new_object ();
  struct json_value *group, *rules;
  size_t i;

  if (native_arch == NULL)
    native_arch = seccomp_native_arch_name ();
  if (native_arch == NULL)
    return secshim_make_error (err, ENOTSUP, "seccomp: the native architecture has no SCMP_ARCH name");
  group = group_for (doc, native_arch);
  if (group == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: archMap has no entry for the native architecture %s",
                               src->origin, native_arch);
  json_set (res, "defaultAction", json_clone (json_get (doc, "defaultAction")));
  if (json_get (doc, "defaultErrnoRet"))
    json_set (res, "defaultErrnoRet", json_clone (json_get (doc, "defaultErrnoRet")));
  json_set (res, "architectures", group);
  if (json_get (doc, "flags") && json_get (doc, "flags")->count > 0)
    json_set (res, "flags", json_clone (json_get (doc, "flags")));
  rules = json_new_array ();
  json_set (res, "syscalls", rules);
  for (i = 0; i < syscalls->count; i++)
    {
      const struct json_value *rule = syscalls->items[i];
      if (json_get (doc, "archMap") && !rule_applies_to_arch (rule, native_arch))
        continue;
      if (!rule_applies_to_caps (rule, bounding))
        continue;
      json_array_append (rules, resolve_rule (rule));
    }
  *out = steal_pointer (&res);
  return 0;
}

static int
self_check_head (const struct seccomp_source *src, const char *head, const struct seccomp_dangerous_list *dangerous,
                 secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *resolved = NULL;
  struct seccomp_problems problems = { NULL, 0 };
  struct seccomp_check_opts opts = { dangerous, NULL, NULL, NULL };
  int ret = 0;

  if (seccomp_source_resolve (src, head, NULL, &resolved, err) < 0)
    return -1;
  /* The source's own flags were checked against the known set at load. */
  json_remove (resolved, "flags");
  seccomp_check_profile (resolved, &opts, false, &problems);
  if (problems.n > 0)
    ret = secshim_make_error (err, SECSHIM_ECONFIG, "%s: for %s with no capability: %s: %s", src->origin, head,
                              problems.v[0].path, problems.v[0].message);
  seccomp_problems_free (&problems);
  return ret;
}

int
seccomp_source_self_check (const struct seccomp_source *src, const struct seccomp_dangerous_list *dangerous,
                           secshim_error_t *err)
{
  const struct json_value *map = json_get (src->doc, "archMap");
  const char *native = seccomp_native_arch_name ();
  cleanup_with (json_free) struct json_value *group = NULL;
  size_t i;

  if (native == NULL)
    return secshim_make_error (err, ENOTSUP, "seccomp: the native architecture has no SCMP_ARCH name");
  group = group_for (src->doc, native);
  if (group == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: archMap has no entry for the native architecture %s",
                               src->origin, native);
  if (map == NULL)
    return self_check_head (src, native, dangerous, err);
  for (i = 0; i < map->count; i++)
    if (self_check_head (src, json_string (json_get (map->items[i], "architecture")), dangerous, err) < 0)
      return -1;
  return 0;
}
