/* Rule "process": fields of the process that reach the host.
 *
 *  - cwd under /proc, /sys or /dev/fd (after lexical normalisation: "//proc",
 *    "/proc/./self", "/a/../proc", "/proc/thread-self/fd") is refused: a cwd
 *    of /proc/self/fd/N walked a leaked host fd in CVE-2024-21626.
 *  - env entries with a newline or carriage return (CVE-2022-4318: HOME
 *    injected a line into /etc/passwd), without "=" or with an empty name
 *    are refused.  NUL cannot occur: the JSON loader refuses it.
 *  - oomScoreAdj below the floor (default 0) is raised to the floor or
 *    refused: runc writes it while still privileged, so -1000 makes the
 *    container immune to the OOM killer at the host's expense.  With
 *    oomScoreAdjEngine, a value below the floor that is not below the
 *    engine's own score (inherited by secshim: containerd's shim runs at
 *    containerd's + 1) is kept: kubelet gives pause containers -998 and
 *    Guaranteed pods -997, and a container as protected as its shim still
 *    dies before the engine and the node agents.
 *  - apparmorProfile is rule apparmor's (its refuseUnconfined setting,
 *    which was this rule's until one rule owned the field).
 *  - real-time scheduling (scheduler.policy SCHED_FIFO/SCHED_RR/
 *    SCHED_DEADLINE, ioPriority.class IOPRIO_CLASS_RT) is refused unless
 *    allowRealtime: it can starve the host.
 *  - optionally, rlimits above per-type ceilings (rlimitsMax) are lowered
 *    to the ceiling or refused.
 *  - inline `runc exec --cwd DIR` replaces the cwd of the exec'd process;
 *    secshim cannot resolve it in the running container the way runc's
 *    chdir will (the CVE-2024-21626 vector), so any --cwd is a finding;
 *    `-e` values holding a newline or carriage return likewise.
 * What rewrite cannot repair (cwd, env, scheduling) refuses under
 * rewrite too.  Applies to config.json and exec's process.json.
 * CIS Docker Benchmark 5.2 (AppArmor opt-out), 5.19 (ulimits);
 * security.md R-CWD, R-ENV, R-OOM, R-SCHED, R-LSM. */
#include <string.h>

#include "common.h"
#include "view.h"
#include "secshim/cli.h"
#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct rlimit_max
{
  char *type;
  uint64_t max;
};

struct process_state
{
  int64_t oom_min;
  bool oom_engine;
  struct strv deny_cwd;
  bool allow_realtime;
  struct rlimit_max *rlimits;
  size_t n_rlimits;
};

static const char *const default_deny_cwd[] = { "/proc", "/sys", "/dev/fd" };

static void
free_process (void *p)
{
  struct process_state *s = p;
  size_t i;
  strv_free (&s->deny_cwd);
  for (i = 0; i < s->n_rlimits; i++)
    free (s->rlimits[i].type);
  free (s->rlimits);
  free (s);
}

static int
load_rlimits (struct process_state *s, struct json_value *settings, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *raw = take_raw (settings, "rlimitsMax");
  size_t i;
  if (raw == NULL)
    return 0;
  if (!json_is (raw, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "rules.process.rlimitsMax: expected an object");
  s->rlimits = xzalloc ((raw->count + 1) * sizeof *s->rlimits);
  for (i = 0; i < raw->count; i++)
    {
      struct rlimit_max *r = &s->rlimits[s->n_rlimits];
      if (!str_has_prefix (raw->members[i].key, "RLIMIT_"))
        return secshim_make_error (err, SECSHIM_ECONFIG, "rules.process.rlimitsMax.%s: not an RLIMIT_* name",
                                   raw->members[i].key);
      if (json_get_u64 (raw->members[i].value, &r->max) < 0)
        return secshim_make_error (err, SECSHIM_ECONFIG, "rules.process.rlimitsMax.%s: expected an unsigned integer",
                                   raw->members[i].key);
      r->type = xstrdup (raw->members[i].key);
      s->n_rlimits++;
    }
  return 0;
}

static int
load_process (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct process_state *s = xzalloc (sizeof *s);
  bool have_deny = false;
  size_t i;
  (void) policy_dir;

  if (json_get (settings, "refuseUnconfined") != NULL)
    {
      secshim_make_error (err, SECSHIM_ECONFIG,
                          "rules.process.refuseUnconfined moved to rules.apparmor.refuseUnconfined (the rule that "
                          "owns apparmorProfile)");
      goto fail;
    }
  have_deny = json_get (settings, "denyCwd") != NULL;
  if (take_i64 (settings, "rules.process", "oomScoreAdjMin", &s->oom_min, err) < 0
      || take_strv (settings, "rules.process", "denyCwd", &s->deny_cwd, err) < 0
      || take_bool (settings, "rules.process", "oomScoreAdjEngine", &s->oom_engine, err) < 0
      || take_bool (settings, "rules.process", "allowRealtime", &s->allow_realtime, err) < 0
      || load_rlimits (s, settings, err) < 0)
    goto fail;
  if (s->oom_min < -1000 || s->oom_min > 1000)
    {
      secshim_make_error (err, SECSHIM_ECONFIG, "rules.process.oomScoreAdjMin: %lld is outside -1000..1000",
                          (long long) s->oom_min);
      goto fail;
    }
  if (!have_deny)
    {
      s->deny_cwd.n = sizeof default_deny_cwd / sizeof default_deny_cwd[0];
      s->deny_cwd.v = xzalloc ((s->deny_cwd.n + 1) * sizeof *s->deny_cwd.v);
      for (i = 0; i < s->deny_cwd.n; i++)
        s->deny_cwd.v[i] = xstrdup (default_deny_cwd[i]);
    }
  for (i = 0; i < s->deny_cwd.n; i++)
    if (s->deny_cwd.v[i][0] != '/')
      {
        secshim_make_error (err, SECSHIM_ECONFIG, "rules.process.denyCwd[%zu]: `%s` is not an absolute path", i,
                            s->deny_cwd.v[i]);
        goto fail;
      }
  *state = s;
  return 0;
fail:
  free_process (s);
  return -1;
}

static bool
path_within (const char *outer, const char *inner)
{
  size_t lo = strlen (outer);
  if (strcmp (outer, "/") == 0)
    return true;
  return strncmp (outer, inner, lo) == 0 && (inner[lo] == '\0' || inner[lo] == '/');
}

/* Where runc's chdir(cwd) after pivot_root lands: securejoin semantics in
 * the rootfs with the config's mounts over it (a symlink in the image to
 * /proc/self, a procfs mounted at /x then cwd /x/self/cwd).  A cwd inside a
 * kernel filesystem is refused, whatever its spelling. */
static void
check_cwd_landing (struct eval_ctx *ctx, const struct json_value *cwd)
{
  struct config_view state_cv = { 0 };
  const struct config_view *cv = &state_cv;
  struct rview_landing l;
  cleanup_free char *path = NULL;
  int rc;

  if (ctx->kind == DOC_CONFIG)
    cv = config_view_shared (ctx); /* the mounts rule judges the same view */
  else if (config_view_build_from_state (ctx, &state_cv) < 0)
    {
      config_view_free (&state_cv);
      return; /* no container to land it in: judged by spelling only */
    }
  rc = rview_resolve (&cv->v, json_string (cwd), &l);
  path = process_field_path (ctx, "cwd");
  if (rc < 0)
    eval_report_unfixable (ctx, path, cwd, "working directory %s cannot be resolved in the rootfs (%s)",
                           json_string (cwd), strerror (-rc));
  else if (l.in_kernel)
    eval_report_unfixable (ctx, path, cwd,
                           "working directory %s lands on %s, inside a kernel filesystem (CVE-2024-21626)",
                           json_string (cwd), l.path);
  free (l.path);
  config_view_free (&state_cv);
}

static void
check_cwd (struct eval_ctx *ctx, const struct process_state *s)
{
  const struct json_value *cwd = json_get (ctx->process, "cwd");
  cleanup_free char *norm = NULL;
  cleanup_free char *path = NULL;
  size_t i;
  if (json_string (cwd) == NULL)
    return;
  norm = path_lexical_normalize (json_string (cwd));
  for (i = 0; i < s->deny_cwd.n; i++)
    {
      cleanup_free char *deny = path_lexical_normalize (s->deny_cwd.v[i]);
      if (!path_within (deny, norm))
        continue;
      path = process_field_path (ctx, "cwd");
      eval_report_unfixable (ctx, path, cwd, "working directory %s is under %s (CVE-2024-21626)", norm, deny);
      return;
    }
  check_cwd_landing (ctx, cwd);
}

static void
check_env (struct eval_ctx *ctx)
{
  const struct json_value *env = json_get (ctx->process, "env");
  size_t i;
  if (!json_is (env, JSON_ARRAY))
    return;
  for (i = 0; i < env->count; i++)
    {
      const struct json_value *e = env->items[i];
      const char *s = json_string (e);
      const char *why = NULL;
      cleanup_free char *sub = NULL;
      cleanup_free char *path = NULL;
      if (s == NULL)
        continue;
      if (memchr (s, '\n', e->len) || memchr (s, '\r', e->len))
        why = "holds a newline or carriage return (CVE-2022-4318)";
      else if (strchr (s, '=') == NULL)
        why = "has no `=`";
      else if (s[0] == '=')
        why = "has an empty name";
      if (why == NULL)
        continue;
      xasprintf (&sub, "env[%zu]", i);
      path = process_field_path (ctx, sub);
      eval_report_unfixable (ctx, path, e, "environment entry %s", why);
    }
}

/* Only asked for a value below the floor.  An engine score that cannot
 * be read leaves the floor as it is: the stricter reading. */
static bool
not_below_engine (const struct eval_ctx *ctx, const struct process_state *s, int64_t v)
{
  int engine;
  if (!s->oom_engine || ctx->host->engine_oom_score_adj == NULL
      || ctx->host->engine_oom_score_adj (ctx->host, &engine) < 0)
    return false;
  return v >= engine;
}

static void
check_oom (struct eval_ctx *ctx, const struct process_state *s)
{
  struct json_value *oom = json_get (ctx->process, "oomScoreAdj");
  cleanup_free char *path = NULL;
  struct json_value *before = NULL;
  int64_t v = 0;
  if (oom == NULL || json_get_i64 (oom, &v) < 0 || v >= s->oom_min || not_below_engine (ctx, s, v))
    return;
  path = process_field_path (ctx, "oomScoreAdj");
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, path, oom, NULL, "oomScoreAdj %lld is below the floor %lld", (long long) v,
                   (long long) s->oom_min);
      return;
    }
  before = json_clone (oom);
  json_set (ctx->process, "oomScoreAdj", json_new_i64 (s->oom_min));
  eval_report (ctx, path, before, json_get (ctx->process, "oomScoreAdj"), "oomScoreAdj %lld raised to the floor %lld",
               (long long) v, (long long) s->oom_min);
  json_free (before);
}

static void
check_realtime (struct eval_ctx *ctx, const struct process_state *s)
{
  static const char *const rt_policies[] = { "SCHED_FIFO", "SCHED_RR", "SCHED_DEADLINE" };
  const struct json_value *pol = json_get_path (ctx->process, "scheduler.policy");
  const struct json_value *cls = json_get_path (ctx->process, "ioPriority.class");
  size_t i;
  if (s->allow_realtime)
    return;
  for (i = 0; i < sizeof rt_policies / sizeof rt_policies[0]; i++)
    if (str_equal (json_string (pol), rt_policies[i]))
      {
        cleanup_free char *path = process_field_path (ctx, "scheduler.policy");
        eval_report_unfixable (ctx, path, pol, "real-time scheduling policy %s can starve the host", rt_policies[i]);
      }
  if (str_equal (json_string (cls), "IOPRIO_CLASS_RT"))
    {
      cleanup_free char *path = process_field_path (ctx, "ioPriority.class");
      eval_report_unfixable (ctx, path, cls, "real-time I/O priority class can starve the host's disks");
    }
}

static void
clamp_rlimit (struct eval_ctx *ctx, struct json_value *r, const char *key, uint64_t max, size_t i)
{
  cleanup_free char *sub = NULL;
  cleanup_free char *path = NULL;
  struct json_value *before = NULL;
  uint64_t v = 0;
  if (json_get_u64 (json_get (r, key), &v) < 0 || v <= max)
    return;
  xasprintf (&sub, "rlimits[%zu].%s", i, key);
  path = process_field_path (ctx, sub);
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, path, json_get (r, key), NULL, "%s %s limit %llu is above the ceiling %llu",
                   json_string (json_get (r, "type")), key, (unsigned long long) v, (unsigned long long) max);
      return;
    }
  before = json_clone (json_get (r, key));
  json_set (r, key, json_new_u64 (max));
  eval_report (ctx, path, before, json_get (r, key), "%s %s limit %llu lowered to the ceiling %llu",
               json_string (json_get (r, "type")), key, (unsigned long long) v, (unsigned long long) max);
  json_free (before);
}

static void
check_rlimits (struct eval_ctx *ctx, const struct process_state *s)
{
  const struct json_value *rl = json_get (ctx->process, "rlimits");
  size_t i, j;
  if (!json_is (rl, JSON_ARRAY))
    return;
  for (i = 0; i < rl->count; i++)
    for (j = 0; j < s->n_rlimits; j++)
      if (str_equal (json_string (json_get (rl->items[i], "type")), s->rlimits[j].type))
        {
          clamp_rlimit (ctx, rl->items[i], "hard", s->rlimits[j].max, i);
          clamp_rlimit (ctx, rl->items[i], "soft", s->rlimits[j].max, i);
        }
}

static void
check_process_flags (struct eval_ctx *ctx, const struct cli_model *m)
{
  size_t i;
  for (i = 0; i < m->n_flags; i++)
    {
      const char *v = m->flags[i].value;
      if (strcmp (m->flags[i].name, "cwd") == 0 && v[0] != '\0')
        eval_report_flag (ctx, "cwd", v,
                          "exec: --cwd is refused: it gives the exec'd process more than the container's init has "
                          "(a working directory secshim cannot resolve in the running container, CVE-2024-21626); "
                          "cd inside the command instead");
      else if (strcmp (m->flags[i].name, "env") == 0 && strpbrk (v, "\n\r"))
        eval_report_flag (ctx, "env", v, "exec: --env values may not contain a newline (CVE-2022-4318)");
    }
}

static int
check_process (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct process_state *s = state;
  (void) err;
  if (ctx->kind == DOC_ARGV)
    {
      if (eval_cli (ctx, VERB_EXEC))
        check_process_flags (ctx, eval_cli (ctx, VERB_EXEC));
      return 0;
    }
  if (ctx->process == NULL)
    {
      /* runc's own precondition, judged like any other field. */
      eval_report_unfixable (ctx, "process", NULL,
                             "process: missing: runc refuses a config without one (\"process property must not be "
                             "empty\")");
      return 0;
    }
  check_cwd (ctx, s);
  check_env (ctx);
  check_oom (ctx, s);
  check_realtime (ctx, s);
  check_rlimits (ctx, s);
  return 0;
}

static void
pack_process (struct pack *k, void **state)
{
  struct process_state *s = pack_state (k, state, sizeof *s);
  size_t i;
  pack_i64 (k, &s->oom_min);
  pack_bool (k, &s->oom_engine);
  pack_strv (k, &s->deny_cwd);
  pack_bool (k, &s->allow_realtime);
  pack_array (k, (void **) &s->rlimits, &s->n_rlimits, sizeof *s->rlimits);
  for (i = 0; i < s->n_rlimits && !k->bad; i++)
    {
      pack_str (k, &s->rlimits[i].type);
      pack_u64 (k, &s->rlimits[i].max);
      if (k->reading && s->rlimits[i].type == NULL)
        pack_fail (k);
    }
}

const struct rule_ops rule_process = {
  .name = "process",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .load = load_process,
  .free_state = free_process,
  .pack = pack_process,
  .check = check_process,
  .judges_missing_process = true,
};
