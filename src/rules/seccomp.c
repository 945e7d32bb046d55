/* Rule "seccomp": every container gets a filter that blocks the dangerous
 * families, resolved for its final capability set (docs/seccomp.md).
 *
 *   "seccomp": { "action": "rewrite",
 *                "profile": "seccomp/default.json",
 *                "dangerous": { "unshare": ["CAP_SYS_ADMIN"], "keyctl": [] },
 *                "allowListeners": ["/run/seccomp-agent.sock"],
 *                "allowFlags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"] }
 *
 * Runs last (src/policy/rules.c): the capability rule has already fixed
 * process.capabilities.bounding, which decides the conditional entries.
 *
 * The profile is only needed to inject it (a document without a filter
 * worth the name) and to validate it (a full load, `secshim check`): the
 * strength check of a document's own profile needs only the dangerous
 * list.  Load therefore reads the file (its bytes key the compiled policy)
 * and parsing it (about a third of a create) waits for the first use in
 * the process (profile_source). */
#include <string.h>

#include <seccomp.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/seccomp.h"
#include "secshim/settings.h"
#include "secshim/util.h"

#include "datafile.h"

#define WHERE "rules.seccomp"
#define DEFAULT_PROFILE "seccomp/default.json"
#define PROFILE_MAX_BYTES ((size_t) 1024 * 1024) /* as seccomp_source_load_file's */

/* The policy's profile.  check and validate get the state const; what
 * first use fills in lives behind this pointer. */
struct profile
{
  struct data_file file;      /* read at load */
  struct seccomp_source *src; /* parsed on first use, NULL before */
  bool validated;             /* names and self check passed in this process */
};

struct seccomp_state
{
  struct profile *profile;
  struct seccomp_dangerous_list dangerous;
  struct strv listeners;
  struct strv flags;
};

static void
seccomp_state_free (void *p)
{
  struct seccomp_state *st = p;
  if (st == NULL)
    return;
  if (st->profile)
    {
      data_file_release (&st->profile->file);
      seccomp_source_free (st->profile->src);
      free (st->profile);
    }
  seccomp_dangerous_free (&st->dangerous);
  strv_free (&st->listeners);
  strv_free (&st->flags);
  free (st);
}

static void
seccomp_state_freep (struct seccomp_state **p)
{
  seccomp_state_free (*p);
}

static int
load_listeners (struct json_value *settings, struct strv *out, secshim_error_t *err)
{
  size_t i;
  if (take_strv (settings, WHERE, "allowListeners", out, err) < 0)
    return -1;
  for (i = 0; i < out->n; i++)
    if (out->v[i][0] != '/')
      return secshim_make_error (err, SECSHIM_ECONFIG, WHERE ".allowListeners[%zu]: `%s` is not an absolute path", i,
                                 out->v[i]);
  return 0;
}

static int
load_flags (struct json_value *settings, struct strv *out, secshim_error_t *err)
{
  static const char *const defaults[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
  };
  struct json_value *raw = json_get (settings, "allowFlags");
  size_t i;

  if (raw == NULL)
    {
      out->n = sizeof defaults / sizeof defaults[0];
      out->v = xzalloc ((out->n + 1) * sizeof (char *));
      for (i = 0; i < out->n; i++)
        out->v[i] = xstrdup (defaults[i]);
      return 0;
    }
  if (take_strv (settings, WHERE, "allowFlags", out, err) < 0)
    return -1;
  for (i = 0; i < out->n; i++)
    if (!seccomp_flag_known (out->v[i]))
      return secshim_make_error (err, SECSHIM_ECONFIG, WHERE ".allowFlags[%zu]: unknown flag `%s`", i, out->v[i]);
  return 0;
}

static int
seccomp_rule_load (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  __attribute__ ((cleanup (seccomp_state_freep))) struct seccomp_state *st = xzalloc (sizeof *st);
  cleanup_free char *profile = NULL, *path = NULL;
  cleanup_with (json_free) struct json_value *dangerous = NULL;

  st->profile = xzalloc (sizeof *st->profile);

  if (take_string (settings, WHERE, "profile", &profile, err) < 0)
    return -1;
  if (profile == NULL)
    profile = xstrdup (DEFAULT_PROFILE);
  if (profile[0] == '/')
    path = xstrdup (profile);
  else if (policy_dir == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, WHERE ".profile: `%s` is relative and the policy has no directory",
                               profile);
  else
    xasprintf (&path, "%s/%s", policy_dir, profile);

  dangerous = take_raw (settings, "dangerous");
  if (dangerous == NULL)
    seccomp_dangerous_default (&st->dangerous);
  else if (seccomp_dangerous_parse (dangerous, WHERE ".dangerous", &st->dangerous, err) < 0)
    return -1;
  if (load_listeners (settings, &st->listeners, err) < 0 || load_flags (settings, &st->flags, err) < 0)
    return -1;

  /* Read and check the file now, so that a missing profile, or one that is
   * not a regular file, is a policy error at load; parsing it waits for
   * profile_source. */
  if (data_file_open (path, PROFILE_MAX_BYTES, &st->profile->file, err) < 0)
    {
      secshim_error_wrap (err, "seccomp profile");
      return secshim_error_wrap (err, WHERE ".profile");
    }
  *state = steal_pointer (&st);
  return 0;
}

/* Every syscall name of the profile on every architecture it maps, and no
 * dangerous call allowed by the profile alone: a typo or a hole is a policy
 * error, never a silently skipped rule at container start. */
static int
validate_source (struct profile *pf, const struct seccomp_dangerous_list *dangerous, secshim_error_t *err)
{
  if (seccomp_source_check_names (pf->src, err) < 0 || seccomp_source_self_check (pf->src, dangerous, err) < 0)
    {
      /* Never left in place for a later call to use unvalidated. */
      seccomp_source_free (steal_pointer (&pf->src));
      return -1;
    }
  pf->validated = true;
  return 0;
}

/* The parsed profile, on its first use in the process; validate: run the
 * name check and the self check too (seccomp_validate).  Without validate,
 * the policy came from its compiled entry, made by a load that validated
 * these very bytes (the entry keys them by content).  Errors name the
 * profile; they refuse the container that needed it (fail closed). */
static int
profile_source (const struct seccomp_state *st, bool validate, const struct seccomp_source **out, secshim_error_t *err)
{
  struct profile *pf = st->profile;

  if (pf->src == NULL
      && seccomp_source_load_bytes_unchecked (pf->file.bytes, pf->file.len, pf->file.path, &pf->src, err) < 0)
    return secshim_error_wrap (err, WHERE ".profile");
  if (validate && !pf->validated && validate_source (pf, &st->dangerous, err) < 0)
    return secshim_error_wrap (err, WHERE ".profile");
  *out = pf->src;
  return 0;
}

static int
seccomp_validate (const void *state, secshim_error_t *err)
{
  const struct seccomp_source *src;
  return profile_source (state, true, &src, err);
}

/* The dangerous list: names and capabilities; its index is built again
 * (seccomp_dangerous_index), not trusted from the entry. */
static void
pack_dangerous (struct pack *k, struct seccomp_dangerous_list *l)
{
  size_t i;

  pack_array (k, (void **) &l->v, &l->n, sizeof *l->v);
  if (k->reading)
    l->borrowed = true;
  for (i = 0; i < l->n && !k->bad; i++)
    {
      pack_str_borrowed (k, &l->v[i].name);
      pack_strv (k, &l->v[i].caps);
      if (k->reading && l->v[i].name == NULL)
        pack_fail (k);
    }
  if (k->reading && !k->bad)
    seccomp_dangerous_index (l);
}

static void
seccomp_pack (struct pack *k, void **state)
{
  struct seccomp_state *st = pack_state (k, state, sizeof *st);
  const struct scmp_version *v = seccomp_version ();
  char lib[64];

  /* Name resolution depends on libseccomp's tables too: a shared
   * libseccomp can be upgraded under an unchanged secshim. */
  snprintf (lib, sizeof lib, "libseccomp %u.%u.%u", v->major, v->minor, v->micro);
  pack_expect_str (k, lib);
  if (k->reading)
    st->profile = xzalloc (sizeof *st->profile);
  data_file_pack (k, &st->profile->file);
  pack_dangerous (k, &st->dangerous);
  pack_strv (k, &st->listeners);
  pack_strv (k, &st->flags);
}

static void
report_problems (struct eval_ctx *ctx, const struct seccomp_problems *problems, bool fixed)
{
  size_t i;
  for (i = 0; i < problems->n; i++)
    eval_report (ctx, problems->v[i].path, NULL, NULL, "%s%s", problems->v[i].message, fixed ? " (removed)" : "");
}

/* No filter worth the name: put the policy's profile in its place. */
static int
inject (struct eval_ctx *ctx, const struct seccomp_state *st, const struct json_value *current, const char *why,
        const struct json_value *bounding, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *resolved = NULL;
  cleanup_with (json_free) struct json_value *before = current ? json_clone (current) : NULL;
  struct seccomp_problems problems = { NULL, 0 };
  struct seccomp_check_opts opts = { &st->dangerous, &st->listeners, &st->flags, bounding };
  const struct seccomp_source *src = NULL;
  struct json_value *linux_obj;

  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, "linux.seccomp", current, NULL, "%s: the policy requires a seccomp filter", why);
      return 0;
    }
  if (profile_source (st, false, &src, err) < 0 || seccomp_source_resolve (src, NULL, bounding, &resolved, err) < 0)
    return -1;
  /* Belt and braces: a source whose conditions grant a dangerous call on
   * another capability than the one the check expects loses it here. */
  seccomp_check_profile (resolved, &opts, true, &problems);
  linux_obj = json_get_or_add_object (ctx->doc, "linux");
  if (linux_obj == NULL)
    {
      seccomp_problems_free (&problems);
      return secshim_make_error (err, SECSHIM_EINPUT, "linux: expected an object");
    }
  json_set (linux_obj, "seccomp", steal_pointer (&resolved));
  eval_report (ctx, "linux.seccomp", before, json_get (linux_obj, "seccomp"),
               "%s: replaced with the policy's profile (%zu rules)", why,
               json_get (json_get (linux_obj, "seccomp"), "syscalls")->count);
  report_problems (ctx, &problems, true);
  seccomp_problems_free (&problems);
  return 0;
}

static int
seccomp_check (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct seccomp_state *st = state;
  const struct json_value *bounding = json_get_path (ctx->doc, "process.capabilities.bounding");
  struct json_value *current = json_get_path (ctx->doc, "linux.seccomp");
  struct seccomp_problems problems = { NULL, 0 };
  struct seccomp_check_opts opts = { &st->dangerous, &st->listeners, &st->flags, bounding };
  const char *why = NULL;
  bool fix;

  if (ctx->kind != DOC_CONFIG)
    return 0;
  if (seccomp_profile_is_weak (current, &why))
    return inject (ctx, st, current, why, bounding, err);

  fix = eval_action (ctx) == ACTION_REWRITE;
  seccomp_check_profile (current, &opts, fix, &problems);
  report_problems (ctx, &problems, fix);
  seccomp_problems_free (&problems);
  return 0;
}

const struct rule_ops rule_seccomp = {
  .name = "seccomp",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = seccomp_rule_load,
  .free_state = seccomp_state_free,
  .check = seccomp_check,
  .validate = seccomp_validate,
  .pack = seccomp_pack,
};
