/* Rule "capabilities": every capability set of the process is limited to
 * the policy's allowlist.
 *
 * All five sets are checked (bounding, effective, permitted, inheritable,
 * ambient): an exec'd process's sets are not bounded by the container's
 * init, so process.json gets the same rule (docker exec --privileged writes
 * the full set there, CIS 5.23).  Inheritable and ambient must be empty
 * unless the policy allows them (CVE-2022-29162, CVE-2022-24769): with them
 * a setuid-less execve keeps capabilities.  rewrite drops what is not
 * allowed (so `--cap-add ALL` is neutralised, not refused); reject refuses.
 *
 * Names: the policy may say "NET_RAW", "net_raw" or "CAP_NET_RAW" (checked
 * and normalised with libcap-ng).  A document must use runc's exact form
 * "CAP_NET_RAW"; any other name is refused whatever the action, because we
 * cannot tell what a runtime would make of it (runc 1.1 ignores unknown
 * names with a warning, crun and future runc versions may know more).
 * CIS Docker Benchmark 5.4, 5.23; PSS baseline/restricted "Capabilities". */
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "secshim/cli.h"
#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

static const char *const cap_sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };

struct caps_state
{
  struct strv allow; /* canonical "CAP_*" names */
  bool allow_inheritable;
  bool allow_ambient;
};

static void
free_caps (void *p)
{
  struct caps_state *s = p;
  strv_free (&s->allow);
  free (s);
}

static int
load_caps (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct caps_state *s = xzalloc (sizeof *s);
  size_t i;
  (void) policy_dir;
  if (take_strv (settings, "rules.capabilities", "allow", &s->allow, err) < 0
      || take_bool (settings, "rules.capabilities", "allowInheritable", &s->allow_inheritable, err) < 0
      || take_bool (settings, "rules.capabilities", "allowAmbient", &s->allow_ambient, err) < 0)
    goto fail;
  for (i = 0; i < s->allow.n; i++)
    {
      char *canon = cap_normalize_policy_name (s->allow.v[i]);
      if (canon == NULL)
        {
          secshim_make_error (err, SECSHIM_ECONFIG, "rules.capabilities.allow[%zu]: unknown capability `%s`", i,
                              s->allow.v[i]);
          goto fail;
        }
      free (s->allow.v[i]);
      s->allow.v[i] = canon;
    }
  *state = s;
  return 0;
fail:
  free_caps (s);
  return -1;
}

/* The allowlist by number (bit n: capability n).  A document name is
 * known only when it is in the table cap_document_name keeps, so an
 * allowed name outside that table could not match one anyway. */
static uint64_t
allow_mask (const struct caps_state *s)
{
  uint64_t mask = 0;
  size_t i;
  for (i = 0; i < s->allow.n; i++)
    {
      int cap;
      if (cap_document_name (s->allow.v[i], &cap) != NULL)
        mask |= UINT64_C (1) << cap;
    }
  return mask;
}

/* What a set may hold: the allowlist, or nothing for inheritable and
 * ambient unless the policy allows them. */
static uint64_t
set_allowed (const struct caps_state *s, const char *set, uint64_t allow)
{
  if (strcmp (set, "inheritable") == 0 && !s->allow_inheritable)
    return 0;
  if (strcmp (set, "ambient") == 0 && !s->allow_ambient)
    return 0;
  return allow;
}

/* Append ", name" (or just name to an empty list), in place. */
/* The names a message lists, built in linear time: each name is appended
 * once (a document may repeat CAP_SYS_ADMIN 65536 times: the old
 * strlen-and-realloc per name was quadratic), at most NAMES_SHOWN of them,
 * the rest counted ("and 12 more"), so the message stays short. */
#define NAMES_SHOWN 48

struct name_list
{
  struct strbuf text;
  const char *seen[NAMES_SHOWN];
  size_t n_seen, more;
};

static void
name_list_add (struct name_list *l, const char *name)
{
  size_t i, n = strlen (name);
  for (i = 0; i < l->n_seen; i++)
    if (strcmp (l->seen[i], name) == 0)
      return;
  if (l->n_seen == NAMES_SHOWN)
    {
      l->more++;
      return;
    }
  if (l->text.len)
    strbuf_append (&l->text, ", ", 2, 256);
  l->seen[l->n_seen++] = name;
  strbuf_append (&l->text, name, n, 256);
}

/* The list as text (malloc'd), or NULL when empty. */
static char *
name_list_take (struct name_list *l)
{
  char *out;
  if (l->n_seen == 0)
    return NULL;
  if (l->more)
    {
      xasprintf (&out, "%s, and %zu more", l->text.buf, l->more);
      free (l->text.buf);
      return out;
    }
  return l->text.buf;
}

/* Free an array whose items it borrowed, not the items. */
static void
drop_borrowed (struct json_value *kept)
{
  if (kept == NULL)
    return;
  kept->count = 0;
  json_free (kept);
}

/* Leave in arr only the items kept borrowed from it (a subsequence of arr,
 * in order, each node once), freeing the others, then drop kept. */
static void
keep_borrowed (struct json_value *arr, struct json_value *kept)
{
  size_t i, j = 0;
  for (i = 0; i < arr->count; i++)
    if (j < kept->count && arr->items[i] == kept->items[j])
      arr->items[j++] = arr->items[i];
    else
      json_free (arr->items[i]);
  arr->count = j;
  drop_borrowed (kept);
}

/* Judge one set.  same: 1 + the index of the finding an earlier set with
 * equal names and the same allowed mask recorded (0: none), whose
 * rendered values this one's are; *reported: 1 + the index of this set's
 * own finding about denied names, 0 when there is none. */
static int
check_set (struct eval_ctx *ctx, const struct caps_state *s, uint64_t allow, struct json_value *caps, const char *set,
           size_t same, size_t *reported)
{
  cleanup_free char *sub = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *unknown = NULL;
  cleanup_free char *denied = NULL;
  struct json_value *arr = json_get (caps, set);
  struct json_value *kept = NULL;
  bool rewrite = eval_action (ctx) == ACTION_REWRITE;
  uint64_t allowed;
  size_t i;

  if (!json_is (arr, JSON_ARRAY) || arr->count == 0)
    return 0;
  allowed = set_allowed (s, set, allow);
  {
    /* seen[] points into the document and into the static name table.
     * What a rewrite keeps is collected from the first denied name on (all
     * before it were allowed), and only while no name is unknown: an
     * unknown name is refused, not rewritten.  kept borrows arr's items
     * (no copies): it is only rendered, then arr keeps them in place. */
    struct name_list u = { 0 }, d = { 0 };
    for (i = 0; i < arr->count; i++)
      {
        const char *name = json_string (arr->items[i]);
        int cap = -1;
        const char *canon = name ? cap_document_name (name, &cap) : NULL;
        if (canon == NULL)
          name_list_add (&u, name ? name : "(not a string)");
        else if (!(allowed & (UINT64_C (1) << cap)))
          {
            name_list_add (&d, canon);
            if (rewrite && kept == NULL && u.n_seen == 0)
              {
                size_t j;
                kept = json_new_array ();
                for (j = 0; j < i; j++)
                  json_array_append (kept, arr->items[j]);
              }
          }
        else if (kept != NULL)
          json_array_append (kept, arr->items[i]);
      }
    unknown = name_list_take (&u);
    denied = name_list_take (&d);
  }
  if (unknown == NULL && denied == NULL)
    return 0;
  xasprintf (&sub, "capabilities.%s", set);
  path = process_field_path (ctx, sub);
  if (unknown)
    eval_report_unfixable (ctx, path, arr, "unknown capability name(s) in %s: %s", set, unknown);
  if (denied == NULL)
    return 0;
  if (!rewrite || unknown)
    {
      drop_borrowed (kept);
      if (same)
        eval_report_rendered (ctx, path, ctx->findings->v[same - 1].before, NULL,
                              "%s holds capabilities outside the allowlist: %s", set, denied);
      else
        eval_report (ctx, path, arr, NULL, "%s holds capabilities outside the allowlist: %s", set, denied);
      *reported = ctx->findings->n;
      return 0;
    }
  /* Recorded before arr loses the denied names: the finding renders both
   * now. */
  if (same)
    eval_report_rendered (ctx, path, ctx->findings->v[same - 1].before, ctx->findings->v[same - 1].after,
                          "dropped from %s (not in the allowlist): %s", set, denied);
  else
    eval_report (ctx, path, arr, kept, "dropped from %s (not in the allowlist): %s", set, denied);
  *reported = ctx->findings->n;
  keep_borrowed (arr, kept);
  return 0;
}

/* Inline `runc exec --cap X` appends X to every set of the exec'd process,
 * ambient included, on top of what config.json gave the container's init:
 * capabilities of an exec'd process are not bounded by the init's, so any
 * --cap widens the container. */
static void
check_cap_flags (struct eval_ctx *ctx, const struct cli_model *m)
{
  size_t i;
  for (i = 0; i < m->n_flags; i++)
    if (strcmp (m->flags[i].name, "cap") == 0)
      eval_report_flag (ctx, "cap", m->flags[i].value,
                        "exec: --cap is refused: it gives the exec'd process more than the container's init has "
                        "(%.64s); add it to the container's capabilities instead",
                        m->flags[i].value);
}

static int
check_caps (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct caps_state *s = state;
  struct json_value *caps = json_get (ctx->process, "capabilities");
  enum
  {
    NSETS = sizeof cap_sets / sizeof cap_sets[0]
  };
  size_t same_as[NSETS] = { 0 }, reported[NSETS] = { 0 };
  uint64_t allow;
  size_t i, j;
  (void) err;

  if (ctx->kind == DOC_ARGV)
    {
      if (eval_cli (ctx, VERB_EXEC))
        check_cap_flags (ctx, eval_cli (ctx, VERB_EXEC));
      return 0;
    }
  if (!json_is (caps, JSON_OBJECT))
    return 0;
  allow = allow_mask (s);
  /* Docker writes the same list to bounding, effective and permitted: a
   * set equal to an earlier one (before either is rewritten) and allowed
   * the same gets the same verdict, and its finding the values that one
   * rendered (same_as: 1 + the earlier set). */
  for (i = 0; i < NSETS; i++)
    {
      const struct json_value *a = json_get (caps, cap_sets[i]);
      if (!json_is (a, JSON_ARRAY) || a->count == 0)
        continue;
      for (j = 0; j < i && same_as[i] == 0; j++)
        if (set_allowed (s, cap_sets[i], allow) == set_allowed (s, cap_sets[j], allow)
            && json_equal (a, json_get (caps, cap_sets[j])))
          same_as[i] = j + 1;
    }
  for (i = 0; i < NSETS; i++)
    check_set (ctx, s, allow, caps, cap_sets[i], same_as[i] ? reported[same_as[i] - 1] : 0, &reported[i]);
  return 0;
}

static void
pack_capabilities (struct pack *k, void **state)
{
  struct caps_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->allow);
  pack_bool (k, &s->allow_inheritable);
  pack_bool (k, &s->allow_ambient);
}

const struct rule_ops rule_capabilities = {
  .name = "capabilities",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .load = load_caps,
  .free_state = free_caps,
  .pack = pack_capabilities,
  .check = check_caps,
};
