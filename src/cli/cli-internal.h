/* Flag tables of runc 1.1/1.2 and the urfave/cli v1 machinery shared by
 * src/cli/argv.c (parsing) and src/cli/canonical.c (re-emission).  Private to
 * src/cli. */
#ifndef SECSHIM_CLI_INTERNAL_H
#define SECSHIM_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/cli.h"

enum cli_flag_kind
{
  CLI_BOOL,      /* cli.BoolFlag: no value, or "=true"/"=false" */
  CLI_STRING,    /* cli.StringFlag: "=v" or the next token, whatever it is */
  CLI_INT,       /* cli.IntFlag: Go ParseInt(s, 0, 64), we accept plain decimal only */
  CLI_SLICE,     /* cli.StringSliceFlag: every occurrence kept, in order */
  CLI_INT_SLICE, /* cli.Int64SliceFlag */
};

struct cli_flag_def
{
  const char *name;  /* canonical long name */
  const char *alias; /* short or second name, NULL if none */
  enum cli_flag_kind kind;
  bool inline_only; /* exec: ignored by runc when --process is given */
  bool own;         /* secshim's own global option, never passed to runc */
};

struct cli_verb_def
{
  const char *name;
  enum cli_verb verb;
  const struct cli_flag_def *flags;
  size_t n_flags;
  bool reorder; /* urfave moves flags after the arguments (all but exec/ps) */
};

extern const struct cli_flag_def cli_global_flags[];
extern const size_t cli_n_global_flags;

/* The definition of a policed verb, NULL for every other name. */
const struct cli_verb_def *cli_policed_verb (const char *name);
const struct cli_verb_def *cli_policed_verb_by_id (enum cli_verb verb);

#endif
