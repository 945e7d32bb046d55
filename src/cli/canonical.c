/* Re-emit one canonical argv for the real runtime (see cli.h).
 *
 * Every flag is written "--name=value" (booleans "--name" / "--name=false"),
 * which every urfave/cli release reads the same way: no value can be mistaken
 * for a flag or the id, and nothing is left for the reordering to move.  The
 * bundle of create/run/restore is always explicit, so runc opens the bundle
 * secshim checked and not its cwd.
 *
 * exec: when process_path is given for an inline exec (the caller turned the
 * inline flags into a process file), the inline-only flags and the command
 * are dropped, since runc ignores them next to --process. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-internal.h"
#include "secshim/util.h"

struct argvec
{
  char **v;
  size_t n, cap;
};

static void
push (struct argvec *a, char *s)
{
  if (a->n + 2 > a->cap)
    {
      a->cap = a->cap ? a->cap * 2 : 16;
      a->v = xreallocarray (a->v, a->cap, sizeof *a->v);
    }
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

static void __attribute__ ((format (printf, 2, 3))) pushf (struct argvec *a, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  va_start (ap, fmt);
  xvasprintf (&s, fmt, ap);
  va_end (ap);
  push (a, s);
}

static void
push_flag (struct argvec *a, const struct cli_flag_def *def, const char *value)
{
  if (def->kind == CLI_BOOL && strcmp (value, "true") == 0)
    pushf (a, "--%s", def->name);
  else
    pushf (a, "--%s=%s", def->name, value);
}

/* Last value of a flag in one of the model's lists, NULL if absent. */
static const char *
last_of (const struct cli_flag *flags, size_t n, const char *name)
{
  const char *v = NULL;
  size_t k;
  for (k = 0; k < n; k++)
    if (strcmp (flags[k].name, name) == 0)
      v = flags[k].value;
  return v;
}

static void
push_globals (struct argvec *a, const struct cli_model *m)
{
  size_t d;
  for (d = 0; d < cli_n_global_flags; d++)
    {
      const struct cli_flag_def *def = &cli_global_flags[d];
      const char *v;
      /* help/version are only ever "false" here: runc ran no verb otherwise. */
      if (def->own || strcmp (def->name, "help") == 0 || strcmp (def->name, "version") == 0)
        continue;
      v = last_of (m->globals, m->n_globals, def->name);
      if (v)
        push_flag (a, def, v);
    }
}

static bool
has_bundle (enum cli_verb verb)
{
  return verb == VERB_CREATE || verb == VERB_RUN || verb == VERB_RESTORE;
}

static void
push_verb_flags (struct argvec *a, const struct cli_model *m, const struct cli_verb_def *vdef, const char *bundle_abs,
                 const char *process_path)
{
  bool drop_inline = m->verb == VERB_EXEC && process_path != NULL;
  size_t d, k;

  for (d = 0; d < vdef->n_flags; d++)
    {
      const struct cli_flag_def *def = &vdef->flags[d];
      const char *v;
      if (strcmp (def->name, "help") == 0)
        continue;
      if (has_bundle (m->verb) && strcmp (def->name, "bundle") == 0)
        {
          pushf (a, "--bundle=%s", bundle_abs);
          continue;
        }
      if (m->verb == VERB_EXEC && strcmp (def->name, "process") == 0)
        {
          v = process_path ? process_path : m->process;
          if (v)
            pushf (a, "--process=%s", v);
          continue;
        }
      if (drop_inline && def->inline_only)
        continue;
      if (def->kind == CLI_SLICE || def->kind == CLI_INT_SLICE)
        {
          for (k = 0; k < m->n_flags; k++)
            if (strcmp (m->flags[k].name, def->name) == 0)
              push_flag (a, def, m->flags[k].value);
          continue;
        }
      v = last_of (m->flags, m->n_flags, def->name);
      if (v)
        push_flag (a, def, v);
    }
}

char **
cli_canonical_argv (const struct cli_model *m, const char *runtime_path, const char *bundle_abs,
                    const char *process_path)
{
  const struct cli_verb_def *vdef;
  struct argvec a = { NULL, 0, 0 };
  size_t k, n_args;

  if (m == NULL || runtime_path == NULL)
    return NULL;
  vdef = cli_policed_verb_by_id (m->verb);
  if (vdef == NULL)
    {
      push (&a, xstrdup (runtime_path));
      for (k = 0; k < m->n_passthrough; k++)
        push (&a, xstrdup (m->passthrough[k]));
      return a.v;
    }
  if (m->n_args == 0 || (has_bundle (m->verb) && (bundle_abs == NULL || bundle_abs[0] != '/')))
    return NULL;

  push (&a, xstrdup (runtime_path));
  push_globals (&a, m);
  push (&a, xstrdup (vdef->name));
  push_verb_flags (&a, m, vdef, bundle_abs, process_path);
  /* An id such as "-x" must not be read as a flag. */
  if (m->args[0][0] == '-')
    push (&a, xstrdup ("--"));
  n_args = (m->verb == VERB_EXEC && process_path != NULL) ? 1 : m->n_args;
  for (k = 0; k < n_args; k++)
    push (&a, xstrdup (m->args[k]));
  return a.v;
}

void
cli_argv_free (char **argv)
{
  size_t i;
  for (i = 0; argv && argv[i]; i++)
    free (argv[i]);
  free (argv);
}
