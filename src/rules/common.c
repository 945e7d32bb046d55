/* Helpers shared by the process-side rules: see common.h. */
#include <cap-ng.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/util.h"

char *
process_field_path (const struct eval_ctx *ctx, const char *sub)
{
  size_t n = strlen (sub);
  char *p;
  if (ctx->kind == DOC_PROCESS)
    return xstrdup (sub);
  p = xmalloc (sizeof "process." + n);
  memcpy (p, "process.", sizeof "process." - 1);
  memcpy (p + sizeof "process." - 1, sub, n + 1);
  return p;
}

void
eval_report_unfixable (struct eval_ctx *ctx, const char *path, const struct json_value *before, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  struct finding *last;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  eval_report (ctx, path, before, NULL, "%s", msg);
  last = &ctx->findings->v[ctx->findings->n - 1];
  if (last->action == ACTION_REWRITE)
    last->action = ACTION_REJECT;
}

const struct cli_model *
eval_cli (const struct eval_ctx *ctx, int verb)
{
  if (ctx->id == NULL || ctx->id->cli == NULL || (int) ctx->id->cli->verb != verb)
    return NULL;
  return ctx->id->cli;
}

void
eval_report_flag (struct eval_ctx *ctx, const char *flag, const char *value, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *path = NULL;
  struct json_value *v = json_new_string (value ? value : "");
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  xasprintf (&path, "%s --%s", ctx->id->cli->verb_name, flag);
  eval_report_unfixable (ctx, path, v, "%s", msg);
  json_free (v);
}

static char *
canonical_cap_name (int cap)
{
  const char *lower = capng_capability_to_name ((unsigned) cap);
  char *out = NULL;
  size_t i;
  if (lower == NULL)
    return NULL;
  xasprintf (&out, "CAP_%s", lower);
  for (i = 4; out[i]; i++)
    out[i] = (char) toupper ((unsigned char) out[i]);
  return out;
}

/* libcap-ng answers for a few numeric strings on some versions; a name must
 * have a letter. */
static int
lookup (const char *bare)
{
  if (bare[0] == '\0' || isdigit ((unsigned char) bare[0]))
    return -1;
  return capng_name_to_capability (bare);
}

char *
cap_normalize_policy_name (const char *name)
{
  const char *bare = strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;
  int cap = lookup (bare);
  return cap < 0 ? NULL : canonical_cap_name (cap);
}

/* The names a document may use: "CAP_" plus the upper-cased libcap-ng
 * name of each capability number, in a small hash table.  A config names
 * about 14 capabilities in each of four sets, and a libcap-ng lookup plus
 * an asprintf per name was a tenth of evaluating one.  A name found here is
 * confirmed once per capability with the same lookup as before (lookup
 * (name + 4) must give that number back), so the result is exactly what
 * the per-name lookup gave.  Built once per process, without allocating. */
#define CAP_TABLE_MAX 64
#define CAP_SLOTS 128 /* power of two, at least twice CAP_TABLE_MAX */
#define CAP_NAME_MAX 40

struct doc_cap
{
  char name[CAP_NAME_MAX];
  unsigned char len; /* strlen (name) */
  int cap;
  signed char confirmed; /* 0 not yet asked, 1 yes, -1 no */
};

static struct doc_cap doc_caps[CAP_TABLE_MAX];
static unsigned char doc_cap_slots[CAP_SLOTS]; /* index + 1, 0 = empty */
static bool doc_cap_ready;

static size_t
cap_name_hash (const char *s, size_t n)
{
  return str_hash_n (s, n, 0) & (CAP_SLOTS - 1);
}

static void
doc_cap_table_init (void)
{
  size_t n = 0;
  if (doc_cap_ready)
    return;
  for (int cap = 0; cap < CAP_TABLE_MAX; cap++)
    {
      const char *lower = capng_capability_to_name ((unsigned) cap);
      struct doc_cap *e = &doc_caps[n];
      size_t i, j;
      if (lower == NULL || strlen (lower) + 5 > sizeof e->name)
        continue;
      memcpy (e->name, "CAP_", 4);
      for (i = 0; lower[i]; i++)
        e->name[4 + i] = (char) toupper ((unsigned char) lower[i]);
      e->name[4 + i] = '\0';
      e->len = (unsigned char) (4 + i);
      e->cap = cap;
      for (j = cap_name_hash (e->name, e->len); doc_cap_slots[j]; j = (j + 1) & (CAP_SLOTS - 1))
        ;
      doc_cap_slots[j] = (unsigned char) (++n);
    }
  doc_cap_ready = true;
}

const char *
cap_document_name (const char *name, int *cap)
{
  /* runc's map is keyed by the exact upper-case name: "CAP_net_raw" is
   * not a capability to runc, and not one to us. */
  size_t n;
  if (strncmp (name, "CAP_", 4) != 0)
    return NULL;
  n = strlen (name);
  doc_cap_table_init ();
  for (size_t j = cap_name_hash (name, n); doc_cap_slots[j]; j = (j + 1) & (CAP_SLOTS - 1))
    {
      struct doc_cap *e = &doc_caps[doc_cap_slots[j] - 1];
      if (e->len != n || memcmp (e->name, name, n) != 0)
        continue;
      if (e->confirmed == 0)
        e->confirmed = lookup (e->name + 4) == e->cap ? 1 : -1;
      if (e->confirmed > 0)
        {
          *cap = e->cap;
          return e->name;
        }
    }
  return NULL;
}

int
cap_known_count (void)
{
  int n = 0;
  while (capng_capability_to_name ((unsigned) n) != NULL)
    n++;
  return n;
}
