/* Data files of a policy's rules: see datafile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datafile.h"
#include "secshim/file.h"
#include "secshim/util.h"

int
data_file_open (const char *path, size_t max, struct data_file *f, secshim_error_t *err)
{
  struct stat st;
  int r;

  memset (f, 0, sizeof *f);
  f->max = max;
  f->path = xstrdup (path);
  /* Whoever can write the seccomp profile or the AppArmor source decides
   * what every container may do: the same rule as for the policy itself. */
  r = file_read_at (AT_FDCWD, path, O_NOFOLLOW, FILE_REGULAR | FILE_TRUSTED, max, &f->bytes, &f->len, &st);
  if (r < 0)
    return file_error (err, r, path, max, &st);
  pack_digest (f->bytes, f->len, f->digest);
  return 0;
}

void
data_file_pack (struct pack *k, struct data_file *f)
{
  char *path = k->reading ? NULL : f->path; /* restored: in the entry, data_file_open copies it */
  uint8_t digest[16];
  size_t max = f->max;

  pack_str_borrowed (k, &path);
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
