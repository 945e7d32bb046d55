/* runc's command line, read the way runc 1.1/1.2 reads it: urfave/cli v1 over
 * Go's flag package (runtime-interface.md section 1, security.md 2.2).
 *
 * Go's flag package: "-f" = "--f"; "-f=v" and "-f v" (value flags only, and
 * the next token is taken whatever it looks like); booleans take "=value"
 * only; parsing stops at the first non-flag ("-" included) or after "--".
 * urfave/cli v1 parses the global flags that way, takes the next token as the
 * verb, and parses the verb's arguments the same way after "reordering" them
 * (all verbs but exec and ps), so that flags may follow the container id.
 *
 * The reordering changed between urfave/cli releases, and runc builds vendor
 * different ones (upstream runc 1.1 pins v1.22.1, runc 1.2 ships v1.22.14,
 * distributions build against their own copy).  For a policed verb we read
 * the arguments with every known reordering and refuse unless all readings
 * agree: secshim must never approve one bundle while runc opens another. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli-internal.h"
#include "secshim/cleanup.h"
#include "secshim/error.h"
#include "secshim/util.h"

/* One flag as Go's flag package saw it. */
struct occurrence
{
  size_t def;        /* index into the flag table */
  bool alias;        /* written with the alias (short) name */
  const char *value; /* points into argv; "true"/"false" for booleans */
};

/* One urfave/cli reading of a verb's arguments. */
struct reading
{
  struct occurrence *occ;
  size_t n_occ;
  const char **args; /* positional arguments, into argv */
  size_t n_args;
};

enum reorder_variant
{
  REORDER_NONE,       /* exec, ps: SkipArgReorder */
  REORDER_DASH_FIRST, /* v1.22.5+ (runc 1.2, Debian's runc 1.1.5): argIsFlag, "--" moved to the front */
  REORDER_EVERY_DASH, /* v1.22.1 (upstream runc 1.1): every "-x" token is a flag */
};
/* v1.22.2 also reordered by argIsFlag but could take the id as the value of
 * "--resources -"; runc never shipped it (1.1 pinned v1.22.1 because of it). */

#define MAX_VERB_FLAGS 32

static void
reading_free (struct reading *r)
{
  free (r->occ);
  free (r->args);
  r->occ = NULL;
  r->args = NULL;
}

static size_t
find_def (const struct cli_flag_def *defs, size_t n_defs, const char *name, size_t len, bool *alias)
{
  size_t d;
  for (d = 0; d < n_defs; d++)
    {
      if (strlen (defs[d].name) == len && memcmp (defs[d].name, name, len) == 0)
        {
          *alias = false;
          return d;
        }
      if (defs[d].alias && strlen (defs[d].alias) == len && memcmp (defs[d].alias, name, len) == 0)
        {
          *alias = true;
          return d;
        }
    }
  return n_defs;
}

/* Go's IntFlag accepts "0x10", "010" (octal), "+1", "1_0": we accept only
 * what every reader agrees on, an optional '-' and decimal digits without a
 * leading zero. */
static bool
is_plain_decimal (const char *s)
{
  const char *digits = s[0] == '-' ? s + 1 : s;
  int64_t v;
  if (digits[0] == '0' && digits[1] != '\0')
    return false;
  return parse_i64 (s, &v) == 0;
}

/* Go's flag.FlagSet.parseOne over toks[*i].  Returns 1 when a flag was read,
 * 0 when flag parsing stops (a non-flag; "--", which is consumed), -1 with
 * err set on an error. */
static int
parse_one (const struct cli_flag_def *defs, size_t n_defs, const char *ctx, const char *const *toks, size_t n_toks,
           size_t *i, struct occurrence *occ, secshim_error_t *err)
{
  const char *s = toks[*i];
  const char *name, *eq;
  size_t minus = 1, name_len, d;
  enum cli_flag_kind kind;

  if (strlen (s) < 2 || s[0] != '-')
    return 0;
  if (s[1] == '-')
    {
      minus = 2;
      if (s[2] == '\0')
        {
          (*i)++;
          return 0;
        }
    }
  name = s + minus;
  if (name[0] == '-' || name[0] == '=')
    return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: bad flag syntax: %s", ctx, s);
  (*i)++;
  eq = strchr (name + 1, '=');
  name_len = eq ? (size_t) (eq - name) : strlen (name);
  d = find_def (defs, n_defs, name, name_len, &occ->alias);
  if (d == n_defs)
    return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: flag provided but not defined: %.*s", ctx,
                               (int) (minus + name_len), s);
  occ->def = d;
  kind = defs[d].kind;
  if (kind == CLI_BOOL)
    {
      occ->value = eq ? eq + 1 : "true";
      if (strcmp (occ->value, "true") != 0 && strcmp (occ->value, "false") != 0)
        return secshim_make_error (err, SECSHIM_EINPUT,
                                   "argv: %s: invalid boolean value \"%s\" for %.*s (only true and false are accepted)",
                                   ctx, occ->value, (int) (minus + name_len), s);
      return 1;
    }
  if (eq)
    occ->value = eq + 1;
  else if (*i < n_toks)
    occ->value = toks[(*i)++];
  else
    return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: flag needs an argument: %s", ctx, s);
  if ((kind == CLI_INT || kind == CLI_INT_SLICE) && !is_plain_decimal (occ->value))
    return secshim_make_error (err, SECSHIM_EINPUT,
                               "argv: %s: invalid value \"%s\" for %.*s (only plain decimal integers are accepted)",
                               ctx, occ->value, (int) (minus + name_len), s);
  return 1;
}

/* urfave/cli normalizeFlags(): "-b x --bundle y" is an error. */
static int
check_two_forms (const struct cli_flag_def *defs, size_t n_defs, const char *ctx, const struct occurrence *occ,
                 size_t n_occ, secshim_error_t *err)
{
  bool seen_long[MAX_VERB_FLAGS] = { false }, seen_alias[MAX_VERB_FLAGS] = { false };
  size_t k;
  if (n_defs > MAX_VERB_FLAGS)
    abort ();
  for (k = 0; k < n_occ; k++)
    {
      size_t d = occ[k].def;
      if (occ[k].alias)
        seen_alias[d] = true;
      else
        seen_long[d] = true;
      if (seen_alias[d] && seen_long[d])
        return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: cannot use two forms of the same flag: -%s --%s",
                                   ctx, defs[d].alias, defs[d].name);
    }
  return 0;
}

/* urfave/cli argIsFlag(): does the token name one of the command's flags? */
static bool
arg_is_flag (const struct cli_flag_def *defs, size_t n_defs, const char *arg)
{
  const char *p = arg;
  bool alias;
  if (strcmp (arg, "-") == 0 || strcmp (arg, "--") == 0 || arg[0] != '-')
    return false;
  if (p[0] == '-' && p[1] == '-')
    p += 2;
  if (p[0] == '-')
    p++;
  return find_def (defs, n_defs, p, strcspn (p, "="), &alias) < n_defs;
}

/* Permute toks into out the way one urfave/cli release reorders a command's
 * arguments before handing them to Go's flag package. */
static void
reorder (enum reorder_variant variant, const struct cli_flag_def *defs, size_t n_defs, const char *const *toks,
         size_t n, const char **out)
{
  cleanup_free const char **rest = xreallocarray (NULL, n + 1, sizeof *rest);
  size_t n_out = 0, n_rest = 0, i, j;
  bool value_next = false;

  if (variant == REORDER_NONE)
    {
      memcpy (out, toks, n * sizeof *toks);
      return;
    }
  for (i = 0; i < n; i++)
    {
      const char *arg = toks[i];
      if (variant == REORDER_DASH_FIRST)
        {
          if (value_next && !arg_is_flag (defs, n_defs, arg))
            {
              value_next = false;
              out[n_out++] = arg;
            }
          else if (strcmp (arg, "--") == 0)
            {
              memmove (rest + 1, rest, n_rest * sizeof *rest);
              rest[0] = arg;
              n_rest++;
              for (j = i + 1; j < n; j++)
                rest[n_rest++] = toks[j];
              break;
            }
          else if (arg_is_flag (defs, n_defs, arg))
            {
              out[n_out++] = arg;
              value_next = strchr (arg, '=') == NULL;
            }
          else
            rest[n_rest++] = arg;
          continue;
        }
      if (strcmp (arg, "--") == 0)
        {
          for (j = i; j < n; j++)
            rest[n_rest++] = toks[j];
          break;
        }
      /* REORDER_EVERY_DASH */
      if (value_next && arg[0] != '-')
        {
          value_next = false;
          out[n_out++] = arg;
          continue;
        }
      value_next = false;
      if (strcmp (arg, "-") != 0 && arg[0] == '-')
        {
          out[n_out++] = arg;
          value_next = strchr (arg, '=') == NULL;
        }
      else
        rest[n_rest++] = arg;
    }
  memcpy (out + n_out, rest, n_rest * sizeof *rest);
}

/* One complete reading of the verb's arguments: reorder, Go flag parse,
 * normalizeFlags. */
static int
read_verb_args (const struct cli_verb_def *vdef, enum reorder_variant variant, const char *const *toks, size_t n,
                struct reading *r, secshim_error_t *err)
{
  cleanup_free const char **order = xreallocarray (NULL, n + 1, sizeof *order);
  size_t i = 0;
  int ret;

  reorder (variant, vdef->flags, vdef->n_flags, toks, n, order);
  r->occ = xreallocarray (NULL, n + 1, sizeof *r->occ);
  r->n_occ = 0;
  while (i < n)
    {
      ret = parse_one (vdef->flags, vdef->n_flags, vdef->name, order, n, &i, &r->occ[r->n_occ], err);
      if (ret < 0)
        return ret;
      if (ret == 0)
        break;
      r->n_occ++;
    }
  r->args = xreallocarray (NULL, n - i + 1, sizeof *r->args);
  r->n_args = n - i;
  memcpy (r->args, order + i, r->n_args * sizeof *r->args);
  return check_two_forms (vdef->flags, vdef->n_flags, vdef->name, r->occ, r->n_occ, err);
}

static bool
same_reading (const struct reading *a, const struct reading *b)
{
  size_t k;
  if (a->n_occ != b->n_occ || a->n_args != b->n_args)
    return false;
  for (k = 0; k < a->n_occ; k++)
    if (a->occ[k].def != b->occ[k].def || strcmp (a->occ[k].value, b->occ[k].value) != 0)
      return false;
  for (k = 0; k < a->n_args; k++)
    if (strcmp (a->args[k], b->args[k]) != 0)
      return false;
  return true;
}

static const char *
last_value (const struct cli_verb_def *vdef, const struct reading *r, const char *name)
{
  const char *v = NULL;
  size_t k;
  for (k = 0; k < r->n_occ; k++)
    if (strcmp (vdef->flags[r->occ[k].def].name, name) == 0)
      v = r->occ[k].value;
  return v;
}

/* runc's validateID (1.1 regexp ^[\w+-\.]+$, 1.2 explicit set): the
 * intersection, which also keeps ids harmless in paths and log lines. */
static bool
valid_container_id (const char *id)
{
  const char *p;
  if (id[0] == '\0' || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return false;
  for (p = id; *p; p++)
    {
      char c = *p;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+'
            || c == '-' || c == '.'))
        return false;
    }
  return true;
}

/* Explain a wrong positional count the way a person can act on it. */
static int
positional_error (const struct cli_verb_def *vdef, const struct reading *r, const char *expected, secshim_error_t *err)
{
  size_t k;
  if (r->n_args == 0)
    return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: missing container id", vdef->name);
  for (k = 0; k < r->n_args; k++)
    {
      const char *a = r->args[k];
      if (a[0] != '-' || strlen (a) < 2 || strcmp (a, "--") == 0)
        continue;
      if (!arg_is_flag (vdef->flags, vdef->n_flags, a))
        return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: flag provided but not defined: %.*s", vdef->name,
                                   (int) strcspn (a, "="), a);
      if (k == 0)
        return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: flag %s after \"--\" is not parsed by runc",
                                   vdef->name, a);
      return secshim_make_error (err, SECSHIM_EINPUT,
                                 "argv: %s: flag %s after the container id \"%s\" is not parsed by runc "
                                 "(a boolean flag before the id takes the id along)",
                                 vdef->name, a, r->args[0]);
    }
  return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: expected %s, got %zu arguments (\"%s\", \"%s\"%s)",
                             vdef->name, expected, r->n_args, r->args[0], r->args[1], r->n_args > 2 ? ", ..." : "");
}

static int
check_policed_reading (const struct cli_verb_def *vdef, const struct reading *r, secshim_error_t *err)
{
  const char *process;

  if (vdef->verb != VERB_EXEC)
    {
      if (r->n_args != 1)
        return positional_error (vdef, r, "exactly 1 argument (the container id)", err);
    }
  else
    {
      process = last_value (vdef, r, "process");
      if (r->n_args == 0)
        return positional_error (vdef, r, "", err);
      /* With --process, runc 1.1.5's getProcess returns the file's process
       * before it looks at -t, --user, --cap... or the arguments after the
       * id: they are ignored, so there is nothing to judge in them. */
      if (!(process && process[0] != '\0') && r->n_args < 2)
        return secshim_make_error (err, SECSHIM_EINPUT, "argv: exec: no --process and no command after the id");
    }
  /* update --resources: runc decodes the document and ignores every
   * inline flag (update.go); the rules judge the document. */
  if (!valid_container_id (r->args[0]))
    return secshim_make_error (err, SECSHIM_EINPUT, "argv: %s: invalid container id \"%s\"", vdef->name, r->args[0]);
  return 0;
}

static void
fill_verb_model (const struct cli_verb_def *vdef, const struct reading *r, struct cli_model *out)
{
  const char *v;
  size_t k;

  out->flags = xreallocarray (NULL, r->n_occ + 1, sizeof *out->flags);
  for (k = 0; k < r->n_occ; k++)
    {
      out->flags[k].name = vdef->flags[r->occ[k].def].name;
      out->flags[k].value = xstrdup (r->occ[k].value);
    }
  out->n_flags = r->n_occ;
  out->args = xreallocarray (NULL, r->n_args + 1, sizeof *out->args);
  for (k = 0; k < r->n_args; k++)
    out->args[k] = xstrdup (r->args[k]);
  out->args[r->n_args] = NULL;
  out->n_args = r->n_args;
  out->container_id = out->args[0];

  /* runc treats an empty --bundle as the cwd and an empty --process as
   * inline exec, exactly as if they were absent. */
  v = cli_flag_value (out, "bundle");
  if (vdef->verb != VERB_EXEC && vdef->verb != VERB_UPDATE && v && v[0] != '\0')
    out->bundle = v;
  v = cli_flag_value (out, "process");
  if (vdef->verb == VERB_EXEC && v && v[0] != '\0')
    out->process = v;
}

static int
parse_policed (const struct cli_verb_def *vdef, const char *const *toks, size_t n, struct cli_model *out,
               secshim_error_t *err)
{
  static const enum reorder_variant all_reorders[] = { REORDER_DASH_FIRST, REORDER_EVERY_DASH };
  static const enum reorder_variant no_reorder[] = { REORDER_NONE };
  const enum reorder_variant *variants = vdef->reorder ? all_reorders : no_reorder;
  size_t n_variants = vdef->reorder ? 2 : 1, k;
  struct reading r[2];
  int ret = -1;

  memset (r, 0, sizeof r);
  for (k = 0; k < n_variants; k++)
    if (read_verb_args (vdef, variants[k], toks, n, &r[k], err) < 0)
      goto out;
  for (k = 1; k < n_variants; k++)
    if (!same_reading (&r[0], &r[k]))
      {
        secshim_make_error (err, SECSHIM_EINPUT,
                            "argv: %s: ambiguous: runc builds with different urfave/cli releases read these "
                            "arguments differently (a value starting with '-' or a '--' among the flags?)",
                            vdef->name);
        goto out;
      }
  /* urfave/cli checks -h/--help right after parsing the flags, before
   * the arguments: runc prints the command's help and runs nothing. */
  if (str_equal (last_value (vdef, &r[0], "help"), "true"))
    {
      ret = 1;
      goto out;
    }
  if (check_policed_reading (vdef, &r[0], err) < 0)
    goto out;
  fill_verb_model (vdef, &r[0], out);
  ret = 0;
out:
  for (k = 0; k < n_variants; k++)
    reading_free (&r[k]);
  return ret;
}

/* What the global-flag pass found. */
struct global_scan
{
  struct occurrence *occ;
  size_t n_occ;
  bool *drop;            /* tokens that are secshim's own options */
  size_t verb_index;     /* first token after the global flags */
  secshim_error_t error; /* first error, NULL when runc would accept them */
  size_t error_index;
};

/* Go's flag parse over the global flags.  After an error runc stops, but we
 * keep skimming (unknown flags as booleans) to find secshim's own options and
 * a likely verb for passthrough. */
static void
scan_globals (const char *const *toks, size_t n, struct global_scan *gs)
{
  size_t i = 0;

  gs->occ = xreallocarray (NULL, n + 1, sizeof *gs->occ);
  gs->drop = xzalloc (n + 1);
  while (i < n)
    {
      secshim_error_t e = NULL;
      struct occurrence occ;
      size_t start = i, j;
      int ret = parse_one (cli_global_flags, cli_n_global_flags, "global", toks, n, &i, &occ, &e);
      if (ret == 0)
        break;
      if (ret < 0)
        {
          if (gs->error == NULL)
            {
              gs->error = e;
              gs->error_index = start;
            }
          else
            secshim_error_release (&e);
          if (i == start)
            i++;
          continue;
        }
      if (cli_global_flags[occ.def].own)
        {
          for (j = start; j < i; j++)
            gs->drop[j] = true;
          if (occ.value[0] == '\0' && gs->error == NULL)
            {
              secshim_make_error (&gs->error, SECSHIM_EINPUT, "argv: global: --%s needs a non-empty value",
                                  cli_global_flags[occ.def].name);
              gs->error_index = start;
            }
        }
      gs->occ[gs->n_occ++] = occ;
    }
  gs->verb_index = i;
  if (gs->error == NULL)
    {
      secshim_error_t e = NULL;
      if (check_two_forms (cli_global_flags, cli_n_global_flags, "global", gs->occ, gs->n_occ, &e) < 0)
        {
          gs->error = e;
          gs->error_index = 0;
        }
    }
}

static const char *
global_last_value (const struct global_scan *gs, const char *name)
{
  const char *v = NULL;
  size_t k;
  for (k = 0; k < gs->n_occ; k++)
    if (strcmp (cli_global_flags[gs->occ[k].def].name, name) == 0)
      v = gs->occ[k].value;
  return v;
}

static void
fill_global_model (const struct global_scan *gs, struct cli_model *out)
{
  const char *v;
  size_t k;

  out->globals = xreallocarray (NULL, gs->n_occ + 1, sizeof *out->globals);
  for (k = 0; k < gs->n_occ; k++)
    {
      const struct cli_flag_def *def = &cli_global_flags[gs->occ[k].def];
      if (def->own)
        continue;
      out->globals[out->n_globals].name = def->name;
      out->globals[out->n_globals].value = xstrdup (gs->occ[k].value);
      out->n_globals++;
    }
  if ((v = global_last_value (gs, "secshim-policy")))
    out->secshim_policy = xstrdup (v);
  if ((v = global_last_value (gs, "secshim-runtime")))
    out->secshim_runtime = xstrdup (v);
  for (k = 0; k < out->n_globals; k++)
    {
      if (strcmp (out->globals[k].name, "root") == 0)
        out->root = out->globals[k].value;
      else if (strcmp (out->globals[k].name, "log") == 0)
        out->log = out->globals[k].value;
      else if (strcmp (out->globals[k].name, "log-format") == 0)
        out->log_format = out->globals[k].value;
      else if (strcmp (out->globals[k].name, "systemd-cgroup") == 0)
        out->systemd_cgroup = strcmp (out->globals[k].value, "true") == 0;
    }
}

static void
global_scan_free (struct global_scan *gs)
{
  free (gs->occ);
  free (gs->drop);
  secshim_error_release (&gs->error);
}

int
cli_parse (int argc, char **argv, struct cli_model *out, secshim_error_t *err)
{
  struct global_scan gs;
  const char *const *toks;
  const struct cli_verb_def *vdef;
  size_t n, k, verb_pos = 0;
  int ret = 0;

  memset (out, 0, sizeof *out);
  memset (&gs, 0, sizeof gs);
  n = (argc > 1 && argv != NULL) ? (size_t) argc - 1 : 0;
  toks = n ? (const char *const *) argv + 1 : NULL;

  scan_globals (toks, n, &gs);
  out->passthrough = xreallocarray (NULL, n + 1, sizeof *out->passthrough);
  for (k = 0; k < n; k++)
    if (!gs.drop[k])
      {
        if (k == gs.verb_index)
          verb_pos = out->n_passthrough;
        out->passthrough[out->n_passthrough++] = xstrdup (toks[k]);
      }
  out->passthrough[out->n_passthrough] = NULL;
  fill_global_model (&gs, out);
  if (gs.verb_index < n)
    out->verb_name = out->passthrough[verb_pos];

  if (gs.error != NULL)
    {
      /* runc (this version) fails before running any verb.  A later runc
       * might know the flag, so a policed verb anywhere after it refuses. */
      for (k = gs.error_index; k < n; k++)
        if (cli_policed_verb (toks[k]) != NULL)
          {
            out->verb = cli_policed_verb (toks[k])->verb;
            if (err != NULL && *err == NULL)
              *err = steal_pointer (&gs.error);
            ret = -1;
            goto out;
          }
      out->verb = out->verb_name ? VERB_OTHER : VERB_NONE;
      goto out;
    }
  if (str_equal (global_last_value (&gs, "help"), "true") || str_equal (global_last_value (&gs, "version"), "true")
      || out->verb_name == NULL)
    {
      /* runc prints help or its version and runs no verb. */
      out->verb = VERB_NONE;
      out->verb_name = NULL;
      goto out;
    }
  vdef = cli_policed_verb (out->verb_name);
  if (vdef == NULL)
    {
      out->verb = VERB_OTHER;
      goto out;
    }
  out->verb = vdef->verb;
  ret = parse_policed (vdef, toks + gs.verb_index + 1, n - gs.verb_index - 1, out, err);
  if (ret == 1)
    {
      /* `runc create -h`: help, passed through like any other verb. */
      out->verb = VERB_OTHER;
      ret = 0;
    }
out:
  global_scan_free (&gs);
  return ret;
}

const char *
cli_flag_value (const struct cli_model *m, const char *name)
{
  const char *v = NULL;
  size_t k;
  for (k = 0; k < m->n_flags; k++)
    if (strcmp (m->flags[k].name, name) == 0)
      v = m->flags[k].value;
  return v;
}

size_t
cli_flag_values (const struct cli_model *m, const char *name, const char **out, size_t max)
{
  size_t k, n = 0;
  for (k = 0; k < m->n_flags; k++)
    if (strcmp (m->flags[k].name, name) == 0)
      {
        if (n < max)
          out[n] = m->flags[k].value;
        n++;
      }
  return n;
}

void
cli_model_free (struct cli_model *m)
{
  size_t k;
  if (m == NULL)
    return;
  for (k = 0; k < m->n_globals; k++)
    free (m->globals[k].value);
  for (k = 0; k < m->n_flags; k++)
    free (m->flags[k].value);
  for (k = 0; k < m->n_args; k++)
    free (m->args[k]);
  for (k = 0; k < m->n_passthrough; k++)
    free (m->passthrough[k]);
  free (m->globals);
  free (m->flags);
  free (m->args);
  free (m->passthrough);
  free (m->secshim_policy);
  free (m->secshim_runtime);
  memset (m, 0, sizeof *m);
}
