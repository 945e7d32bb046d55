/* Helpers shared by the process-side rules: see common.h. */
#include <cap-ng.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

char *
process_field_path (const struct eval_ctx *ctx, const char *sub)
{
  char *p = NULL;
  if (ctx->kind == DOC_PROCESS)
    return xstrdup (sub);
  xasprintf (&p, "process.%s", sub);
  return p;
}

void
eval_report_unfixable (struct eval_ctx *ctx, const char *path, const struct json_value *before, const char *fmt,
                       ...)
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

char *
cap_normalize_document_name (const char *name)
{
  cleanup_free char *canon = NULL;
  int cap;
  if (!str_has_prefix (name, "CAP_"))
    return NULL;
  cap = lookup (name + 4);
  if (cap < 0)
    return NULL;
  canon = canonical_cap_name (cap);
  /* runc's map is keyed by the exact upper-case name: "CAP_net_raw" is
   * not a capability to runc, and not one to us. */
  if (canon == NULL || strcmp (canon, name) != 0)
    return NULL;
  return steal_pointer (&canon);
}

int
cap_known_count (void)
{
  int n = 0;
  while (capng_capability_to_name ((unsigned) n) != NULL)
    n++;
  return n;
}

char *
path_lexical_normalize (const char *path)
{
  size_t len = strlen (path);
  char *out = xmalloc (len + 2);
  size_t o = 0;
  const char *p = path;

  out[o++] = '/';
  while (*p)
    {
      const char *start, *end;
      size_t n;
      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      end = p;
      n = (size_t) (end - start);
      if (n == 0 || (n == 1 && start[0] == '.'))
        continue;
      if (n == 2 && start[0] == '.' && start[1] == '.')
        {
          /* drop the last component, never above the root */
          while (o > 1 && out[o - 1] != '/')
            o--;
          if (o > 1)
            o--;
          continue;
        }
      if (o > 1)
        out[o++] = '/';
      memcpy (out + o, start, n);
      o += n;
    }
  out[o] = '\0';
  return out;
}
