/* Fuzz target: runc's command line model (cli.h).
 *
 * The input is argv[1..] as NUL-separated strings (argv[0] is "secshim").
 * Invariants:
 *  - cli_parse never crashes or leaks; a refusal carries a message;
 *  - on a policed verb, the canonical argv handed to runc parses again, to the
 *    same verb, container id, positional arguments, global flags and the
 *    bundle / process secshim checked, without any --secshim-* option, and
 *    re-emitting it is a fixpoint (the argv runc sees is the argv we read);
 *  - on other verbs the passthrough argv re-parses to the same verb and the
 *    same passthrough (removing secshim's options is idempotent). */
#include <string.h>

#include "fuzz.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/util.h"

#define MAX_ARGS 64
#define RUNTIME "/usr/sbin/runc"
#define BUNDLE "/run/fuzz/bundle"
#define PROCESS "/run/secshim/fuzz/process.json"

static void
strv_free_null (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}
DEFINE_CLEANUP_FUNC (char **, strv_free_null)

static size_t
strv_len (char **v)
{
  size_t n = 0;
  while (v[n])
    n++;
  return n;
}

static bool
is_policed (enum cli_verb v)
{
  return v == VERB_CREATE || v == VERB_RUN || v == VERB_RESTORE || v == VERB_EXEC || v == VERB_UPDATE;
}

static bool
strv_equal (char **a, size_t na, char **b, size_t nb)
{
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    if (strcmp (a[i], b[i]) != 0)
      return false;
  return true;
}

static void
dump_argv (const char *what, char **v, size_t n)
{
  fprintf (stderr, "%s:", what);
  for (size_t i = 0; i < n; i++)
    fprintf (stderr, " [%s]", v[i]);
  fputc ('\n', stderr);
}

static void
check_policed (struct cli_model *m)
{
  secshim_error_t err = NULL;
  struct cli_model re = { 0 };
  bool has_bundle = m->verb == VERB_CREATE || m->verb == VERB_RUN || m->verb == VERB_RESTORE;
  const char *process = m->verb == VERB_EXEC && m->process ? PROCESS : NULL;
  cleanup_with (strv_free_null) char **canon = cli_canonical_argv (m, RUNTIME, BUNDLE, process);
  cleanup_with (strv_free_null) char **canon2 = NULL;
  size_t n;

  FUZZ_ASSERT (canon != NULL && canon[0] != NULL, "no canonical argv");
  FUZZ_ASSERT (strcmp (canon[0], RUNTIME) == 0, "argv[0] is %s", canon[0]);
  n = strv_len (canon);
  if (cli_parse ((int) n, canon, &re, &err) < 0)
    {
      dump_argv ("canonical", canon, n);
      FUZZ_ASSERT (0, "canonical argv refused: %s", fuzz_msg (err));
    }
  FUZZ_ASSERT (re.verb == m->verb, "verb %d became %d", m->verb, re.verb);
  FUZZ_ASSERT (str_equal (re.container_id, m->container_id), "container id %s became %s", m->container_id,
               re.container_id);
  FUZZ_ASSERT (re.secshim_policy == NULL && re.secshim_runtime == NULL, "--secshim-* option leaked to runc");
  FUZZ_ASSERT (str_equal (re.root, m->root), "--root %s became %s", m->root, re.root);
  FUZZ_ASSERT (str_equal (re.log, m->log), "--log %s became %s", m->log, re.log);
  FUZZ_ASSERT (str_equal (re.log_format, m->log_format), "--log-format %s became %s", m->log_format, re.log_format);
  /* With --process, runc 1.1.5 reads nothing after the container id (its
   * getProcess returns the file's process first): the canonical argv
   * keeps only the id. */
  if (m->verb == VERB_EXEC && m->process && m->n_args > 0)
    FUZZ_ASSERT (re.n_args == 1 && str_equal (re.args[0], m->args[0]), "exec --process: the container id changed");
  else if (!strv_equal (re.args, re.n_args, m->args, m->n_args))
    {
      dump_argv ("canonical", canon, n);
      dump_argv ("args before", m->args, m->n_args);
      dump_argv ("args after ", re.args, re.n_args);
      FUZZ_ASSERT (0, "positional arguments changed");
    }
  if (has_bundle)
    FUZZ_ASSERT (str_equal (re.bundle, BUNDLE), "runc would use bundle %s, secshim checked %s", re.bundle, BUNDLE);
  if (m->verb == VERB_EXEC)
    FUZZ_ASSERT (str_equal (re.process, process), "runc would read process %s, secshim checked %s", re.process,
                 process);

  canon2 = cli_canonical_argv (&re, RUNTIME, BUNDLE, process);
  FUZZ_ASSERT (canon2 != NULL, "no second canonical argv");
  if (!strv_equal (canon, n, canon2, strv_len (canon2)))
    {
      dump_argv ("first ", canon, n);
      dump_argv ("second", canon2, strv_len (canon2));
      FUZZ_ASSERT (0, "canonical argv is not a fixpoint");
    }
  cli_model_free (&re);
}

static void
check_passthrough (struct cli_model *m)
{
  secshim_error_t err = NULL;
  struct cli_model re = { 0 };
  cleanup_free char **argv = xreallocarray (NULL, m->n_passthrough + 2, sizeof (char *));

  argv[0] = (char *) "secshim";
  for (size_t i = 0; i < m->n_passthrough; i++)
    argv[i + 1] = m->passthrough[i];
  argv[m->n_passthrough + 1] = NULL;
  FUZZ_ASSERT (cli_parse ((int) m->n_passthrough + 1, argv, &re, &err) == 0, "passthrough argv refused: %s",
               fuzz_msg (err));
  /* What matters is that a passed-through argv is never policed on a second
   * reading (nor the other way round).  VERB_NONE and VERB_OTHER may swap:
   * "-help --secshim-runtime '' '' ..." loses the empty option value that
   * made "" the verb, and both go straight to runc unchanged. */
  FUZZ_ASSERT (re.verb == VERB_NONE || re.verb == VERB_OTHER, "passthrough verb %d became policed verb %d on re-parse",
               m->verb, re.verb);
  FUZZ_ASSERT (strv_equal (re.passthrough, re.n_passthrough, m->passthrough, m->n_passthrough),
               "passthrough argv changed on re-parse");
  cli_model_free (&re);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  secshim_error_t err = NULL;
  struct cli_model m = { 0 };
  char *argv[MAX_ARGS + 2];
  int argc = 1;
  cleanup_free char *copy = xmalloc (size + 1);
  size_t start = 0;

  memcpy (copy, data, size);
  copy[size] = '\0';
  argv[0] = (char *) "secshim";
  /* NUL-separated tokens; a trailing NUL does not add an empty argument. */
  for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++)
    if (i == size || copy[i] == '\0')
      {
        if (i == size && start == size && size > 0)
          break;
        argv[argc++] = copy + start;
        start = i + 1;
      }
  if (size == 0)
    argc = 1;
  argv[argc] = NULL;

  if (cli_parse (argc, argv, &m, &err) < 0)
    {
      FUZZ_ASSERT (err != NULL && err->msg != NULL && err->msg[0] != '\0', "cli_parse refused without a message");
      secshim_error_release (&err);
      cli_model_free (&m);
      return 0;
    }
  if (is_policed (m.verb))
    check_policed (&m);
  else
    check_passthrough (&m);
  cli_model_free (&m);
  return 0;
}
