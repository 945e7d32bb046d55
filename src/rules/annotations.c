/* Rule "annotations": annotations that runtimes act on are refused.
 *
 * runc lists "bundle" (hijacks inline exec: SearchLabels is first-match),
 * "org.systemd.property.*" (arbitrary systemd unit properties with
 * --systemd-cgroup, CVE-2024-3154) and "org.criu.config" (a CRIU config
 * file on the host) as potentially unsafe; crun acts on "run.oci.*"
 * (seccomp receivers, hooks' stdio, handlers, keep_original_groups).  A key
 * containing '=' is refused too: runc stores annotations as "k=v" labels and
 * cuts at the first '='.  "allow" lists prefixes the host trusts anyway. */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct annotations_state
{
  struct strv deny;  /* exact keys, or prefixes when ending in '.' */
  struct strv allow; /* same syntax; wins over deny */
};

static void
free_annotations (void *p)
{
  struct annotations_state *s = p;
  strv_free (&s->deny);
  strv_free (&s->allow);
  free (s);
}

static int
load_annotations (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct annotations_state *s = xzalloc (sizeof *s);
  if (take_strv (settings, "rules.annotations", "deny", &s->deny, err) < 0
      || take_strv (settings, "rules.annotations", "allow", &s->allow, err) < 0)
    {
      free_annotations (s);
      return -1;
    }
  *state = s;
  return 0;
}

static bool
matches_any (const struct strv *list, const char *key)
{
  size_t i;
  for (i = 0; i < list->n; i++)
    {
      const char *e = list->v[i];
      size_t n = strlen (e);
      if (n > 0 && e[n - 1] == '.' ? strncmp (key, e, n) == 0 : strcmp (key, e) == 0)
        return true;
    }
  return false;
}

struct annotation_walk
{
  struct eval_ctx *ctx;
  const struct annotations_state *s;
  bool remove;
};

/* json_object_retain callback: one pass, linear in the map. */
static bool
keep_annotation (struct json_member *m, size_t index, void *data)
{
  struct annotation_walk *w = data;
  cleanup_free char *path = NULL;
  const char *why = NULL;
  (void) index;

  if (strchr (m->key, '='))
    why = "contains '=' (runc stores annotations as k=v labels)";
  else if (matches_any (&w->s->deny, m->key) && !matches_any (&w->s->allow, m->key))
    why = "is acted on by the runtime and is not allowed by the policy";
  if (why == NULL)
    return true;
  xasprintf (&path, "annotations.%s", m->key);
  if (w->remove)
    {
      eval_report (w->ctx, path, m->value, NULL, "removed annotation %s: it %s", m->key, why);
      return false;
    }
  eval_report (w->ctx, path, m->value, NULL, "annotation %s %s", m->key, why);
  return true;
}

static int
check_annotations (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  struct annotation_walk w = { ctx, state, eval_action (ctx) == ACTION_REWRITE };
  json_object_retain (json_get (ctx->doc, "annotations"), keep_annotation, &w);
  return 0;
}

static void
pack_annotations (struct pack *k, void **state)
{
  struct annotations_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->deny);
  pack_strv (k, &s->allow);
}

const struct rule_ops rule_annotations = {
  .name = "annotations",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_annotations,
  .free_state = free_annotations,
  .pack = pack_annotations,
  .check = check_annotations,
};
