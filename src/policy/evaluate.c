/* Evaluation: document x policy x host -> findings, rewrites applied in
 * place.  No I/O here except through struct host. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/exemption.h"
#include "secshim/policy.h"
#include "secshim/resolve.h"
#include "secshim/util.h"

/* Findings render values short: enough to recognise, never a whole profile. */
#define RENDER_MAX 200

enum action
eval_action (const struct eval_ctx *ctx)
{
  /* An exempted rule still runs, so the audit log shows what it would have
   * done, but it changes nothing and refuses nothing. */
  if (ctx->exemption)
    return ACTION_AUDIT;
  return ctx->rule->action;
}

/* A new finding for the current rule, its message formatted; before and
 * after are the caller's to fill. */
static struct finding *
add_finding (struct eval_ctx *ctx, enum action action, const char *path, const char *fmt, va_list ap)
{
  struct findings *f = ctx->findings;
  struct finding *n;

  if (f->n == f->cap)
    {
      f->cap = f->cap ? f->cap * 2 : 8;
      f->v = xreallocarray (f->v, f->cap, sizeof *f->v);
    }
  n = &f->v[f->n++];
  memset (n, 0, sizeof *n);
  n->rule = ctx->rule->ops->name;
  n->path = xstrdup (path);
  n->action = action;
  n->exempted = ctx->exemption != NULL;
  xvasprintf (&n->message, fmt, ap);
  return n;
}

char *
eval_render (const struct eval_ctx *ctx, const struct json_value *v)
{
  return v ? json_render_short (v, ctx->findings->full_values ? SIZE_MAX : RENDER_MAX) : NULL;
}

static void
report_v (struct eval_ctx *ctx, enum action action, const char *path, const struct json_value *before,
          const struct json_value *after, const char *fmt, va_list ap)
{
  struct finding *n = add_finding (ctx, action, path, fmt, ap);

  n->before = eval_render (ctx, before);
  n->after = eval_render (ctx, after);
}

void
eval_report_rendered (struct eval_ctx *ctx, const char *path, const char *before, const char *after, const char *fmt,
                      ...)
{
  va_list ap;
  struct finding *n;

  va_start (ap, fmt);
  n = add_finding (ctx, ctx->rule->action, path, fmt, ap);
  va_end (ap);
  n->before = before ? xstrdup (before) : NULL;
  n->after = after ? xstrdup (after) : NULL;
}

void
eval_report (struct eval_ctx *ctx, const char *path, const struct json_value *before, const struct json_value *after,
             const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report_v (ctx, ctx->rule->action, path, before, after, fmt, ap);
  va_end (ap);
}

void
eval_report_as (struct eval_ctx *ctx, enum action action, const char *path, const struct json_value *before,
                const struct json_value *after, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report_v (ctx, action, path, before, after, fmt, ap);
  va_end (ap);
}

/* Every rule that applies to the document, in order. */
static int
evaluate_rules (struct eval_ctx *ctx, bool *refused, secshim_error_t *err)
{
  const struct policy *p = ctx->policy;
  struct findings *out = ctx->findings;
  enum doc_kind kind = ctx->kind;
  bool no_process, judged = false;
  size_t i;

  /* DOC_ARGV: the rules judge flags, not a document; the empty object
   * stands for a process so that a rule never meets a NULL one. */
  ctx->process = kind == DOC_CONFIG ? json_get (ctx->doc, "process") : ctx->doc;
  /* runc's loadSpec refuses a config whose process is missing or null
   * ("process property must not be empty").  Rule process judges that; the
   * other rules do not run, rather than invent a process object, which
   * could not be done the same way twice.  Without rule process it stays
   * an error: nothing judged the document. */
  no_process = kind == DOC_CONFIG && !json_is (ctx->process, JSON_OBJECT);
  if (no_process)
    ctx->process = NULL;
  for (i = 0; i < p->n_rules; i++)
    {
      const struct rule_config *rc = &p->rules[i];
      if (!(rc->ops->doc_kinds & (unsigned) kind) || (no_process && !rc->ops->judges_missing_process))
        continue;
      judged = true;
      ctx->rule = rc;
      ctx->exemption = exemption_find (p, rc->ops->name, ctx->id, ctx->doc);
      if (rc->ops->check (ctx, rc->state, err) < 0)
        return secshim_error_wrap (err, "rule %s", rc->ops->name);
      /* A rule may have created the process object (config without one). */
      if (kind == DOC_CONFIG)
        ctx->process = json_get (ctx->doc, "process");
    }
  if (no_process && !judged)
    return secshim_make_error (err, SECSHIM_EINPUT, "process: missing (runc refuses a config without a process)");
  *refused = false;
  for (i = 0; i < out->n; i++)
    if (out->v[i].action == ACTION_REJECT && !out->v[i].exempted)
      *refused = true;
  return 0;
}

int
policy_evaluate (const struct policy *p, struct json_value *doc, enum doc_kind kind, const struct host *host,
                 const struct identity *id, struct findings *out, bool *refused, secshim_error_t *err)
{
  /* The rules resolve the same host paths many times over (every mount
   * source, every denied path and their common prefixes, from the root);
   * one evaluation judges one file system, so each answer is asked once.
   * The copy carries the memo; the caller's host is left as it was. */
  struct host memo_host = *host;
  struct eval_ctx ctx = {
    .doc = doc,
    .kind = kind,
    .policy = p,
    .host = &memo_host,
    .id = id,
    .findings = out,
  };
  int rc;

  memo_host.memo = host_memo_new ();
  rc = evaluate_rules (&ctx, refused, err);
  if (ctx.view_cache_free)
    ctx.view_cache_free (ctx.view_cache);
  host_memo_free (memo_host.memo);
  return rc;
}

void
eval_defer_apparmor (struct eval_ctx *ctx, const char *profile, const char *text, size_t len)
{
  struct findings *f = ctx->findings;
  struct host_step *st;
  f->steps = xreallocarray (f->steps, f->n_steps + 1, sizeof *f->steps);
  st = &f->steps[f->n_steps++];
  st->rule = ctx->rule->ops->name;
  st->apparmor_profile = xstrdup (profile);
  st->text = text ? xstrndup (text, len) : NULL;
  st->len = len;
}

int
policy_apply (const struct findings *f, const struct host *host, secshim_error_t *err)
{
  size_t i;
  for (i = 0; i < f->n_steps; i++)
    {
      const struct host_step *st = &f->steps[i];
      if (host->apparmor_ensure == NULL)
        return secshim_make_error (err, SECSHIM_EINPUT, "rule %s: this host cannot load AppArmor profile `%s`",
                                   st->rule, st->apparmor_profile);
      if (host->apparmor_ensure (host, st->apparmor_profile, st->text, st->len, err) < 0)
        return secshim_error_wrap (err, "rule %s", st->rule);
    }
  return 0;
}

void
findings_free (struct findings *f)
{
  size_t i;
  for (i = 0; i < f->n; i++)
    {
      free (f->v[i].path);
      free (f->v[i].message);
      free (f->v[i].before);
      free (f->v[i].after);
    }
  for (i = 0; i < f->n_steps; i++)
    {
      free (f->steps[i].apparmor_profile);
      free (f->steps[i].text);
    }
  free (f->steps);
  free (f->v);
  memset (f, 0, sizeof *f);
}

char *
findings_refusal_message (const struct findings *f)
{
  /* One pass into a buffer (appending to a copy per finding was quadratic
   * in the number of findings), and short: the line reaches the person who
   * typed `docker run`; every finding is in the audit record and in
   * `secshim check`. */
  enum
  {
    MESSAGE_BUDGET = 900
  };
  struct strbuf b = { 0 };
  size_t i, count = 0, more = 0;
  strbuf_reserve (&b, 0, 256);
  for (i = 0; i < f->n; i++)
    {
      const struct finding *x = &f->v[i];
      char *one = NULL;
      int n;
      if (x->action != ACTION_REJECT || x->exempted)
        continue;
      if (count > 0 && b.len >= MESSAGE_BUDGET)
        {
          more++;
          continue;
        }
      n = xasprintf (&one, "%s%s: %s (at %s)", count ? "; " : "", x->rule, x->message, x->path);
      strbuf_append (&b, one, (size_t) n, 256);
      free (one);
      count++;
    }
  if (more)
    {
      char *tail = NULL;
      int n = xasprintf (&tail, "; and %zu more (secshim check lists them)", more);
      strbuf_append (&b, tail, (size_t) n, 256);
      free (tail);
    }
  return b.buf;
}
