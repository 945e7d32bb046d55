/* Reading a file by path, with secshim's error object.  Kept out of util
 * (which knows no error object) so that util stays the bottom module:
 * error uses util's allocation helpers, not the other way round. */
#ifndef SECSHIM_FILE_H
#define SECSHIM_FILE_H

#include <stddef.h>

#include "secshim/error.h"

/* Read a data file a policy names (seccomp profile, AppArmor TOML): opened
 * O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NOFOLLOW, a regular file, at most max bytes
 * (read_all_fd).  Messages: "open `PATH`: ...", "`PATH` is not a regular
 * file" (ECONFIG). */
int read_data_file (const char *path, size_t max, char **out, size_t *out_len, secshim_error_t *err);

#endif
