/* A data file a rule names (the seccomp profile, the AppArmor TOML): opened
 * and checked when the policy loads, read when the rule first needs its
 * bytes, and named in the validated-policy cache key by its inode identity
 * instead of a digest of its bytes.  Private to src/rules.
 *
 * Why the identity stands for the bytes (docs/performance.md, "Data files
 * in the cache key"): every write to a file sets its ctime to the current
 * time, and nothing but a change of the system clock (root) sets a ctime
 * back: utimensat and `touch -d` restore mtime, not ctime.  So
 * (st_dev, st_ino, st_size, st_mtim, st_ctim) changes with any change of
 * the bytes, provided that
 *  - no one but root (or the euid) can write the file: the same rule as for
 *    the policy file, so only they could even try to keep a size and an
 *    mtime;
 *  - the ctime is settled: timestamps have a granularity (a clock tick, a
 *    whole second on some file systems), so a second write soon after the
 *    first could carry the same ctime ("racy git").  A file whose ctime is
 *    not at least SETTLE_SECONDS in the past is keyed by a digest of its
 *    bytes, read at load and kept, so that what was hashed is what is used.
 * A file anyone else can write is refused outright. */
#ifndef SECSHIM_RULES_DATAFILE_H
#define SECSHIM_RULES_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "secshim/error.h"

struct data_file
{
  char *path;
  int fd;           /* by identity: open from load to release (O_CLOEXEC); else -1 */
  size_t max;       /* size limit */
  struct stat st;   /* fstat at open; after a read, fstat after the read */
  bool changed;     /* the last read found another identity than st had before */
  bool by_identity; /* trusted owner and mode, settled ctime: keyed by st */
  char *bytes;      /* otherwise: the bytes, read at open */
  size_t len;
  char sha256[65]; /* and their digest */
};

/* Open path (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC), a regular file of at
 * most max bytes, owned by root (or the euid) and writable by no one else;
 * one not keyed by identity is read at once.  Messages as
 * read_data_file's: "open `PATH`: ...", "`PATH` is not a regular file",
 * "`PATH` is larger than MAX bytes". */
int data_file_open (const char *path, size_t max, struct data_file *f, secshim_error_t *err);

/* The bytes (*out malloc'd, NUL-terminated).  A file keyed by identity is
 * read from the descriptor opened at load, from its start; f->st becomes
 * the identity after the read, and f->changed says whether it differs from
 * the one before (the bytes may then not be those the cache key named). */
int data_file_read (struct data_file *f, char **out, size_t *out_len, secshim_error_t *err);

/* Cache-key text: "file DEV:INO size N mtime S.NS ctime S.NS" by identity,
 * "sha256 HEX" of the bytes otherwise.  Malloc'd. */
char *data_file_key (const struct data_file *f);

void data_file_release (struct data_file *f);

/* How old a ctime must be to be settled (default 3 s; tests set 0). */
void data_file_set_settle_seconds (unsigned seconds);

#endif
