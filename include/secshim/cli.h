/* runc's command line, read exactly as runc 1.1/1.2 (urfave/cli v1 over Go's
 * flag package) reads it: see runtime-interface.md section 1.
 *
 * cli_parse() yields the verb, its flags and positional arguments, and
 * removes secshim's own global options (--secshim-policy=FILE,
 * --secshim-runtime=PATH, also in "--opt VALUE" form; they may appear
 * anywhere among the global flags).  cli_canonical_argv() re-emits one
 * canonical argv for the real runtime: global flags first as "--name=value"
 * (booleans as "--name" or "--name=false"), the verb, the verb's flags as
 * "--name=value" in a fixed order with repeats collapsed (the last value wins,
 * slice flags keep every value in order), then the positional arguments.  For
 * create/run/restore the bundle is always emitted explicitly as an absolute
 * path, so the bundle runc uses is the bundle secshim checked.
 *
 * Fail closed: on a policed verb (create, run, restore, exec, update) any
 * form runc would reject or that could be read two ways is an error:
 * unknown flags, a value flag with no value, both short and long forms of
 * one flag, wrong positional count, bool flags with a value other than
 * true/false, a boolean followed by the id and more flags (runc glues them),
 * "-td"-style bundling.  On other verbs cli_parse() only needs to find the
 * verb: unknown global flags are passed through, and the argv after removing
 * --secshim-* options is kept verbatim for passthrough. */
#ifndef SECSHIM_CLI_H
#define SECSHIM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/error.h"

enum cli_verb
{
  VERB_NONE, /* no verb: e.g. "--version", "--help", or nothing */
  VERB_CREATE,
  VERB_RUN,
  VERB_RESTORE,
  VERB_EXEC,
  VERB_UPDATE,
  VERB_OTHER, /* start, state, kill, delete, list, ps, events, pause, resume, features, checkpoint, spec, help, unknown
               */
};

/* One flag occurrence after parsing: canonical long name (without dashes),
 * value ("true"/"false" for booleans as written or implied). */
struct cli_flag
{
  const char *name; /* canonical long name from the flag table, e.g. "bundle" */
  char *value;
};

struct cli_model
{
  enum cli_verb verb;
  const char *verb_name; /* as written, e.g. "create"; NULL for VERB_NONE */

  /* Global flags, in order of appearance, secshim's own removed. */
  struct cli_flag *globals;
  size_t n_globals;
  /* Verb flags in order of appearance (after urfave's reordering). */
  struct cli_flag *flags;
  size_t n_flags;
  /* Positional arguments of the verb: the id, and for exec/ps the command. */
  char **args;
  size_t n_args;

  /* secshim's own options (NULL when absent). */
  char *secshim_policy;
  char *secshim_runtime;

  /* Derived, for policed verbs (NULL/false otherwise). */
  const char *container_id;
  const char *bundle;     /* create/run/restore: value of --bundle, NULL = cwd */
  const char *process;    /* exec: value of --process, NULL = inline exec */
  const char *root;       /* value of global --root, NULL = runc's default */
  const char *log;        /* value of global --log, NULL = stderr */
  const char *log_format; /* value of global --log-format, NULL = text */
  bool systemd_cgroup;    /* last global --systemd-cgroup is true */

  /* For passthrough: the original argv (argv[1..]) minus --secshim-* options. */
  char **passthrough;
  size_t n_passthrough;
};

/* Parse argv[1..argc).  Never prints.  Returns 0, or -1 with err set
 * (status SECSHIM_EINPUT) when the verb is policed and argv is malformed or
 * ambiguous.  For non-policed verbs, parsing errors after the verb are not
 * errors: the verb is VERB_OTHER and passthrough is filled. */
int cli_parse (int argc, char **argv, struct cli_model *out, secshim_error_t *err);

/* Last value of a verb flag by canonical long name, NULL if absent. */
const char *cli_flag_value (const struct cli_model *m, const char *name);
/* Every value of a (slice) verb flag, in order, at most max stored in out;
 * returns the total count, which may exceed max (callers refuse that). */
size_t cli_flag_values (const struct cli_model *m, const char *name, const char **out, size_t max);

/* Canonical argv for the real runtime: argv[0] = runtime path; NULL-terminated.
 * bundle_abs replaces the bundle for create/run/restore (required for them,
 * ignored otherwise); process_path replaces --process for exec when not NULL. */
char **cli_canonical_argv (const struct cli_model *m, const char *runtime_path, const char *bundle_abs,
                           const char *process_path);

/* Free what cli_canonical_argv returned (NULL is fine). */
void cli_argv_free (char **argv);

void cli_model_free (struct cli_model *m);

#endif
