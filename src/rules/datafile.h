/* A data file a rule names (the seccomp profile, the AppArmor TOML): read
 * whole when the policy loads, and those bytes are both what the rule uses
 * and what the compiled policy's key covers (src/policy/compiled.c).
 * Private to src/rules. */
#ifndef SECSHIM_RULES_DATAFILE_H
#define SECSHIM_RULES_DATAFILE_H

#include <stddef.h>
#include <stdint.h>

#include "secshim/error.h"
#include "secshim/pack.h"

struct data_file
{
  char *path;
  size_t max;  /* size limit */
  char *bytes; /* the whole file, NUL-terminated */
  size_t len;
  uint8_t digest[16]; /* pack_digest of bytes */
};

/* Open path (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC), a regular file of at
 * most max bytes, owned by root (or the euid) and writable by no one else,
 * and read it.  Messages: "open `PATH`: ...", "`PATH` is not a regular
 * file", "`PATH` is larger than MAX bytes". */
int data_file_open (const char *path, size_t max, struct data_file *f, secshim_error_t *err);

/* In a compiled policy: the path, the limit and the digest.  Restoring
 * opens and reads the file again, with the same checks, and marks the pack
 * stale unless its bytes have the digest it had when the entry was made. */
void data_file_pack (struct pack *k, struct data_file *f);

void data_file_release (struct data_file *f);

#endif
