/* Data files of a policy's rules: see datafile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datafile.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* The same rule as for the policy file itself (src/policy/load.c): root's,
 * or the caller's for tests run as a user, and writable by no one else. */
static bool
trusted_owner (const struct stat *st)
{
  return (st->st_uid == 0 || st->st_uid == geteuid ()) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int
data_file_open (const char *path, size_t max, struct data_file *f, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  struct stat st;

  memset (f, 0, sizeof *f);
  f->max = max;
  f->path = xstrdup (path);
  /* O_NONBLOCK: a FIFO put in the file's place must not hang the load. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return secshim_make_error (err, errno, "open `%s`", path);
  if (fstat (fd, &st) < 0)
    return secshim_make_error (err, errno, "stat `%s`", path);
  if (!S_ISREG (st.st_mode))
    return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is not a regular file", path);
  if ((uintmax_t) st.st_size > max)
    return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", path, max);
  /* Whoever can write the seccomp profile or the AppArmor source decides
   * what every container may do: the same rule as for the policy itself. */
  if (!trusted_owner (&st))
    return secshim_make_error (err, SECSHIM_ECONFIG,
                               "`%s` must be owned by root and writable by no one else (owner uid %u, mode %04o)", path,
                               (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
  if (read_all_fd (fd, max, &f->bytes, &f->len) < 0)
    {
      if (errno == EFBIG)
        return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", path, max);
      return secshim_make_error (err, errno, "read `%s`", path);
    }
  pack_digest (f->bytes, f->len, f->digest);
  return 0;
}

void
data_file_pack (struct pack *k, struct data_file *f)
{
  cleanup_free char *path = k->reading ? NULL : xstrdup (f->path);
  uint8_t digest[16];
  size_t max = f->max;

  pack_str (k, &path);
  pack_size (k, &max);
  memcpy (digest, f->digest, sizeof digest);
  pack_fixed (k, digest, sizeof digest);
  if (!k->reading || k->bad)
    return;
  if (path == NULL || data_file_open (path, max, f, NULL) < 0 || memcmp (f->digest, digest, sizeof digest) != 0)
    pack_fail (k);
}

void
data_file_release (struct data_file *f)
{
  free (f->path);
  free (f->bytes);
  f->path = f->bytes = NULL;
}
