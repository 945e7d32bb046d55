/* Exemptions: see exemption.h. */
#include <fnmatch.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/exemption.h"
#include "secshim/pack.h"
#include "secshim/util.h"

static bool
rule_exists (const char *name)
{
  size_t i;
  for (i = 0; i < secshim_n_rules; i++)
    if (strcmp (secshim_rules[i]->name, name) == 0)
      return true;
  return false;
}

/* The verbs an identity can carry: the policed ones, and "check" for
 * `secshim check` (policy.md section 7). */
static bool
verb_is_known (const char *verb)
{
  static const char *const verbs[] = { "create", "run", "restore", "exec", "update", "check" };
  size_t i;
  for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (verb, verbs[i]) == 0)
      return true;
  return false;
}

static int
load_match (struct exemption *e, struct json_value *match, bool trust_annotations, const char *where,
            secshim_error_t *err)
{
  cleanup_free char *mwhere = NULL;
  size_t i;

  xasprintf (&mwhere, "%s.match", where);
  if (!json_is (match, JSON_OBJECT) || match->count == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: expected an object with at least one key", mwhere);
  if (take_string (match, mwhere, "containerId", &e->container_id_glob, err) < 0
      || take_abs_path (match, mwhere, "root", &e->root, err) < 0
      || take_abs_path (match, mwhere, "bundlePrefix", &e->bundle_prefix, err) < 0
      || take_strv (match, mwhere, "verbs", &e->verbs, err) < 0)
    return -1;
  for (i = 0; i < e->verbs.n; i++)
    if (!verb_is_known (e->verbs.v[i]))
      return secshim_make_error (err, SECSHIM_ECONFIG,
                                 "%s.verbs[%zu]: `%s` is not one of create, run, restore, "
                                 "exec, update, check",
                                 mwhere, i, e->verbs.v[i]);
  e->annotations = take_raw (match, "annotations");
  if (e->annotations)
    {
      if (!json_is (e->annotations, JSON_OBJECT))
        return secshim_make_error (err, SECSHIM_ECONFIG, "%s.annotations: expected an object", mwhere);
      for (i = 0; i < e->annotations->count; i++)
        if (!json_is (e->annotations->members[i].value, JSON_STRING))
          return secshim_make_error (err, SECSHIM_ECONFIG, "%s.annotations.%s: expected a string", mwhere,
                                     e->annotations->members[i].key);
      if (!trust_annotations)
        return secshim_make_error (err, SECSHIM_ECONFIG,
                                   "%s.annotations: annotations are set by whoever asks for the container "
                                   "(docker/podman --annotation); set \"trustAnnotations\": true only where the "
                                   "engine (containerd CRI, CRI-O) sets them after user input",
                                   mwhere);
    }
  /* "verbs" narrows a match; alone it would exempt every container. */
  if (!e->container_id_glob && !e->root && !e->bundle_prefix && !e->annotations)
    return secshim_make_error (err, SECSHIM_ECONFIG,
                               "%s: name at least one of containerId, root, bundlePrefix, annotations", mwhere);
  return settings_no_leftovers (match, mwhere, err);
}

static int
load_one (struct exemption *e, struct json_value *obj, size_t index, secshim_error_t *err)
{
  cleanup_free char *where = NULL;
  cleanup_with (json_free) struct json_value *match = NULL;
  bool trust = false;
  size_t i;

  xasprintf (&where, "exemptions[%zu]", index);
  if (!json_is (obj, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: expected an object", where);
  if (take_strv (obj, where, "rules", &e->rules, err) < 0 || take_string (obj, where, "reason", &e->reason, err) < 0
      || take_bool (obj, where, "trustAnnotations", &trust, err) < 0)
    return -1;
  if (e->rules.n == 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.rules: name at least one rule", where);
  for (i = 0; i < e->rules.n; i++)
    if (!rule_exists (e->rules.v[i]))
      return secshim_make_error (err, SECSHIM_ECONFIG, "%s.rules[%zu]: unknown rule `%s`", where, i, e->rules.v[i]);
  if (e->reason == NULL || e->reason[0] == '\0')
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.reason: an exemption must say why", where);
  match = take_raw (obj, "match");
  if (match == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.match: missing", where);
  if (load_match (e, match, trust, where, err) < 0)
    return -1;
  return settings_no_leftovers (obj, where, err);
}

int
exemptions_load (struct policy *p, struct json_value *list, secshim_error_t *err)
{
  size_t i;
  if (list == NULL)
    return 0;
  if (!json_is (list, JSON_ARRAY))
    return secshim_make_error (err, SECSHIM_ECONFIG, "exemptions: expected an array");
  p->exemptions = xzalloc ((list->count + 1) * sizeof *p->exemptions);
  p->n_exemptions = list->count;
  for (i = 0; i < list->count; i++)
    if (load_one (&p->exemptions[i], list->items[i], i, err) < 0)
      return -1;
  return 0;
}

/* match.annotations, an object of strings: its keys and values in turn. */
static void
pack_annotations (struct pack *k, struct json_value **obj)
{
  struct strv kv = { NULL, 0 };
  size_t i;
  bool present = *obj != NULL;

  pack_bool (k, &present);
  if (!present)
    return;
  if (!k->reading)
    {
      kv.v = xzalloc ((2 * (*obj)->count + 1) * sizeof *kv.v);
      for (i = 0; i < (*obj)->count; i++)
        {
          kv.v[kv.n++] = xstrdup ((*obj)->members[i].key);
          kv.v[kv.n++] = xstrdup ((*obj)->members[i].value->str);
        }
    }
  pack_strv (k, &kv);
  if (k->reading && !k->bad)
    {
      if (kv.n % 2 != 0)
        pack_fail (k);
      else
        {
          *obj = json_new_object ();
          for (i = 0; i < kv.n; i += 2)
            json_set (*obj, kv.v[i], json_new_string (kv.v[i + 1]));
        }
    }
  strv_free (&kv);
}

void
exemptions_pack (struct pack *k, struct policy *p)
{
  size_t i;
  pack_array (k, (void **) &p->exemptions, &p->n_exemptions, sizeof *p->exemptions);
  for (i = 0; i < p->n_exemptions && !k->bad; i++)
    {
      struct exemption *e = &p->exemptions[i];
      pack_strv (k, &e->rules);
      pack_str (k, &e->reason);
      pack_str (k, &e->container_id_glob);
      pack_str (k, &e->root);
      pack_str (k, &e->bundle_prefix);
      pack_strv (k, &e->verbs);
      pack_annotations (k, &e->annotations);
    }
}

void
exemptions_free (struct exemption *e, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    {
      strv_free (&e[i].rules);
      strv_free (&e[i].verbs);
      free (e[i].reason);
      free (e[i].container_id_glob);
      free (e[i].root);
      free (e[i].bundle_prefix);
      json_free (e[i].annotations);
    }
  free (e);
}

static bool
annotations_match (const struct exemption *e, const struct json_value *doc)
{
  const struct json_value *have = json_get (doc, "annotations");
  size_t i;
  for (i = 0; i < e->annotations->count; i++)
    {
      const char *want = e->annotations->members[i].value->str;
      const char *got = json_string (json_get (have, e->annotations->members[i].key));
      if (got == NULL || fnmatch (want, got, 0) != 0)
        return false;
    }
  return true;
}

static bool
path_has_prefix (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);
  return path && strncmp (path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/' || prefix[n - 1] == '/');
}

static bool
matches (const struct exemption *e, const struct identity *id, const struct json_value *doc)
{
  if (e->container_id_glob && (id->container_id == NULL || fnmatch (e->container_id_glob, id->container_id, 0) != 0))
    return false;
  if (e->root && !str_equal (e->root, id->root))
    return false;
  if (e->bundle_prefix && !path_has_prefix (id->bundle, e->bundle_prefix))
    return false;
  if (e->verbs.n > 0 && (id->verb == NULL || !strv_contains (&e->verbs, id->verb)))
    return false;
  if (e->annotations && !annotations_match (e, doc))
    return false;
  return true;
}

const struct exemption *
exemption_find (const struct policy *p, const char *rule, const struct identity *id, const struct json_value *doc)
{
  size_t i;
  for (i = 0; i < p->n_exemptions; i++)
    if (strv_contains (&p->exemptions[i].rules, rule) && matches (&p->exemptions[i], id, doc))
      return &p->exemptions[i];
  return NULL;
}
