/* The one way secshim reads a file whole: open, check what was opened,
 * read at most a bound.  Kept out of util (which knows no error object) so
 * that util stays the bottom module: error uses util's allocation helpers,
 * not the other way round.
 *
 * Every file secshim trusts or judges goes through file_open_at: the policy,
 * its data files, compiled-policy entries, runc's state.json of another
 * container, the kernel's AppArmor profile list, cgroup limits.  The checks
 * are made on the descriptor (fstat), never on the path, so what is checked
 * is what is read. */
#ifndef SECSHIM_FILE_H
#define SECSHIM_FILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "secshim/error.h"

/* What the caller requires of the file, checked on the open descriptor. */
enum file_require
{
  /* A regular file.  The open adds O_NONBLOCK, so a FIFO put in the file's
   * place cannot hang the runtime: it is opened at once and refused. */
  FILE_REGULAR = 1 << 0,
  /* Owned by root or the effective uid, and writable by neither group nor
   * others: whoever else could write it would decide what secshim does. */
  FILE_TRUSTED = 1 << 1,
};

/* Results beyond -errno. */
#define FILE_ENOTREG (-4096)    /* FILE_REGULAR and it is not a regular file */
#define FILE_EUNTRUSTED (-4097) /* FILE_TRUSTED and its owner or mode is not */

/* openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | flags), then
 * fstat into *st and the checks `require` names; a regular file larger
 * than max is -EFBIG.  Returns the descriptor, or -errno / FILE_E*. */
int file_open_at (int dirfd, const char *path, int flags, unsigned require, size_t max, struct stat *st);

/* file_open_at, then the whole file (read_all_fd: at most max bytes,
 * NUL-terminated, *out malloc'd).  0, or -errno / FILE_E*; *st (may be
 * NULL) is the fstat of what was read. */
int file_read_at (int dirfd, const char *path, int flags, unsigned require, size_t max, char **out, size_t *out_len,
                  struct stat *st);

/* An input a person names on secshim's command line (check FILE, update
 * --resources FILE): "-" is standard input; a named file may be a FIFO
 * (runc's tests pass `-p <(...)`), so no FILE_REGULAR, but at most max
 * bytes all the same.  0, or -errno (-EFBIG: larger than max). */
int file_read_input (const char *file, size_t max, char **out, size_t *out_len);

/* Read a data file a policy names (seccomp profile, AppArmor TOML):
 * O_NOFOLLOW, a regular file, at most max bytes.  Messages: "open `PATH`:
 * ...", "`PATH` is not a regular file" (ECONFIG), "`PATH` is larger than
 * MAX bytes" (ECONFIG). */
int read_data_file (const char *path, size_t max, char **out, size_t *out_len, secshim_error_t *err);

/* The error read_data_file reports for a result r of file_*_at on path:
 * the wording every data-file reader shares.  Returns -1. */
int file_error (secshim_error_t *err, int r, const char *path, size_t max, const struct stat *st);

#endif
