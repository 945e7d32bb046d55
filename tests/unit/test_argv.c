/* src/cli against tests/unit/argv-cases.tsv: the argv containerd, dockerd,
 * podman/conmon and CRI-O send, and the tricky urfave/cli forms.  One TAP
 * line per row, then round trips: the canonical argv, parsed again, must give
 * the same model, and re-emitting it must give the same argv.
 *
 * SECSHIM_ARGV_CANON=<file>: also write each canonical argv there for
 * tests/integration/argv-oracle.sh, which hands them to the real runc. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cli.h"
#include "secshim/error.h"
#include "secshim/util.h"
#include "tap.h"

#define MAX_TOKENS 128

struct row
{
  int line;
  char *name, *verdict, *verb, *bundle, *process, *id, *extra, *argv_text;
  char *tokbuf;                 /* owns the tokens */
  char *tokens[MAX_TOKENS + 2]; /* "runc", tokens..., NULL */
  int argc;
};

static FILE *canon_out;

static const char *
verb_str (enum cli_verb v)
{
  switch (v)
    {
    case VERB_NONE:
      return "none";
    case VERB_CREATE:
      return "create";
    case VERB_RUN:
      return "run";
    case VERB_RESTORE:
      return "restore";
    case VERB_EXEC:
      return "exec";
    case VERB_UPDATE:
      return "update";
    case VERB_OTHER:
      return "other";
    }
  return "?";
}

static bool
is_policed (enum cli_verb v)
{
  return v != VERB_NONE && v != VERB_OTHER;
}

static bool
has_bundle (enum cli_verb v)
{
  return v == VERB_CREATE || v == VERB_RUN || v == VERB_RESTORE;
}

static const char *
dash_null (const char *s)
{
  return strcmp (s, "-") == 0 ? NULL : s;
}

static char *
next_field (char **p)
{
  char *f = *p, *tab;
  if (f == NULL)
    return NULL;
  tab = strchr (f, '\t');
  if (tab)
    {
      *tab = '\0';
      *p = tab + 1;
    }
  else
    *p = NULL;
  return f;
}

static bool
split_row (char *line, int lineno, struct row *r)
{
  char *p = line, *tok, *save = NULL;
  memset (r, 0, sizeof *r);
  r->line = lineno;
  r->name = next_field (&p);
  r->verdict = next_field (&p);
  r->verb = next_field (&p);
  r->bundle = next_field (&p);
  r->process = next_field (&p);
  r->id = next_field (&p);
  r->extra = next_field (&p);
  r->argv_text = next_field (&p);
  if (r->argv_text == NULL || p != NULL)
    return false;
  r->tokens[r->argc++] = (char *) "runc";
  if (strcmp (r->argv_text, "<none>") != 0)
    {
      /* Tokens are separated by single spaces; an empty token is "<empty>". */
      r->tokbuf = xstrdup (r->argv_text);
      for (tok = strtok_r (r->tokbuf, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
        {
          if (r->argc > MAX_TOKENS)
            return false;
          r->tokens[r->argc++] = strcmp (tok, "<empty>") == 0 ? (char *) "" : tok;
        }
    }
  r->tokens[r->argc] = NULL;
  return true;
}

static const char *
global_value (const struct cli_model *m, const char *name)
{
  const char *v = NULL;
  size_t k;
  for (k = 0; k < m->n_globals; k++)
    if (strcmp (m->globals[k].name, name) == 0)
      v = m->globals[k].value;
  return v;
}

static char *
join (char **v, size_t n)
{
  size_t k, len = 1;
  char *s;
  for (k = 0; k < n; k++)
    len += strlen (v[k]) + 1;
  s = xzalloc (len);
  for (k = 0; k < n; k++)
    {
      if (k)
        strcat (s, " ");
      strcat (s, v[k]);
    }
  return s;
}

/* One "key=value" extra check; returns NULL when it holds, else why not. */
static char *
check_extra (const struct cli_model *m, const char *errmsg, const char *item)
{
  const char *eq = strchr (item, '=');
  const char *tilde = strstr (item, "err~");
  char *key, *why = NULL;
  const char *want, *got = NULL;
  bool compare = true;
  static char numbuf[32];

  if (tilde == item)
    {
      if (errmsg == NULL || strstr (errmsg, item + 4) == NULL)
        xasprintf (&why, "error \"%s\" does not contain \"%s\"", errmsg ? errmsg : "(none)", item + 4);
      return why;
    }
  if (eq == NULL)
    {
      xasprintf (&why, "malformed extra check \"%s\"", item);
      return why;
    }
  key = xstrndup (item, (size_t) (eq - item));
  want = eq + 1;
  if (strcmp (key, "root") == 0)
    got = m->root;
  else if (strcmp (key, "log") == 0)
    got = m->log;
  else if (strcmp (key, "logfmt") == 0)
    got = m->log_format;
  else if (strcmp (key, "policy") == 0)
    got = m->secshim_policy;
  else if (strcmp (key, "runtime") == 0)
    got = m->secshim_runtime;
  else if (strcmp (key, "verbname") == 0)
    got = m->verb_name;
  else if (strncmp (key, "g:", 2) == 0)
    got = global_value (m, key + 2);
  else if (strncmp (key, "flag:", 5) == 0)
    got = cli_flag_value (m, key + 5);
  else if (strncmp (key, "count:", 6) == 0)
    {
      snprintf (numbuf, sizeof numbuf, "%zu", cli_flag_values (m, key + 6, NULL, 0));
      got = numbuf;
    }
  else if (strcmp (key, "nargs") == 0)
    {
      snprintf (numbuf, sizeof numbuf, "%zu", m->n_args);
      got = numbuf;
    }
  else if (strncmp (key, "arg:", 4) == 0)
    {
      uint32_t k;
      if (parse_u32 (key + 4, &k) == 0 && k < m->n_args)
        got = m->args[k];
    }
  else if (strcmp (key, "pass") == 0)
    {
      char *p = join (m->passthrough, m->n_passthrough);
      if (strcmp (p, want) != 0)
        xasprintf (&why, "passthrough \"%s\", expected \"%s\"", p, want);
      free (p);
      compare = false;
    }
  else
    xasprintf (&why, "unknown extra key \"%s\"", key);
  if (compare && why == NULL && !str_equal (got, want))
    xasprintf (&why, "%s is \"%s\", expected \"%s\"", key, got ? got : "(null)", want);
  free (key);
  return why;
}

static char *
check_row (const struct row *r, const struct cli_model *m, int ret, const char *errmsg)
{
  char *why = NULL, *extra, *item, *save = NULL;
  bool want_ok = strcmp (r->verdict, "ok") == 0;
  size_t k;

  if ((ret == 0) != want_ok)
    xasprintf (&why, "verdict %s (%s), expected %s", ret == 0 ? "ok" : "refuse", errmsg ? errmsg : "", r->verdict);
  else if (strcmp (verb_str (m->verb), r->verb) != 0)
    xasprintf (&why, "verb %s, expected %s", verb_str (m->verb), r->verb);
  else if (want_ok && !str_equal (m->bundle, dash_null (r->bundle)))
    xasprintf (&why, "bundle %s, expected %s", m->bundle ? m->bundle : "(cwd)", r->bundle);
  else if (want_ok && !str_equal (m->process, dash_null (r->process)))
    xasprintf (&why, "process %s, expected %s", m->process ? m->process : "(inline)", r->process);
  else if (want_ok && !str_equal (m->container_id, dash_null (r->id)))
    xasprintf (&why, "id %s, expected %s", m->container_id ? m->container_id : "(null)", r->id);
  if (why)
    return why;
  /* secshim's own options never reach runc from among the global flags. */
  for (k = 0; k < m->n_passthrough && m->passthrough[k] != m->verb_name; k++)
    if (strncmp (m->passthrough[k] + strspn (m->passthrough[k], "-"), "secshim-", 8) == 0
        && m->passthrough[k][0] == '-')
      {
        xasprintf (&why, "passthrough keeps %s", m->passthrough[k]);
        return why;
      }
  if (strcmp (r->extra, "-") == 0)
    return NULL;
  extra = xstrdup (r->extra);
  for (item = strtok_r (extra, ";", &save); item && why == NULL; item = strtok_r (NULL, ";", &save))
    why = check_extra (m, errmsg, item);
  free (extra);
  return why;
}

/* Same meaning: globals, verb, bundle (the canonical one), process, args,
 * and for each verb flag the same values (a repeated plain flag collapses to
 * its last value). */
static char *
compare_models (const struct cli_model *a, const struct cli_model *b, const char *bundle_abs)
{
  static const char *globals[] = { "root", "log", "log-format", "criu", "debug", "systemd-cgroup", "rootless" };
  char *why = NULL;
  size_t k, g;

  if (a->verb != b->verb)
    xasprintf (&why, "verb %s vs %s", verb_str (a->verb), verb_str (b->verb));
  else if (has_bundle (a->verb) && !str_equal (b->bundle, bundle_abs))
    xasprintf (&why, "bundle %s vs %s", b->bundle ? b->bundle : "(cwd)", bundle_abs);
  else if (!str_equal (a->process, b->process))
    xasprintf (&why, "process differs");
  else if (a->n_args != b->n_args)
    xasprintf (&why, "%zu args vs %zu", a->n_args, b->n_args);
  else if (b->secshim_policy != NULL || b->secshim_runtime != NULL)
    xasprintf (&why, "secshim options leaked into the canonical argv");
  if (why)
    return why;
  for (k = 0; k < a->n_args; k++)
    if (strcmp (a->args[k], b->args[k]) != 0)
      {
        xasprintf (&why, "arg %zu: %s vs %s", k, a->args[k], b->args[k]);
        return why;
      }
  for (g = 0; g < sizeof globals / sizeof globals[0]; g++)
    if (!str_equal (global_value (a, globals[g]), global_value (b, globals[g])))
      {
        xasprintf (&why, "global %s differs", globals[g]);
        return why;
      }
  for (k = 0; k < a->n_flags + b->n_flags; k++)
    {
      const char *name = k < a->n_flags ? a->flags[k].name : b->flags[k - a->n_flags].name;
      const char *va[MAX_TOKENS], *vb[MAX_TOKENS];
      size_t na, nb, j;
      if (strcmp (name, "bundle") == 0 && has_bundle (a->verb))
        continue;
      na = cli_flag_values (a, name, va, MAX_TOKENS);
      nb = cli_flag_values (b, name, vb, MAX_TOKENS);
      if (na > MAX_TOKENS || nb > MAX_TOKENS)
        abort ();
      if (na == nb)
        {
          for (j = 0; j < na; j++)
            if (strcmp (va[j], vb[j]) != 0)
              break;
          if (j == na)
            continue;
        }
      else if (nb == 1 && na > 1 && strcmp (va[na - 1], vb[0]) == 0)
        continue;
      xasprintf (&why, "flag %s differs (%zu vs %zu values)", name, na, nb);
      return why;
    }
  return NULL;
}

static size_t
count_argv (char **v)
{
  size_t n = 0;
  while (v[n])
    n++;
  return n;
}

static void
free_argv (char **v)
{
  size_t k;
  for (k = 0; v && v[k]; k++)
    free (v[k]);
  free (v);
}

static void
write_canon (const struct row *r, const struct cli_model *m, const char *bundle_abs, char **canon)
{
  size_t k;
  if (canon_out == NULL)
    return;
  fprintf (canon_out, "%s\t%s", r->name, has_bundle (m->verb) ? bundle_abs : "container-missing");
  for (k = 1; canon[k]; k++)
    fprintf (canon_out, "\t%s", canon[k]);
  fputc ('\n', canon_out);
}

/* Canonical argv -> parse -> same model; canonical of that -> same argv. */
static void
round_trip (const struct row *r, const struct cli_model *m, const char *process_path)
{
  char *bundle_abs = NULL, *why = NULL;
  char **canon, **canon2 = NULL;
  struct cli_model m2;
  secshim_error_t err = NULL;
  size_t k;

  xasprintf (&bundle_abs, "/nonexistent-secshim-canon/%s", r->name);
  canon = cli_canonical_argv (m, "/usr/sbin/runc", bundle_abs, process_path);
  if (canon == NULL)
    {
      TAP_CHECK (0, "%s: canonical argv%s: NULL", r->name, process_path ? " with --process" : "");
      free (bundle_abs);
      return;
    }
  if (cli_parse ((int) count_argv (canon), canon, &m2, &err) < 0)
    xasprintf (&why, "canonical argv refused: %s", err->msg);
  else if (process_path == NULL)
    {
      why = compare_models (m, &m2, bundle_abs);
      if (why == NULL)
        {
          canon2 = cli_canonical_argv (&m2, "/usr/sbin/runc", bundle_abs, NULL);
          for (k = 0; canon2 && canon[k] && canon2[k]; k++)
            if (strcmp (canon[k], canon2[k]) != 0)
              break;
          if (canon2 == NULL || canon[k] != NULL || canon2[k] != NULL)
            xasprintf (&why, "re-emission differs at token %zu", k);
        }
      if (why == NULL)
        write_canon (r, m, bundle_abs, canon);
    }
  else
    {
      static const char *inline_only[]
          = { "cwd", "env", "tty", "user", "additional-gids", "process-label", "apparmor", "no-new-privs", "cap" };
      if (!str_equal (m2.process, process_path) || m2.n_args != 1 || !str_equal (m2.container_id, m->container_id))
        xasprintf (&why, "process %s, %zu args", m2.process ? m2.process : "(inline)", m2.n_args);
      for (k = 0; why == NULL && k < sizeof inline_only / sizeof inline_only[0]; k++)
        if (cli_flag_value (&m2, inline_only[k]) != NULL)
          xasprintf (&why, "--%s kept next to --process", inline_only[k]);
    }
  TAP_CHECK (why == NULL, "%s: canonical argv%s round-trips%s%s", r->name, process_path ? " with --process" : "",
             why ? ": " : "", why ? why : "");
  free (why);
  free (bundle_abs);
  free_argv (canon);
  free_argv (canon2);
  cli_model_free (&m2);
  secshim_error_release (&err);
}

static void
run_row (const struct row *r)
{
  struct cli_model m;
  secshim_error_t err = NULL;
  char *why;
  int ret = cli_parse (r->argc, (char **) r->tokens, &m, &err);

  if (ret < 0 && (err == NULL || err->status != SECSHIM_EINPUT))
    why = xstrdup ("refusal without a SECSHIM_EINPUT error");
  else if (ret == 0 && err != NULL)
    why = xstrdup ("success with an error set");
  else
    why = check_row (r, &m, ret, err ? err->msg : NULL);
  TAP_CHECK (why == NULL, "line %d %s: %s %s%s%s", r->line, r->name, r->verdict, r->verb, why ? ": " : "",
             why ? why : "");
  free (why);

  if (ret == 0)
    {
      if (is_policed (m.verb))
        round_trip (r, &m, NULL);
      if (m.verb == VERB_EXEC)
        round_trip (r, &m, "/run/secshim/exec-process.json");
      if (!is_policed (m.verb))
        {
          char **canon = cli_canonical_argv (&m, "/usr/sbin/runc", NULL, NULL);
          bool same = canon && count_argv (canon) == m.n_passthrough + 1;
          size_t k;
          for (k = 0; same && k < m.n_passthrough; k++)
            same = strcmp (canon[k + 1], m.passthrough[k]) == 0;
          TAP_CHECK (same, "%s: passthrough argv is the original minus --secshim-*", r->name);
          free_argv (canon);
        }
    }
  cli_model_free (&m);
  secshim_error_release (&err);
}

static FILE *
open_table (void)
{
  const char *top = getenv ("SECSHIM_TOP");
  char *path = NULL;
  FILE *f;
  xasprintf (&path, "%s/tests/unit/argv-cases.tsv", top ? top : ".");
  f = fopen (path, "re");
  if (f == NULL)
    tap_diag ("cannot open %s", path);
  free (path);
  return f;
}

/* Contract checks that do not fit a table row. */
static void
api_checks (void)
{
  char *create[] = { (char *) "runc", (char *) "create", (char *) "--bundle", (char *) "/b", (char *) "c1", NULL };
  char *empty[] = { NULL };
  struct cli_model m;
  secshim_error_t err = NULL;
  char **canon;

  TAP_CHECK (cli_parse (5, create, &m, &err) == 0 && m.verb == VERB_CREATE, "api: create parses");
  TAP_CHECK (cli_canonical_argv (&m, "/usr/sbin/runc", NULL, NULL) == NULL,
             "api: canonical create without bundle_abs is refused");
  TAP_CHECK (cli_canonical_argv (&m, "/usr/sbin/runc", "relative/b", NULL) == NULL,
             "api: canonical create with a relative bundle_abs is refused");
  canon = cli_canonical_argv (&m, "/usr/sbin/runc", "/abs/b", NULL);
  TAP_CHECK (canon && strcmp (canon[0], "/usr/sbin/runc") == 0 && strcmp (canon[1], "create") == 0
                 && strcmp (canon[2], "--bundle=/abs/b") == 0 && strcmp (canon[3], "c1") == 0 && canon[4] == NULL,
             "api: canonical create is runtime create --bundle=<abs> id");
  free_argv (canon);
  cli_model_free (&m);
  TAP_CHECK (cli_parse (0, empty, &m, &err) == 0 && m.verb == VERB_NONE && m.n_passthrough == 0,
             "api: argc 0 is VERB_NONE");
  cli_model_free (&m);
}

int
main (void)
{
  FILE *f = open_table ();
  const char *canon_path = getenv ("SECSHIM_ARGV_CANON");
  char *line = NULL;
  size_t cap = 0;
  int lineno = 0, rows = 0;
  ssize_t len;

  if (f == NULL)
    {
      TAP_CHECK (0, "argv-cases.tsv readable (set SECSHIM_TOP or run from the repository top)");
      return tap_done ();
    }
  if (canon_path)
    canon_out = fopen (canon_path, "we");
  api_checks ();
  while ((len = getline (&line, &cap, f)) >= 0)
    {
      struct row r;
      char *copy;
      lineno++;
      if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
      if (len == 0 || line[0] == '#')
        continue;
      copy = xstrdup (line);
      if (!split_row (copy, lineno, &r))
        TAP_CHECK (0, "line %d: malformed row", lineno);
      else
        {
          rows++;
          run_row (&r);
        }
      free (r.tokbuf);
      free (copy);
    }
  TAP_CHECK (rows >= 40, "table has %d rows (>= 40)", rows);
  free (line);
  fclose (f);
  if (canon_out)
    fclose (canon_out);
  return tap_done ();
}
