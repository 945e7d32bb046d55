/* Finding and executing the real runtime.
 *
 * The runtime comes from --secshim-runtime, else the policy's "runtime",
 * else the first of /usr/bin/runc and /usr/sbin/runc that exists (Debian
 * installs runc in /usr/sbin).  Never a $PATH lookup.  secshim refuses to exec
 * itself (same st_dev/st_ino as /proc/self/exe), so it can be installed *as*
 * runc with the real one moved aside. */
#ifndef SECSHIM_EXEC_H
#define SECSHIM_EXEC_H

#include "secshim/error.h"

/* Resolve which runtime to run; *out is malloc'd. */
int runtime_resolve (const char *from_cli, const char *from_policy, char **out, secshim_error_t *err);

/* execv(path, argv).  Returns only on failure (-1, err set). */
int runtime_exec (const char *path, char *const argv[], secshim_error_t *err);

#endif
